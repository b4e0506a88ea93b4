package io.potions.internal.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.potions.spi.RemoteCommand;
import io.potions.ssh.SshIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotation scripts as rendered, run under bash on a temporary SSH directory with the real
 * ssh-keygen and stubs for sshd, systemctl and ssh-keyscan: what they generate, where, what they
 * refuse, and that every step can run again after a crash.
 */
class HostKeyRotationScriptTest {
  @TempDir Path dir;
  private Path ssh;
  private Path cloud;
  private String userDataKey;

  @BeforeEach
  void aServerAsCloudInitLeftIt() throws IOException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "ssh-keygen is needed");
    ssh = Files.createDirectories(dir.resolve("etc-ssh"));
    cloud = dir.resolve("var-lib-cloud");
    Files.createDirectories(cloud.resolve("instances/i-1"));
    Files.writeString(cloud.resolve("instances/i-1/user-data.txt"), "#cloud-config\nssh_keys: SECRET\n");
    Files.writeString(cloud.resolve("instances/i-1/user-data.txt.i"), "MIME SECRET\n");
    SshIdentity fromUserData = SshIdentity.generateEd25519("ud");
    fromUserData.writePrivateKey(ssh.resolve("ssh_host_ed25519_key"));
    userDataKey = HostKeyRotation.typeAndKey(fromUserData.publicKey());
    Files.writeString(ssh.resolve("ssh_host_rsa_key"), "an image's rsa key\n");
    Files.writeString(ssh.resolve("ssh_host_rsa_key.pub"), "ssh-rsa AAAA\n");
    Path stubs = Files.createDirectories(dir.resolve("stubs"));
    stub(stubs, "sshd", "echo \"sshd $*\" >> \"$CALLS\"");
    stub(stubs, "systemctl", "echo \"systemctl $*\" >> \"$CALLS\"");
    // What the reloaded sshd would present.
    stub(stubs, "ssh-keyscan", "echo \"127.0.0.1 $(cat \"$SSH_DIR/ssh_host_ed25519_key.pub\")\"");
  }

  @Test
  void theRenderedCommandsRunAsRootAndNameTheirDirectories() {
    RemoteCommand stage = HostKeyRotation.stage();
    assertThat(stage.runsAsRoot()).isTrue();
    assertThat(stage.script()).contains("ssh_dir=/etc/ssh\n")
        .contains("ssh-keygen -q -t ed25519 -N '' -C potions-host -f \"$stage_dir/new\"")
        .contains("install -d -m 0700 \"$stage_dir\"").doesNotContain("@@");
    RemoteCommand activate = HostKeyRotation.activate("ssh-ed25519 AAAAC3Nza comment");
    assertThat(activate.runsAsRoot()).isTrue();
    assertThat(activate.script()).contains("expected='ssh-ed25519 AAAAC3Nza'\n")
        .contains("cloud_dir=/var/lib/cloud\n").contains("mv -f \"$staged\" \"$active\"").doesNotContain("@@");
    assertThat(HostKeyRotation.STAGE_DIR).isEqualTo("/etc/ssh/potions-host-key");
  }

  @Test
  void stagingGeneratesANewKeyInARootOnlyDirectoryAndLeavesSshdOnTheOldOne() throws Exception {
    Run first = run(HostKeyRotation.stage(ssh.toString()));
    assertThat(first.exit).as(first.stderr).isZero();
    HostKeyRotation.Staged staged = parse(first);
    assertThat(staged.rotated()).isFalse();
    assertThat(staged.publicKey()).startsWith("ssh-ed25519 ").isNotEqualTo(userDataKey);
    Path stageDir = ssh.resolve("potions-host-key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stageDir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        stageDir.resolve("ssh_host_ed25519_key")))).isEqualTo("rw-------");
    try (var files = Files.list(stageDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ssh_host_ed25519_key");
    }
    assertThat(activeKey()).isEqualTo(userDataKey);

    // The SDK died before pinning it: the next run finds the same staged key.
    assertThat(parse(run(HostKeyRotation.stage(ssh.toString())))).isEqualTo(staged);
  }

  @Test
  void activationMakesThePinnedKeyTheOnlyHostKeyReloadsSshdAndScrubsTheUserData() throws Exception {
    String newKey = parse(run(HostKeyRotation.stage(ssh.toString()))).publicKey();

    Run activated = run(HostKeyRotation.activate(newKey, ssh.toString(), cloud.toString()));

    assertThat(activated.exit).as(activated.stderr).isZero();
    assertThat(activated.stdout).contains("POTIONS_HOST_KEY=active " + newKey);
    assertThat(activeKey()).isEqualTo(newKey);
    assertThat(Files.readString(ssh.resolve("ssh_host_ed25519_key.pub"))).startsWith(newKey + " ");
    assertThat(Files.readString(ssh.resolve("sshd_config.d/00-potions-host-key.conf")))
        .contains("\nHostKey " + ssh.resolve("ssh_host_ed25519_key") + "\n");
    assertThat(ssh.resolve("ssh_host_rsa_key")).doesNotExist();
    assertThat(ssh.resolve("ssh_host_rsa_key.pub")).doesNotExist();
    assertThat(ssh.resolve("potions-host-key/ssh_host_ed25519_key")).doesNotExist();
    assertThat(activated.calls).isEqualTo("sshd -t\nsystemctl reload ssh\n");
    assertThat(Files.readString(cloud.resolve("instances/i-1/user-data.txt"))).doesNotContain("SECRET");
    assertThat(Files.readString(cloud.resolve("instances/i-1/user-data.txt.i"))).doesNotContain("SECRET");
    try (var files = Files.walk(ssh)) {
      assertThat(files.map(Path::toString)).noneMatch(p -> p.endsWith(".potions-tmp"));
    }

    // Staged again: the server says it is done, and on which key.
    assertThat(parse(run(HostKeyRotation.stage(ssh.toString()))))
        .isEqualTo(new HostKeyRotation.Staged(true, newKey));
    // Activated again (a crash before the SDK saw it finish): it finishes, and changes no key.
    Run again = run(HostKeyRotation.activate(newKey, ssh.toString(), cloud.toString()));
    assertThat(again.exit).as(again.stderr).isZero();
    assertThat(activeKey()).isEqualTo(newKey);
  }

  @Test
  void activationRefusesAKeyTheSdkDidNotPin() throws Exception {
    String staged = parse(run(HostKeyRotation.stage(ssh.toString()))).publicKey();
    String other = HostKeyRotation.typeAndKey(SshIdentity.generateEd25519("other").publicKey());

    Run refused = run(HostKeyRotation.activate(other, ssh.toString(), cloud.toString()));

    assertThat(refused.exit).isNotZero();
    assertThat(refused.stderr).contains("not the one the SDK pinned");
    assertThat(activeKey()).isEqualTo(userDataKey);
    assertThat(refused.calls).isEmpty();
    assertThat(parse(run(HostKeyRotation.stage(ssh.toString()))).publicKey()).isEqualTo(staged);
  }

  @Test
  void aKeyPutBackFromUserDataIsRotatedAgain() throws Exception {
    String newKey = parse(run(HostKeyRotation.stage(ssh.toString()))).publicKey();
    assertThat(run(HostKeyRotation.activate(newKey, ssh.toString(), cloud.toString())).exit).isZero();
    // A snapshot booted with user data again: the marker names a key sshd no longer has.
    SshIdentity.generateEd25519("ud2").writePrivateKey(ssh.resolve("ssh_host_ed25519_key"));

    HostKeyRotation.Staged again = parse(run(HostKeyRotation.stage(ssh.toString())));

    assertThat(again.rotated()).isFalse();
    assertThat(again.publicKey()).isNotEqualTo(newKey);
  }

  @Test
  void aStagingDirectoryThatIsASymlinkIsRefused() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createSymbolicLink(ssh.resolve("potions-host-key"), elsewhere);

    Run refused = run(HostKeyRotation.stage(ssh.toString()));

    assertThat(refused.exit).isNotZero();
    assertThat(refused.stderr).contains("not a plain directory");
    try (var files = Files.list(elsewhere)) {
      assertThat(files).isEmpty();
    }
  }

  private String activeKey() throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", ssh.resolve("ssh_host_ed25519_key").toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return HostKeyRotation.typeAndKey(out);
  }

  private static HostKeyRotation.Staged parse(Run run) {
    assertThat(run.exit).as(run.stderr).isZero();
    return HostKeyRotation.parse(new io.potions.ssh.ExecResult(run.exit, run.stdout.lines().toList(), List.of(),
        java.time.Duration.ZERO));
  }

  private Run run(RemoteCommand command) throws Exception {
    Path calls = dir.resolve("calls");
    Files.deleteIfExists(calls);
    ProcessBuilder pb = new ProcessBuilder(bash(), "-c", "set -euo pipefail\n" + command.script());
    pb.environment().put("PATH", dir.resolve("stubs") + ":/usr/bin:/bin");
    pb.environment().put("CALLS", calls.toString());
    pb.environment().put("SSH_DIR", ssh.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), stdout, stderr, Files.exists(calls) ? Files.readString(calls) : "");
  }

  private static void stub(Path stubs, String name, String body) throws IOException {
    Path stub = stubs.resolve(name);
    Files.writeString(stub, "#!" + bash() + "\n" + body + "\n");
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
  }

  private static String bash() {
    return Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/usr/bin/bash";
  }

  private record Run(int exit, String stdout, String stderr, String calls) {}
}
