package io.potions.ssh;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The key the SDK logs in with: an ed25519 key it generates, or an existing OpenSSH private key the
 * user points to. {@link #toString()} shows only the fingerprint.
 */
public final class SshIdentity {
  private final KeyPair keyPair;
  private final String comment;

  private SshIdentity(KeyPair keyPair, String comment) {
    this.keyPair = keyPair;
    this.comment = comment;
  }

  /**
   * Generates a new ed25519 key pair.
   *
   * @param comment the comment stored with the public key, such as {@code potions@laptop}
   * @return a new identity
   */
  public static SshIdentity generateEd25519(String comment) {
    try {
      return new SshIdentity(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256), comment);
    } catch (GeneralSecurityException e) {
      throw new PotionsException("Could not generate an ed25519 key: " + e.getMessage(), e);
    }
  }

  /**
   * Loads an existing OpenSSH (or PEM) private key without a passphrase.
   *
   * @param privateKeyFile the private key, such as {@code ~/.ssh/id_ed25519}
   * @return the identity
   */
  public static SshIdentity fromFile(Path privateKeyFile) {
    return fromFile(privateKeyFile, null);
  }

  /**
   * Loads an existing OpenSSH (or PEM) private key.
   *
   * @param privateKeyFile the private key, such as {@code ~/.ssh/id_ed25519}
   * @param passphrase its passphrase, or {@code null} when it has none
   * @return the identity
   */
  public static SshIdentity fromFile(Path privateKeyFile, char[] passphrase) {
    if (!Files.isReadable(privateKeyFile)) {
      throw new InvalidInputException("SSH private key " + privateKeyFile
          + " does not exist or cannot be read. Point to an OpenSSH private key such as ~/.ssh/id_ed25519,"
          + " or let the SDK generate one with SshIdentity.generateEd25519(...).");
    }
    FilePasswordProvider passwords = passphrase == null
        ? FilePasswordProvider.EMPTY
        : FilePasswordProvider.of(new String(passphrase));
    try (InputStream in = Files.newInputStream(privateKeyFile)) {
      Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(
          null, new PathResource(privateKeyFile), in, passwords);
      Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
      if (it == null || !it.hasNext()) {
        throw new InvalidInputException("No private key found in " + privateKeyFile
            + ". Point to a private key file (not the .pub file).");
      }
      return new SshIdentity(it.next(), commentOf(privateKeyFile));
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidInputException("Could not read the SSH private key " + privateKeyFile + ": "
          + e.getMessage() + ". If it has a passphrase, pass it to SshIdentity.fromFile(path, passphrase).");
    }
  }

  /** The comment of the key's .pub file when there is one (so the public line stays the same). */
  private static String commentOf(Path privateKeyFile) {
    Path pub = privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    try {
      if (Files.isReadable(pub)) {
        String[] parts = Files.readString(pub, StandardCharsets.UTF_8).trim().split("\\s+", 3);
        if (parts.length == 3) {
          return parts[2];
        }
      }
    } catch (IOException e) {
      // fall back to the file name
    }
    return privateKeyFile.getFileName().toString();
  }

  /**
   * Parses an OpenSSH private key given as text (such as a host key from cloud-init user data).
   *
   * @param privateKey the key in OpenSSH format, unencrypted
   * @param comment the comment for its public line
   * @return the identity
   */
  public static SshIdentity parse(String privateKey, String comment) {
    try (InputStream in = new java.io.ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8))) {
      Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null,
          () -> "inline-key", in, FilePasswordProvider.EMPTY);
      Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
      if (it == null || !it.hasNext()) {
        throw new InvalidInputException("The text holds no OpenSSH private key.");
      }
      return new SshIdentity(it.next(), comment);
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidInputException("Could not read the private key: " + e.getMessage());
    }
  }

  /**
   * Reads a key pair previously written with {@link #writePrivateKey(Path)}, or generates and writes
   * one when the file does not exist yet.
   *
   * @param privateKeyFile where the key lives
   * @param comment the comment for a newly generated key
   * @return the identity
   */
  public static SshIdentity loadOrGenerate(Path privateKeyFile, String comment) {
    if (Files.exists(privateKeyFile)) {
      return fromFile(privateKeyFile);
    }
    SshIdentity identity = generateEd25519(comment);
    identity.writePrivateKey(privateKeyFile);
    return identity;
  }

  /** @return the key pair, for the SDK's SSH client (the private key never leaves the process) */
  public KeyPair keyPair() {
    return keyPair;
  }

  /** @return the public key as one OpenSSH {@code authorized_keys} line */
  public String publicKey() {
    String line = PublicKeyEntry.toString(keyPair.getPublic());
    return comment == null || comment.isBlank() ? line : line + " " + comment;
  }

  /** @return the public key's SHA256 fingerprint, as {@code ssh-keygen -l} prints it */
  public String fingerprint() {
    return KeyUtils.getFingerPrint(keyPair.getPublic());
  }

  /**
   * Writes the private key in OpenSSH format with mode 0600 (unencrypted; protect the file).
   *
   * @param file the destination; its parent directories are created
   */
  public void writePrivateKey(Path file) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".key", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, out.toByteArray());
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), publicKey() + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException | GeneralSecurityException e) {
      throw new PotionsException("Could not write the SSH key to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The private key in OpenSSH format, for handing a generated host key to a new server.
   *
   * @return the PEM-style text
   */
  public String privateKeyOpenSsh() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException | GeneralSecurityException e) {
      throw new PotionsException("Could not encode the SSH key: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "SshIdentity[" + fingerprint() + "]";
  }
}
