package io.potions.internal.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.engine.EnvFile;
import io.potions.internal.shell.Shell;
import io.potions.internal.shell.ShellCheck;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning runs as root over paths the deploy user owns: nothing root does may follow a link
 * that user planted, and no secret may reach a command line. The rendered text is checked, and the
 * parts that need no root are run here against planted symlinks (the end-to-end attack test,
 * DeployUserEscalationE2ETest, runs the whole thing as root on a real server).
 */
class PrivilegeBoundaryTest {
  private static final List<String> KEYS = List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO test");

  @TempDir
  Path dir;

  /** Where the scripts under test are written: apart from {@link #dir}, whose listing is asserted. */
  @TempDir
  Path scripts;

  private static BootstrapStep step(String id) {
    return BootstrapPlan.render(Distribution.DEBIAN_12, KEYS, List.of()).stream()
        .filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  // ---- route 1: authorized_keys.potions-tmp -> a root file ------------------------------------

  @Test
  void rootNeverWritesChmodsOrChownsInTheDeployUsersHome() {
    BootstrapStep users = step("users");
    String keys = String.join("\n", KEYS) + "\n";
    String asDeploy = BootstrapPlan.deployKeysScript("/home/deploy", keys);
    // The part root runs: everything in the home is handed to the deploy user as one argument.
    String asRoot = withoutComments(users.apply().replace(Shell.quote(asDeploy), "AS_DEPLOY"));
    assertThat(asRoot).contains("runuser -u deploy -- bash -c AS_DEPLOY");
    assertThat(asRoot).doesNotContain("authorized_keys", "chown", "chmod");
    assertThat(asRoot.replace(">/dev/null", "").replace("2>&1", "").replace(">&2", "")).doesNotContain(">");
    assertThat(asRoot).contains("[ -L \"$home\" ]");
    assertThat(users.apply()).doesNotContain("potions-tmp");
    assertThat(asDeploy).contains("mktemp .ssh/.authorized_keys.XXXXXX", "mv -fT \"$tmp\" .ssh/authorized_keys",
        "if [ -L .ssh ]");
    // The check reads the keys as the deploy user too.
    assertThat(users.check()).contains("runuser -u deploy -- bash -c").contains("[ ! -L /home/deploy ]");
    assertThat(users.check().substring(users.check().indexOf("runuser"))).contains("authorized_keys");
    assertThat(users.check().substring(0, users.check().indexOf("runuser"))).doesNotContain("authorized_keys");
  }

  @Test
  void theDeployUsersKeyWriteReplacesAPlantedLinkInsteadOfWritingThroughIt() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path ssh = Files.createDirectories(home.resolve(".ssh"));
    Path victim = Files.writeString(dir.resolve("ld.so.preload"), "original\n");
    Files.createSymbolicLink(ssh.resolve("authorized_keys"), victim);
    Files.createSymbolicLink(ssh.resolve("authorized_keys.potions-tmp"), victim);

    Run r = bash(BootstrapPlan.deployKeysScript(home.toString(), "ssh-ed25519 AAAA k\n"));

    assertThat(r.status).as(r.output).isZero();
    assertThat(Files.readString(victim)).isEqualTo("original\n");
    assertThat(Files.isSymbolicLink(ssh.resolve("authorized_keys"))).isFalse();
    assertThat(Files.readString(ssh.resolve("authorized_keys"))).isEqualTo("ssh-ed25519 AAAA k\n");
  }

  @Test
  void aSymlinkedSshDirectoryIsRefused() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path elsewhere = Files.createDirectories(dir.resolve("etc"));
    Files.createSymbolicLink(home.resolve(".ssh"), elsewhere);

    Run r = bash(BootstrapPlan.deployKeysScript(home.toString(), "k\n"));

