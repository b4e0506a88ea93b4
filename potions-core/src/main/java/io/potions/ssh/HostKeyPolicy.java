package io.potions.ssh;

import io.potions.InvalidInputException;
import io.potions.ssh.KnownHosts;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * How the SDK decides that the server it reached is the server it meant. There is deliberately no
 * accept-everything policy: either the host key is pinned, or the caller opts in to trust on first
 * use with a file that remembers the key and refuses it changing later.
 */
public abstract class HostKeyPolicy {
  HostKeyPolicy() {}

  /**
   * Accepts only the given host keys.
   *
   * @param openSshPublicKeys host public keys as OpenSSH lines ({@code ssh-ed25519 AAAA... [comment]})
   * @return the policy
   */
  public static HostKeyPolicy pinned(Collection<String> openSshPublicKeys) {
    if (openSshPublicKeys.isEmpty()) {
      throw new InvalidInputException("pinned(...) needs at least one host key, such as the line"
          + " 'ssh-keyscan -t ed25519 HOST' prints (without the host name).");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (String line : openSshPublicKeys) {
      keys.add(parse(line));
    }
    return new Pinned(List.copyOf(keys));
  }

  /**
   * Accepts only the given host keys.
   *
   * @param openSshPublicKeys host public keys as OpenSSH lines
   * @return the policy
   */
  public static HostKeyPolicy pinned(String... openSshPublicKeys) {
    return pinned(List.of(openSshPublicKeys));
  }

  /**
   * Trusts the key a host presents the first time and records it in {@code knownHostsFile}; from then
   * on only that key is accepted for that host and port. Use it only where the first connection is
   * known to be safe.
   *
   * @param knownHostsFile where keys are remembered, in OpenSSH {@code known_hosts} format
   * @return the policy
   */
  public static HostKeyPolicy trustOnFirstUse(Path knownHostsFile) {
    return new TrustOnFirstUse(knownHostsFile);
  }

  /**
   * @param host the host as the caller named it
   * @param port the SSH port
   * @param presented the key the server presented
   * @return empty when accepted, otherwise why it is refused
   */
  public abstract Optional<String> refusal(String host, int port, PublicKey presented);

  /**
   * @param line an OpenSSH public key line
   * @return the key
   */
  static PublicKey parse(String line) {
    try {
      return PublicKeyEntry.parsePublicKeyEntry(line.trim()).resolvePublicKey(
          null, null, null);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidInputException("Not an OpenSSH public key: '" + abbreviate(line)
          + "'. Expected a line such as 'ssh-ed25519 AAAAC3Nza...'.");
    }
  }

  /**
   * @param key a public key
   * @return its OpenSSH single-line form
   */
  public static String toOpenSsh(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }

  static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(key);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  static String changedKeyMessage(String host, int port, List<PublicKey> expected, PublicKey presented) {
    return "The host key of " + host + ":" + port + " has CHANGED: it presented "
        + fingerprint(presented) + " but the pinned key is "
        + expected.stream().map(HostKeyPolicy::fingerprint).toList()
        + ". Nothing was sent to it. Either the server was rebuilt (then pin its new key, after checking"
        + " it on the server's console with 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub'),"
        + " or someone is intercepting the connection.";
  }

  private static final class Pinned extends HostKeyPolicy {
    private final List<PublicKey> keys;

    Pinned(List<PublicKey> keys) {
      this.keys = keys;
    }

    @Override
    public Optional<String> refusal(String host, int port, PublicKey presented) {
      for (PublicKey key : keys) {
        if (KeyUtils.compareKeys(key, presented)) {
          return Optional.empty();
        }
      }
      return Optional.of(changedKeyMessage(host, port, keys, presented));
    }

    @Override
    public String toString() {
      return "pinned" + keys.stream().map(HostKeyPolicy::fingerprint).toList();
    }
  }

  private static final class TrustOnFirstUse extends HostKeyPolicy {
    private final KnownHosts knownHosts;

    TrustOnFirstUse(Path file) {
      this.knownHosts = new KnownHosts(file);
    }

    @Override
    public synchronized Optional<String> refusal(String host, int port, PublicKey presented) {
      List<PublicKey> known = new ArrayList<>();
      for (String line : knownHosts.keysFor(host, port)) {
        known.add(parse(line));
      }
      if (known.isEmpty()) {
        knownHosts.remember(host, port, toOpenSsh(presented));
        return Optional.empty();
      }
      for (PublicKey key : known) {
        if (KeyUtils.compareKeys(key, presented)) {
          return Optional.empty();
        }
      }
      return Optional.of(changedKeyMessage(host, port, known, presented)
          + " The remembered key is in " + knownHosts.file() + ".");
    }

    @Override
    public String toString() {
      return "trustOnFirstUse[" + knownHosts.file() + "]";
    }
  }
}
