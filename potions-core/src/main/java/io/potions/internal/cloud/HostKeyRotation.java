package io.potions.internal.cloud;

import io.potions.PotionsException;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import io.potions.ssh.KnownHosts;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Replaces the host key a cloud server got in its user data with one generated on the server, right
 * after the SDK's first contact. User data is served by the cloud's metadata service to any process
 * on the server, so its host key cannot stay the server's identity; once rotated, the key in user
 * data opens nothing.
 *
 * <p>The order makes it crash-safe. {@link #stage()} generates the new key beside the old one
 * (sshd keeps presenting the old one); the SDK pins the new key <em>in addition</em> to the old; only
 * then {@link #activate(String)} makes it sshd's only host key; the SDK reconnects verifying the new
 * key and only then forgets the old one. Wherever the SDK dies, the key sshd presents is one
 * {@code known_hosts} holds, and running the rotation again finishes it.
 */
public final class HostKeyRotation {
  /** sshd's directory: the host key, and the root-only {@code potions-host-key/} staging directory. */
  static final String SSH_DIR = "/etc/ssh";
  /** Root-only directory holding the staged key and the marker of a finished rotation. */
  public static final String STAGE_DIR = SSH_DIR + "/potions-host-key";
  /** The sshd drop-in naming the only host key sshd presents. */
  public static final String DROP_IN = SSH_DIR + "/sshd_config.d/00-potions-host-key.conf";
  /** cloud-init's state, where it keeps copies of the user data. */
  static final String CLOUD_DIR = "/var/lib/cloud";
  /** The marker line the scripts print. */
  static final String MARKER = "POTIONS_HOST_KEY";

  private static final Duration LIMIT = Duration.ofMinutes(1);

  private HostKeyRotation() {}

  /**
   * Step 1: stage a new host key on the server (or find the one staged by an earlier, interrupted
   * run), or report that the server already rotated. Parse its output with {@link #parse}.
   *
   * @return the command, run as root
   */
  public static RemoteCommand stage() {
    return stage(SSH_DIR);
  }

  /** The same, on another SSH directory (tests run the script on a temporary one). */
  static RemoteCommand stage(String sshDir) {
    String script = ScriptTemplate.load(HostKeyRotation.class, "/io/potions/scripts/cloud/host-key-stage.sh")
        .quoted("SSH_DIR", sshDir)
        .quoted("COMMENT", "potions-host")
        .render();
    return RemoteCommand.of("Staging a new SSH host key", script).asRoot().limit(LIMIT);
  }

  /**
   * Step 2: make the staged key sshd's only host key, reload sshd and scrub cloud-init's copies of
   * the user data. Refuses unless the staged (or already active) key is {@code pinnedKey}.
   *
   * @param pinnedKey the staged key's public line, already pinned by the SDK
   * @return the command, run as root
   */
  public static RemoteCommand activate(String pinnedKey) {
    return activate(pinnedKey, SSH_DIR, CLOUD_DIR);
  }

  /** The same, on other directories (tests run the script on temporary ones). */
  static RemoteCommand activate(String pinnedKey, String sshDir, String cloudDir) {
    String script = ScriptTemplate.load(HostKeyRotation.class, "/io/potions/scripts/cloud/host-key-activate.sh")
        .quoted("SSH_DIR", sshDir)
        .quoted("CLOUD_DIR", cloudDir)
        .quoted("EXPECTED", typeAndKey(pinnedKey))
        .render();
    return RemoteCommand.of("Switching sshd to the new SSH host key", script).asRoot().limit(LIMIT);
  }

  /**
   * Reads what {@link #stage()} printed.
   *
   * @param result the stage command's result
   * @return the server's rotation state
   * @throws PotionsException when the output has no well-formed marker
   */
  public static Staged parse(ExecResult result) {
    String value = result.marker(MARKER).orElseThrow(() -> new PotionsException(
        "The host key rotation printed no " + MARKER + " line:\n" + result.tail(10)));
    String[] parts = value.split("\\s+");
    if (parts.length != 3 || !(parts[0].equals("staged") || parts[0].equals("rotated"))
        || !parts[1].equals("ssh-ed25519")) {
      throw new PotionsException("Unexpected host key rotation output: " + value);
    }
    return new Staged(parts[0].equals("rotated"), parts[1] + " " + parts[2]);
  }

  /**
   * Runs the rotation on a connection that is already authenticated against a pinned key, up to the
   * point where the caller must reconnect: stage, pin the new key beside the old ones, activate.
   * When the server already rotated and presents that key, it only drops older pins.
   *
   * @param executor the connection, logged in as root
   * @param presentedKey the host key this connection was verified with
   * @param knownHosts where the SDK pins host keys
   * @param host the host as pinned
   * @param port the SSH port
   * @return what happened; when {@link Outcome#mustReconnect()}, the caller reconnects pinning only
   *     {@link Outcome#hostKey()} and then calls {@link #confirm}
   */
  public static Outcome rotate(RemoteExecutor executor, String presentedKey, KnownHosts knownHosts, String host,
      int port) {
    Staged staged = parse(executor.require(stage()));
    if (staged.rotated() && sameKey(staged.publicKey(), presentedKey)) {
      // Done before; a run that died before forgetting the user-data key finishes here.
      List<String> pinned = knownHosts.keysFor(host, port);
      if (pinned.size() != 1 || !sameKey(pinned.get(0), staged.publicKey())) {
        knownHosts.remember(host, port, staged.publicKey());
      }
      return new Outcome(false, staged.publicKey());
    }
    // Pinned before sshd switches to it: whichever key the server presents next, it is pinned.
    knownHosts.rememberAlso(host, port, staged.publicKey());
    executor.require(activate(staged.publicKey()));
    return new Outcome(true, staged.publicKey());
  }

  /**
   * After a reconnect verified the new key: pin only it, so the key in user data is refused.
   *
   * @param knownHosts where the SDK pins host keys
   * @param host the host as pinned
   * @param port the SSH port
   * @param newKey the key the reconnect verified
   */
  public static void confirm(KnownHosts knownHosts, String host, int port, String newKey) {
    knownHosts.remember(host, port, newKey);
  }

  /**
   * @param a an OpenSSH public key line
   * @param b another
   * @return true when both name the same key (comments ignored)
   */
  static boolean sameKey(String a, String b) {
    return typeAndKey(a).equals(typeAndKey(b));
  }

  /** The key type and base64 blob of an OpenSSH public key line, without the comment. */
  static String typeAndKey(String publicKey) {
    String[] parts = Objects.requireNonNull(publicKey, "publicKey").trim().split("\\s+");
    if (parts.length < 2) {
      throw new IllegalArgumentException("not an OpenSSH public key line");
    }
    return parts[0] + " " + parts[1];
  }

  /**
   * What {@link #stage()} reported.
   *
   * @param rotated true when the server already rotated (then {@code publicKey} is its active key)
   * @param publicKey the staged key, or the active one after a rotation
   */
  public record Staged(boolean rotated, String publicKey) {}

  /**
   * What {@link #rotate} did.
   *
   * @param mustReconnect true when sshd switched keys: reconnect verifying {@code hostKey}, then
   *     {@link #confirm}
   * @param hostKey the server's host key from now on
   */
  public record Outcome(boolean mustReconnect, String hostKey) {}
}