    assertThat(r.status).isNotZero();
    assertThat(r.output).contains(".ssh is a symlink; refusing to follow it");
    try (var files = Files.list(elsewhere)) {
      assertThat(files).isEmpty();
    }
  }

  // ---- route 2: /opt/potions/.potions -> /usr/local/sbin -------------------------------------

  @Test
  void theLayoutChownsOnlyTheTopDirectoryAsRootAndMakesTheRestAsTheDeployUser() {
    BootstrapStep layout = step("layout");
    String asDeploy = BootstrapPlan.deployLayoutScript(List.of(ServerLayout.SLOTS, ServerLayout.STATE));
    String asRoot = withoutComments(layout.apply().replace(Shell.quote(asDeploy), "AS_DEPLOY"));
    assertThat(asRoot).contains("runuser -u deploy -- bash -c AS_DEPLOY");
    assertThat(asRoot).contains("install -d -o deploy -g deploy -m 0755 /opt/potions\n");
    assertThat(asRoot).contains("if [ -L /opt/potions ]");
    assertThat(asRoot).doesNotContain(".potions", ".slots", "chmod", "chown");
    assertThat(asDeploy).contains("if [ -L \"$dir\" ]", "refusing to follow it");
  }

  @Test
  void aSymlinkWhereALayoutDirectoryBelongsIsRefusedAndItsTargetUntouched() throws Exception {
    Path target = Files.createDirectories(dir.resolve("sbin"));
    Files.writeString(target.resolve("potions-admin"), "root's\n");
    Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path state = dir.resolve(".potions");
    Files.createSymbolicLink(state, target);

    Run r = bash(BootstrapPlan.deployLayoutScript(List.of(dir.resolve(".slots").toString(), state.toString())));

    assertThat(r.status).isNotZero();
    assertThat(r.output).contains(state + " is a symlink (to " + target + "), not a directory; refusing to follow it");
    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.readString(target.resolve("potions-admin"))).isEqualTo("root's\n");
  }

  @Test
  void theRootHelperIsInstalledOnlyIntoARootOwnedDirectory() {
    BootstrapStep rights = step("deploy-rights");
    assertThat(rights.apply()).contains("if [ -L /usr/local/sbin ] || [ \"$(stat -c %U /usr/local/sbin 2>/dev/null)\" != root ]");
    assertThat(rights.apply().indexOf("stat -c %U /usr/local/sbin"))
        .isLessThan(rights.apply().indexOf("/usr/local/sbin/potions-admin.potions-"));
    assertThat(rights.check()).contains("[ ! -L /usr/local/sbin ] && [ \"$(stat -c %U /usr/local/sbin)\" = root ]");
  }

  // ---- root's own file writes ---------------------------------------------------------------

  @Test
  void writeFileUsesAFreshTempNameAndNeverFollowsALinkAtEitherPath() throws Exception {
    String snippet = Shell.writeFile("/etc/x.conf", "c", "0644", "root:root");
    assertThat(snippet).contains("mktemp /etc/x.conf.potions-XXXXXX", "chown -h root:root", "mv -fT \"$tmp\" /etc/x.conf");
    assertThat(snippet).doesNotContain("potions-tmp");

    Path victim = Files.writeString(dir.resolve("victim"), "original\n");
    Path file = dir.resolve("f");
    Files.createSymbolicLink(file, victim);
    Files.createSymbolicLink(dir.resolve("f.potions-tmp"), victim);
    String owner = bash("echo \"$(id -un):$(id -gn)\"").output.trim();

    Run r = bash(Shell.writeFile(file.toString(), "new\n", "0640", owner));

    assertThat(r.status).as(r.output).isZero();
    assertThat(Files.readString(victim)).isEqualTo("original\n");
    assertThat(Files.isSymbolicLink(file)).isFalse();
    assertThat(Files.readString(file)).isEqualTo("new\n");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("victim", "f", "f.potions-tmp");
    }
  }

  @Test
  void aFailedWriteStopsTheScriptAndLeavesNoTempFile() throws Exception {
    Run r = bash(Shell.writeFile(dir.resolve("f").toString(), "x", "0640", "no-such-user:no-such-group")
        + "\necho after");
    assertThat(r.status).isNotZero();
    assertThat(r.output).doesNotContain("after");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  // ---- secrets and sizes through the root helper -----------------------------------------------

  @Test
  void theDatabasePasswordReachesPsqlThroughItsEnvironmentNeverItsArguments() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path out = Files.createDirectories(dir.resolve("out"));
    // runuser -u postgres -- psql ...: drop the first three arguments and run the rest.
    fake(bin, "runuser", "shift 3; exec \"$@\"");
    // db-create runs psql twice (the role with its password, then the grants): keep the first call,
    // the one that sets the password, and every call's arguments.
    fake(bin, "psql", "printf '%s\\n' \"$@\" >> " + out + "/argv; [ -e " + out + "/env ] && exit 0; printf '%s' \"$POTIONS_DB_PASSWORD\" > "
        + out + "/env; cat > " + out + "/stdin");
    String password = "s3cret-Pa55word-0123456789abcdef";

    Run r = bash(Files.writeString(scripts.resolve("helper"), SystemFiles.adminHelper()), List.of("db-create", "shop"),
        password + "\n", "PATH=" + bin + ":" + System.getenv("PATH"));

    assertThat(r.status).as(r.output).isZero();
    assertThat(Files.readString(out.resolve("argv"))).doesNotContain(password).contains("db=app_shop");
    assertThat(Files.readString(out.resolve("env"))).isEqualTo(password);
    assertThat(Files.readString(out.resolve("stdin"))).doesNotContain(password)
        .contains("\\getenv pw POTIONS_DB_PASSWORD").contains("PASSWORD :'pw'");
    assertThat(SystemFiles.adminHelper()).doesNotContain("pw=\"$pw\"");
  }

  @Test
  void theEnvHelperRefusesContentOverTheLimitInsteadOfCuttingIt() throws Exception {
    Path envDir = dir.resolve("env");
    String helper = SystemFiles.adminHelper().replace("ENV_DIR=/etc/potions/env", "ENV_DIR=" + envDir);
    assertThat(helper).contains("head -c $((" + EnvFile.MAX_BYTES + " + 1))").doesNotContain("head -c 1048576 >");
    Path script = Files.writeString(scripts.resolve("helper"), helper);

    String line = "A=\"" + "x".repeat(1000) + "\"\n";
    String atLimit = line.repeat(EnvFile.MAX_BYTES / line.length());
    atLimit += "B=" + "y".repeat(EnvFile.MAX_BYTES - atLimit.length() - 3) + "\n";
    assertThat(atLimit.length()).isEqualTo(EnvFile.MAX_BYTES);
    Run ok = bash(script, List.of("env", "shop", "blue"), atLimit, null);
    assertThat(ok.status).as(ok.output).isZero();
    assertThat(Files.size(envDir.resolve("shop-blue"))).isEqualTo(EnvFile.MAX_BYTES);

    Run over = bash(script, List.of("env", "shop", "green"), atLimit + "C=1\n", null);
    assertThat(over.status).isEqualTo(64);
    assertThat(over.output).contains("env content is over the limit of " + EnvFile.MAX_BYTES + " bytes");
    assertThat(envDir.resolve("shop-green")).doesNotExist();
    try (var files = Files.list(envDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("shop-blue");
    }
  }

  // ---- ShellCheck on the scripts that run as the deploy user (bash -c arguments) -------------

  @Test
  void theDeployUserPartsPassShellCheck() throws Exception {
    Map<String, String> scripts = new LinkedHashMap<>();
    scripts.put("users-keys", BootstrapPlan.deployKeysScript("/home/deploy", "k\n"));
    scripts.put("layout-user", BootstrapPlan.deployLayoutScript(List.of(ServerLayout.SLOTS, ServerLayout.STATE)));
    ShellCheck.assertClean(scripts);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private record Run(int status, String output) {}

  private static String withoutComments(String script) {
    return String.join("\n", script.lines().filter(l -> !l.trim().startsWith("#")).toList()) + "\n";
  }

  private static void fake(Path bin, String name, String body) throws Exception {
    Path p = Files.writeString(bin.resolve(name), "#!/bin/bash\n" + body + "\n");
    p.toFile().setExecutable(true);
  }

  private Run bash(String script) throws Exception {
    return bash(Files.writeString(scripts.resolve("script-" + System.nanoTime() + ".sh"), "set -euo pipefail\n" + script),
        List.of(), "", null);
  }

  private static Run bash(Path script, List<String> args, String stdin, String env) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (env != null) {
      String[] kv = env.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    Process p = pb.start();
    Thread feeder = new Thread(() -> {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (java.io.IOException ignored) {
        // the script may stop reading early (that is what the size limit does)
      }
    });
    feeder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    feeder.join();
    return new Run(p.exitValue(), output);
  }
}
