package io.potions.internal.cloud;

import io.potions.ssh.SshIdentity;
import java.util.List;

/**
 * What a new server must be given on first boot so that the SDK's very first SSH connection is
 * already trusted: the SDK generates the server's ed25519 host key and pins its public half, and the
 * server gets the SDK's public key for root. Rendered as cloud-init user data for real clouds.
 *
 * <p>User data is not secret on the server (a cloud's metadata service serves it to any local
 * process), so this host key only has to last until the first connection: right after it the SDK
 * replaces it with one generated on the server ({@link HostKeyRotation}), and the key here opens
 * nothing from then on.
 *
 * @param authorizedKeys public keys (OpenSSH lines) allowed to log in as root
 * @param hostKey the host key pair the server must use until the SDK rotates it; its public half is
 *     pinned by the SDK
 */
public record CloudInit(List<String> authorizedKeys, SshIdentity hostKey) {
  /** @return the host key's public line, to pin */
  public String pinnedHostKey() {
    return hostKey.publicKey();
  }

  /**
   * Renders {@code #cloud-config} user data: replace the image's host keys with the given ed25519
   * key (no others are generated, so the pinned one is the only one sshd offers) and authorize the
   * given keys for root. Pure; the provider sends it as the server's user data.
   *
   * @return the user data text
   */
  public String renderUserData() {
    StringBuilder yaml = new StringBuilder("#cloud-config\n");
    yaml.append("# Written by Potions: the SDK pins this host key, so its first SSH connection is trusted.\n");
    yaml.append("disable_root: false\n");
    yaml.append("ssh_deletekeys: true\n");
    yaml.append("ssh_genkeytypes: []\n");
    yaml.append("ssh_keys:\n");
    yaml.append("  ed25519_private: |\n");
    for (String line : hostKey.privateKeyOpenSsh().strip().split("\n")) {
      yaml.append("    ").append(line).append('\n');
    }
    yaml.append("  ed25519_public: ").append(quoteYaml(stripComment(hostKey.publicKey()))).append('\n');
    yaml.append("ssh_authorized_keys:\n");
    for (String key : authorizedKeys) {
      yaml.append("  - ").append(quoteYaml(key)).append('\n');
    }
    return yaml.toString();
  }

  /**
   * Reads back user data written by {@link #renderUserData()}: what a local stand-in for a cloud
   * (the testkit's containers) applies at first boot, as cloud-init would on a droplet.
   *
   * @param userData the {@code #cloud-config} text
   * @return the authorized keys and the host key's private half (OpenSSH format)
   */
  public static ParsedUserData parseUserData(String userData) {
    List<String> keys = new java.util.ArrayList<>();
    StringBuilder privateKey = new StringBuilder();
    String section = "";
    for (String line : userData.split("\n")) {
      if (line.startsWith("  ed25519_private: |")) {
        section = "private";
        continue;
      }
      if (line.startsWith("ssh_authorized_keys:")) {
        section = "keys";
        continue;
      }
      if (section.equals("private") && line.startsWith("    ")) {
        privateKey.append(line.substring(4)).append('\n');
        continue;
      }
      if (section.equals("keys") && line.startsWith("  - ")) {
        keys.add(unquoteYaml(line.substring(4).trim()));
        continue;
      }
      section = "";
    }
    if (privateKey.length() == 0 || keys.isEmpty()) {
      throw new IllegalArgumentException("not Potions cloud-init user data: no host key or authorized keys");
    }
    return new ParsedUserData(List.copyOf(keys), privateKey.toString());
  }

  /**
   * What {@link #parseUserData(String)} found.
   *
   * @param authorizedKeys keys for root
   * @param hostPrivateKey the ed25519 host key, OpenSSH private key format
   */
  public record ParsedUserData(List<String> authorizedKeys, String hostPrivateKey) {
    @Override
    public String toString() {
      return "ParsedUserData[authorizedKeys=" + authorizedKeys.size() + ", hostPrivateKey=******]";
    }
  }

  private static String unquoteYaml(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return s;
  }

  private static String stripComment(String publicKey) {
    String[] parts = publicKey.trim().split("\\s+");
    return parts.length >= 2 ? parts[0] + " " + parts[1] : publicKey.trim();
  }

  private static String quoteYaml(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public String toString() {
    // The host key's private half must never reach a log.
    return "CloudInit[authorizedKeys=" + authorizedKeys.size() + ", hostKey=" + hostKey + "]";
  }
}
