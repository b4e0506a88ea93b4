package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.provision.SystemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root helper's rpc, remote and warm-stop commands, run under bash with systemctl and
 * systemd-run stubbed: the expression reaches the release as one argument, exactly as sent, as the
 * app's user; refusals say what to do.
 */
class LiveNodeHelperTest {
  @TempDir
  Path dir;
  private Path script;
  private Path bin;

  @BeforeEach
  void setUp() throws Exception {
    Path env = Files.createDirectories(dir.resolve("env"));
    Path units = Files.createDirectories(dir.resolve("units"));
    Files.createDirectories(dir.resolve("routes"));
    String helper = SystemFiles.adminHelper()
        .replace("ENV_DIR=/etc/potions/env", "ENV_DIR=" + env)
        .replace("ROUTE_DIR=/etc/potions/routes", "ROUTE_DIR=" + dir.resolve("routes"))
        .replace("UNIT_DIR=/etc/systemd/system", "UNIT_DIR=" + units);
    script = Files.writeString(dir.resolve("potions-admin"), helper);
    Files.writeString(env.resolve("shop-blue"), "PORT=\"4001\"\nPOTIONS_RELEASE_NAME=\"shop\"\nPOTIONS_DIST_PORT=\"4005\"\n");
    Files.writeString(env.resolve("shop-green"), "PORT=\"4002\"\nPOTIONS_RELEASE_NAME=\"shop\"\n");
    Path dropIn = Files.createDirectories(units.resolve("potions-app@shop-blue.service.d"));
    Files.writeString(dropIn.resolve("50-potions-app.conf"), "[Service]\nUser=p-shop\nGroup=p-shop\nMemoryMax=512M\n");
    Files.createDirectories(units.resolve("potions-app@shop-green.service.d"))
        .resolve("50-potions-app.conf").toFile().createNewFile();
    bin = Files.createDirectories(dir.resolve("bin"));
    // is-active answers from a file listing the active units; every call is logged.
    stub("systemctl", "echo \"systemctl $*\" >> " + dir.resolve("calls") + "\n"
        + "if [ \"$1\" = is-active ]; then grep -qxF \"${@: -1}\" " + dir.resolve("active") + " 2>/dev/null; fi");
    stub("systemd-run", "printf '%s\\0' \"$@\" > " + dir.resolve("argv"));
    Files.writeString(dir.resolve("active"), "potions-app@shop-blue.service\n");
  }

  private void stub(String name, String body) throws Exception {
    Files.writeString(bin.resolve(name), "#!/bin/bash\n" + body + "\n").toFile().setExecutable(true);
  }

  private record Run(int status, String output) {}

  private Run helper(String stdin, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private List<String> argv() throws Exception {
    String raw = Files.readString(dir.resolve("argv"));
    return Arrays.asList(raw.substring(0, raw.length() - 1).split("\0", -1));
  }

  @Test
  void theExpressionReachesTheReleaseAsOneArgumentExactlyAsSentAsTheAppsUser() throws Exception {
    String expression = "IO.puts(\"$(id) `id`\"); x = '; rm -rf / #'\n|> IO.inspect()";
    Run r = helper(expression, "rpc", "shop", "blue");
    assertThat(r.status).as(r.output).isZero();
    List<String> argv = argv();
    assertThat(argv.get(argv.size() - 1)).isEqualTo(expression);
    assertThat(argv.subList(argv.size() - 5, argv.size() - 1)).containsExactly("/usr/bin/env",
        "ELIXIR_ERL_OPTIONS=-start_epmd false -erl_epmd_port 4005 -dist_listen false",
        "/opt/potions/.slots/shop-blue/release/bin/shop", "rpc");
    assertThat(argv).contains("--pipe", "User=p-shop", "MemoryMax=512M", "NoNewPrivileges=yes",
        "EnvironmentFile=" + dir.resolve("env/shop-blue"));
  }

  @Test
  void refusalsSayWhatIsWrongAndWhatToDo() throws Exception {
    Run empty = helper(" \n ", "rpc", "shop", "blue");
    assertThat(empty.status).isEqualTo(64);
    assertThat(empty.output).contains("the expression is empty");
    Run big = helper("x".repeat(65_537), "rpc", "shop", "blue");
    assertThat(big.output).contains("over 65536 bytes");
    Run stopped = helper("1", "rpc", "shop", "green");
    assertThat(stopped.output).contains("app shop is not running in slot green");
    Files.writeString(dir.resolve("active"), "potions-app@shop-green.service\n");
    Run old = helper("1", "rpc", "shop", "green");
    assertThat(old.output).contains("deployed without a distribution port: deploy or restart it once");
    Run noTerminal = helper("", "remote", "shop", "green");
    assertThat(noTerminal.output).contains("deployed without a distribution port");
    Files.writeString(dir.resolve("active"), "potions-app@shop-blue.service\n");
    assertThat(helper("", "remote", "shop", "blue").output).contains("remote needs a terminal");
    assertThat(helper("", "rpc", "shop;id", "blue").output).contains("invalid app name");
    assertThat(Files.exists(dir.resolve("argv"))).isFalse();
  }

  @Test
  void theWarmStandbysTimerNeverStopsTheSlotTrafficGoesTo() throws Exception {
    Files.writeString(dir.resolve("routes/shop"), "4000 4001\n");
    Run live = helper("", "warm-stop", "shop", "blue");
    assertThat(live.status).as(live.output).isZero();
    assertThat(live.output).contains("serves traffic; left running");
    assertThat(Files.exists(dir.resolve("calls")) ? Files.readString(dir.resolve("calls")) : "").doesNotContain("stop");
    Run standby = helper("", "warm-stop", "shop", "green");
    assertThat(standby.status).as(standby.output).isZero();
    assertThat(Files.readString(dir.resolve("calls"))).contains("systemctl disable potions-app@shop-green.service",
        "systemctl stop potions-app@shop-green.service");

    Run schedule = helper("", "warm", "shop", "green", "1800");
    assertThat(schedule.status).as(schedule.output).isZero();
    assertThat(argv()).containsSequence("--unit=potions-warm-shop-green", "--on-active=1800s")
        .endsWith("/usr/local/sbin/potions-admin", "warm-stop", "shop", "green");
  }
}
