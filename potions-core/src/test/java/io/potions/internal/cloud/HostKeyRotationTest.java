package io.potions.internal.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.PotionsException;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.RemoteProcess;
import io.potions.ssh.ExecResult;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.KnownHosts;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import io.potions.ssh.SshIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's side of the host key rotation, against an in-memory server that keeps the same state as
 * the scripts (active key, staged key, marker): the new key is pinned before sshd switches to it,
 * the user-data key is dropped only after a reconnect, and a run that died at any point is finished
 * by the next one without ever leaving sshd on a key known_hosts lacks.
 */
class HostKeyRotationTest {
  private static final String HOST = "203.0.113.7";
  private static final int PORT = 22;

  @TempDir Path home;
  private KnownHosts knownHosts;
  private FakeSshd server;
  private String userDataKey;

  @BeforeEach
  void aServerCreatedWithUserData() {
    knownHosts = new KnownHosts(home.resolve("known_hosts"));
    userDataKey = key("user-data");
    knownHosts.remember(HOST, PORT, userDataKey);
    knownHosts.remember("198.51.100.1", PORT, key("another server"));
    server = new FakeSshd(userDataKey);
  }

  @Test
  void firstContactPinsTheNewKeyBesideTheOldBeforeSshdSwitchesThenOnlyTheNew() {
    HostKeyRotation.Outcome outcome = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);

    assertThat(outcome.mustReconnect()).isTrue();
    assertThat(outcome.hostKey()).isEqualTo(server.active).isNotEqualTo(userDataKey);
    // At the moment sshd switched, both keys were pinned: a crash there still connects.
    assertThat(server.pinnedWhenActivated).containsExactlyInAnyOrder(userDataKey, outcome.hostKey());

    HostKeyRotation.confirm(knownHosts, HOST, PORT, outcome.hostKey());

