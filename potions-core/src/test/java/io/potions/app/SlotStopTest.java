package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.provision.SystemFiles;
import io.potions.ssh.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old slot's stop: the script runs here under bash against stand-ins for systemctl, ss and the
 * root helper that play a slot holding WebSockets; the root helper's connection closing runs for
 * real against a stand-in ss.
 */
class SlotStopTest {
  @TempDir
  Path dir;

  @Test
  void theStopTimeoutCoversTheAppsDrainAndTheWindow() {
    assertThat(SlotStop.stopTimeoutSeconds(Duration.ofSeconds(30), Duration.ofSeconds(10))).isEqualTo(70);
    assertThat(SlotStop.stopTimeoutSeconds(Duration.ofMinutes(10), Duration.ofMinutes(10))).isEqualTo(1230);
    assertThat(SlotStop.setStopTimeout("shop", Duration.ofSeconds(5), Duration.ZERO))
        .isEqualTo("sudo -n /usr/local/sbin/potions-admin stop-timeout shop 35");
  }

  @Test
  void anAppThatDrainsItselfIsLeftToItAndNothingIsClosedByPotions() throws Exception {
    // The app closes its 40 sockets itself, 10 per 0.2 s poll, and exits when none is left.
    Path bin = stand_ins(40, 10);
    ExecResult r = run(SlotStop.stop("shop", Slot.BLUE, 4001, Duration.ofSeconds(5), Duration.ofSeconds(2)), bin);
    SlotStop.Outcome outcome = SlotStop.Outcome.parse(r);
    assertThat(outcome.openAtDeadline()).as(r.out()).isZero();
    assertThat(outcome.closedByPotions()).isZero();
    assertThat(outcome.stopped()).isTrue();
    assertThat(Files.readString(dir.resolve("calls"))).startsWith("unit-stop-async shop blue\n")
        .doesNotContain("conn-close");
  }

  @Test
  void whatIsStillOpenAtTheDeadlineIsClosedInEvenBatchesOverTheWindow() throws Exception {
    // An app that closes nothing itself: 50 sockets at its 1 s deadline, a 2 s window = 10 steps of 5.
    Path bin = stand_ins(50, 0);
    long t0 = System.nanoTime();
    ExecResult r = run(SlotStop.stop("shop", Slot.GREEN, 4002, Duration.ofSeconds(1), Duration.ofSeconds(2)), bin);
    double seconds = (System.nanoTime() - t0) / 1e9;
    SlotStop.Outcome outcome = SlotStop.Outcome.parse(r);
    assertThat(outcome.openAtDeadline()).as(r.out()).isEqualTo(50);
    assertThat(outcome.closedByPotions()).isEqualTo(50);
    assertThat(outcome.stopped()).isTrue();
    List<String> closes = Files.readAllLines(dir.resolve("calls")).stream().filter(l -> l.startsWith("conn-close")).toList();
    assertThat(closes).hasSize(10).allMatch(l -> l.equals("conn-close shop 4002 5"));
    // Spread over the window, not closed in one go.
    assertThat(seconds).isGreaterThan(2.0);
    assertThat(outcome.describe("green", Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .contains("50 connection(s) were still open", "closed 50 of them in batches over 2 s");
  }

  @Test
  void theRootHelperClosesOnlyTheAskedNumberOnTheAppsOwnSlotPorts() throws Exception {
    Path routes = Files.createDirectories(dir.resolve("routes"));
    Files.writeString(routes.resolve("shop"), "4000 4001\n");
    Path bin = Files.createDirectories(dir.resolve("bin2"));
    Path log = dir.resolve("ss-calls");
    // ss lists three connections to 4002; ss -K records its filter.
    fake(bin, "ss", "if [ \"$1\" = -K ]; then printf '%s\\n' \"$*\" >> " + log + "; exit 0; fi\n"
        + "printf '0 0 127.0.0.1:4002 127.0.0.1:%s\\n' 51001 51002 51003");
    String helper = SystemFiles.adminHelper().replace("ROUTE_DIR=/etc/potions/routes", "ROUTE_DIR=" + routes);
    Path script = Files.writeString(dir.resolve("helper"), helper);

    Run two = bash(List.of("bash", script.toString(), "conn-close", "shop", "4002", "2"), bin);
    assertThat(two.status).as(two.output).isZero();
    assertThat(two.output).contains("closed=2");
    // The whole filter, parentheses balanced (ss rejects an unbalanced one with a syntax error).
    assertThat(Files.readString(log)).contains("established ( sport = :4002 and ( dport = :51001 or dport = :51002 ) )\n")
        .doesNotContain("51003");

    Run notASlot = bash(List.of("bash", script.toString(), "conn-close", "shop", "5432", "2"), bin);
    assertThat(notASlot.status).isEqualTo(64);
    assertThat(notASlot.output).contains("port 5432 is not a slot port of shop");
    Run otherApp = bash(List.of("bash", script.toString(), "conn-close", "blog", "4002", "2"), bin);
    assertThat(otherApp.status).isEqualTo(64);
    assertThat(otherApp.output).contains("app blog has no route");
    assertThat(Files.readAllLines(log)).hasSize(1);
  }

  // ---- stand-ins ------------------------------------------------------------------------------

  /**
   * A slot holding {@code sockets} connections that closes {@code perPoll} of them itself on every
   * poll once stopping, and exits when none is left; the root helper's conn-close closes N.
   */
  private Path stand_ins(int sockets, int perPoll) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path count = Files.writeString(dir.resolve("count"), Integer.toString(sockets));
    Path state = Files.writeString(dir.resolve("state"), "active");
    Path calls = dir.resolve("calls");
    fake(bin, "sudo", "shift 2; printf '%s\\n' \"$*\" >> " + calls + "\n"
        + "case \"$1\" in\n"
        + "  unit-stop-async) echo deactivating > " + state + " ;;\n"
        + "  conn-close) n=$(cat " + count + "); k=$4; [ \"$k\" -gt \"$n\" ] && k=$n; echo $((n - k)) > " + count
        + "; echo closed=$k ;;\n"
        + "esac");
    fake(bin, "systemctl", "s=$(cat " + state + "); n=$(cat " + count + ")\n"
        + "if [ \"$s\" = deactivating ]; then\n"
        + "  n=$((n - " + perPoll + ")); [ $n -gt 0 ] || n=0; echo $n > " + count + "\n"
        + "  if [ $n -eq 0 ]; then s=inactive; echo inactive > " + state + "; fi\n"
        + "fi\necho \"$s\"; [ \"$s\" = active ]");
    fake(bin, "ss", "n=$(cat " + count + "); for _ in $(seq 1 \"$n\"); do echo '0 0 127.0.0.1:4001 127.0.0.1:5000'; done");
    return bin;
  }

  private static void fake(Path bin, String name, String body) throws Exception {
    Path p = Files.writeString(bin.resolve(name), "#!/bin/bash\n" + body + "\n");
    p.toFile().setExecutable(true);
  }

  private ExecResult run(String script, Path bin) throws Exception {
    Path file = Files.writeString(dir.resolve("stop.sh"), "set -euo pipefail\n" + script);
    Run r = bash(List.of("bash", file.toString()), bin);
    return new ExecResult(r.status, r.output.lines().toList(), List.of(), Duration.ZERO);
  }

  private record Run(int status, String output) {}

  private static Run bash(List<String> command, Path bin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }
}
