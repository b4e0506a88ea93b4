package io.potions.ssh;

import io.potions.PotionsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host keys of the servers this SDK created, pinned at creation (it generated them), in
 * OpenSSH {@code known_hosts} format, so later runs on this machine connect without trust on first use.
 */
public final class KnownHosts {
  private final Path file;

  /** @param file where the keys are kept */
  public KnownHosts(Path file) {
    this.file = file;
  }

  /** @return the file */
  public Path file() {
    return file;
  }

  /**
   * Pins {@code publicKey} as the only key of that host and port.
   *
   * @param host host or IP
   * @param port SSH port
   * @param publicKey the host's public key line
   */
  public synchronized void remember(String host, int port, String publicKey) {
    update(host, port, publicKey, false);
  }

  /**
   * Pins {@code publicKey} beside the keys already pinned for that host and port (a host key
   * rotation pins the new key before the server switches to it, then drops the old one).
   *
   * @param host host or IP
   * @param port SSH port
   * @param publicKey the host's public key line
   */
  public synchronized void rememberAlso(String host, int port, String publicKey) {
    update(host, port, publicKey, true);
  }

  private void update(String host, int port, String publicKey, boolean keepOthers) {
    String name = entryName(host, port);
    String[] parts = publicKey.trim().split("\\s+");
    String line = name + " " + parts[0] + " " + parts[1];
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      List<String> kept = new ArrayList<>();
      if (Files.exists(file)) {
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] cols = l.trim().split("\\s+");
          boolean sameHost = l.startsWith(name + " ");
          boolean sameKey = cols.length >= 3 && cols[1].equals(parts[0]) && cols[2].equals(parts[1]);
          if (!sameHost || (keepOthers && !sameKey)) {
            kept.add(l);
          }
        }
      }
      kept.add(line.trim());
      writeAtomically(dir, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PotionsException("Could not record the host key in " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param host host or IP
   * @param port SSH port
   * @return a policy pinning the remembered keys, if any
   */
  public Optional<HostKeyPolicy> policyFor(String host, int port) {
    List<String> keys = keysFor(host, port);
    return keys.isEmpty() ? Optional.empty() : Optional.of(HostKeyPolicy.pinned(keys));
  }

  /**
   * @param host host or IP
   * @param port SSH port
   * @return the remembered public key lines for that host and port, possibly none
   */
  public synchronized List<String> keysFor(String host, int port) {
    String name = entryName(host, port);
    List<String> keys = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] parts = l.trim().split("\\s+", 2);
          if (parts.length == 2 && parts[0].equals(name)) {
            keys.add(parts[1]);
          }
        }
      }
    } catch (IOException e) {
      throw new PotionsException("Could not read " + file + ": " + e.getMessage(), e);
    }
    return keys;
  }

  /**
   * Replaces the file in one step: the new content goes to a temporary file in the same directory
   * (same file system), which is then renamed over the old one. A crash or a concurrent reader
   * sees the old file or the new one, never a truncated or half-written one.
   */
  private void writeAtomically(Path dir, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        Files.move(tmp, file.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot replace files atomically", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The host column of a known_hosts line, as OpenSSH writes it. */
  private static String entryName(String host, int port) {
    return port == 22 ? host : "[" + host + "]:" + port;
  }
}