    assertThat(knownHosts.keysFor(HOST, PORT)).containsExactly(outcome.hostKey());
    HostKeyPolicy policy = knownHosts.policyFor(HOST, PORT).orElseThrow();
    assertThat(policy.refusal(HOST, PORT, parse(outcome.hostKey()))).isEmpty();
    assertThat(policy.refusal(HOST, PORT, parse(userDataKey))).get().asString().contains("CHANGED");
    assertThat(knownHosts.keysFor("198.51.100.1", PORT)).hasSize(1);
  }

  @Test
  void aServerAlreadyRotatedIsLeftAloneAndAStaleUserDataPinIsDropped() {
    HostKeyRotation.Outcome first = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);
    server.reload();
    // The SDK died after the switch, before its reconnect: both keys are still pinned.
    assertThat(knownHosts.keysFor(HOST, PORT)).hasSize(2);
    int commands = server.commands.size();

    HostKeyRotation.Outcome again = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);

    assertThat(again).isEqualTo(new HostKeyRotation.Outcome(false, first.hostKey()));
    assertThat(server.commands.subList(commands, server.commands.size())).containsExactly("stage");
    assertThat(knownHosts.keysFor(HOST, PORT)).containsExactly(first.hostKey());
  }

  @Test
  void aRunThatDiedBeforePinningTheStagedKeyPinsAndActivatesTheSameKey() {
    String staged = HostKeyRotation.parse(server.require(HostKeyRotation.stage())).publicKey();
    // ...the SDK died here: known_hosts has only the user-data key, and sshd still presents it.

    HostKeyRotation.Outcome outcome = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);

    assertThat(outcome.hostKey()).isEqualTo(staged);
    assertThat(server.pinnedWhenActivated).containsExactlyInAnyOrder(userDataKey, staged);
  }

  @Test
  void aRotationWhoseSshdWasNeverReloadedIsActivatedAgain() {
    HostKeyRotation.Outcome first = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);
    // The key and the marker are in place, but sshd still presents the user-data key.
    assertThat(server.presented()).isEqualTo(userDataKey);

    HostKeyRotation.Outcome again = HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT);

    assertThat(again).isEqualTo(new HostKeyRotation.Outcome(true, first.hostKey()));
    assertThat(server.commands).containsExactly("stage", "activate", "stage", "activate");
  }

  @Test
  void aFailedActivationKeepsTheOldKeyPinned() {
    server.failActivation = true;

    assertThatThrownBy(() -> HostKeyRotation.rotate(server, server.presented(), knownHosts, HOST, PORT))
        .isInstanceOf(RemoteCommandException.class);

    assertThat(knownHosts.keysFor(HOST, PORT)).contains(userDataKey);
  }

  @Test
  void stageOutputIsParsedStrictly() {
    String k = HostKeyRotation.typeAndKey(key("k"));
    assertThat(HostKeyRotation.parse(result("noise", "POTIONS_HOST_KEY=staged " + k)))
        .isEqualTo(new HostKeyRotation.Staged(false, k));
    assertThat(HostKeyRotation.parse(result("POTIONS_HOST_KEY=rotated " + k)))
        .isEqualTo(new HostKeyRotation.Staged(true, k));
    assertThatThrownBy(() -> HostKeyRotation.parse(result("nothing"))).isInstanceOf(PotionsException.class);
    assertThatThrownBy(() -> HostKeyRotation.parse(result("POTIONS_HOST_KEY=staged ssh-rsa AAAA")))
        .isInstanceOf(PotionsException.class);
    assertThatThrownBy(() -> HostKeyRotation.parse(result("POTIONS_HOST_KEY=gone " + k)))
        .isInstanceOf(PotionsException.class);
  }

  @Test
  void knownHostsWritesLeaveNoTemporaryFilesAndDoNotDuplicateKeys() throws Exception {
    String extra = key("extra");
    knownHosts.rememberAlso(HOST, PORT, extra);
    knownHosts.rememberAlso(HOST, PORT, extra);
    assertThat(knownHosts.keysFor(HOST, PORT)).containsExactly(userDataKey, HostKeyRotation.typeAndKey(extra));
    try (var files = Files.list(home)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("known_hosts");
    }
  }

  private static String key(String comment) {
    return HostKeyRotation.typeAndKey(SshIdentity.generateEd25519(comment).publicKey());
  }

  private static java.security.PublicKey parse(String line) {
    try {
      return org.apache.sshd.common.config.keys.PublicKeyEntry.parsePublicKeyEntry(line)
          .resolvePublicKey(null, null, null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ExecResult result(String... stdout) {
    return new ExecResult(0, List.of(stdout), List.of(), Duration.ZERO);
  }

  /** A server's sshd and the scripts' state, in memory: what the two rotation scripts do to it. */
  private final class FakeSshd implements RemoteExecutor {
    private static final Pattern EXPECTED = Pattern.compile("(?m)^expected='([^']*)'$");
    final List<String> commands = new ArrayList<>();
    String presentedBySshd;
    String active;
    String staged;
    String marker;
    boolean failActivation;
    List<String> pinnedWhenActivated;

    FakeSshd(String key) {
      this.presentedBySshd = key;
      this.active = key;
    }

    String presented() {
      return presentedBySshd;
    }

    void reload() {
      presentedBySshd = active;
    }

    @Override
    public String host() {
      return HOST;
    }

    @Override
    public ExecResult run(RemoteCommand command, OutputListener listener) {
      if (command.script().contains("step 1 of 2")) {
        commands.add("stage");
        if (active.equals(marker)) {
          return result("POTIONS_HOST_KEY=rotated " + active);
        }
        if (staged == null) {
          staged = key("staged");
        }
        return result("POTIONS_HOST_KEY=staged " + staged);
      }
      if (command.script().contains("step 2 of 2")) {
        commands.add("activate");
        Matcher m = EXPECTED.matcher(command.script());
        assertThat(m.find()).isTrue();
        String expected = m.group(1);
        if (failActivation) {
          return new ExecResult(1, List.of(), List.of("sshd rejected its configuration"), Duration.ZERO);
        }
        pinnedWhenActivated = knownHosts.keysFor(HOST, PORT);
        if (staged != null && staged.equals(expected)) {
          active = staged;
          staged = null;
        } else if (!active.equals(expected)) {
          return new ExecResult(1, List.of(), List.of("not the one the SDK pinned"), Duration.ZERO);
        }
        marker = active;
        // The reload is what a crash can skip: tests call reload() when it happened.
        return result("POTIONS_HOST_KEY=active " + active);
      }
      throw new AssertionError("unexpected command " + command);
    }

    @Override
    public ExecResult require(RemoteCommand command) {
      ExecResult r = run(command, OutputListener.IGNORE);
      if (!r.ok()) {
        throw new RemoteCommandException(command.what() + " failed: " + r.tail(5));
      }
      return r;
    }

    @Override
    public void upload(byte[] content, String remotePath, int mode) {
      throw new AssertionError("no uploads");
    }

    @Override
    public void upload(Path local, String remotePath, int mode) {
      throw new AssertionError("no uploads");
    }

    @Override
    public List<Optional<String>> read(List<String> remotePaths) {
      throw new AssertionError("no reads");
    }

    @Override
    public RemoteProcess hold(RemoteCommand command, OutputListener listener) {
      throw new AssertionError("nothing held");
    }
  }
}
