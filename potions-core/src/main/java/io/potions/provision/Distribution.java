package io.potions.provision;

import java.util.HashMap;
import java.util.Map;

/**
 * The operating systems the bootstrap supports. All are apt-based with systemd and ship the same
 * package names for this stack; they differ in where Caddy comes from (Ubuntu's universe component)
 * and in the versions they ship (Debian 12: OTP 25, Elixir 1.14, PostgreSQL 15; Debian 13: OTP 27,
 * Elixir 1.18, PostgreSQL 17).
 */
public enum Distribution {
  /** Debian 12 "bookworm": what CI exercises on a real container. */
  DEBIAN_12("debian", "12"),
  /** Debian 13 "trixie": also exercised by CI on a real container. */
  DEBIAN_13("debian", "13"),
  /** Ubuntu 24.04 "noble": DigitalOcean's default droplet image. */
  UBUNTU_24_04("ubuntu", "24.04");

  private final String id;
  private final String versionId;

  Distribution(String id, String versionId) {
    this.id = id;
    this.versionId = versionId;
  }

  /** @return a name for messages, such as {@code Debian 12} */
  public String displayName() {
    return (id.equals("debian") ? "Debian " : "Ubuntu ") + versionId;
  }

  /** @return the os-release {@code ID} */
  public String id() {
    return id;
  }

  /** @return the os-release {@code VERSION_ID} */
  public String versionId() {
    return versionId;
  }

  /**
   * Identifies the distribution from the text of {@code /etc/os-release}.
   *
   * @param osRelease the file's content
   * @return the distribution
   * @throws UnsupportedOperatingSystemException when it is not one the bootstrap supports
   */
  public static Distribution fromOsRelease(String osRelease) {
    Map<String, String> fields = parseOsRelease(osRelease);
    String id = fields.getOrDefault("ID", "");
    String version = fields.getOrDefault("VERSION_ID", "");
    for (Distribution d : values()) {
      if (d.id.equals(id) && d.versionId.equals(version)) {
        return d;
      }
    }
    String pretty = fields.getOrDefault("PRETTY_NAME", (id + " " + version).trim());
    throw new UnsupportedOperatingSystemException("This server runs '"
        + (pretty.isBlank() ? "an unknown OS" : pretty) + "', which Potions cannot provision."
        + " Supported: Debian 12, Debian 13 and Ubuntu 24.04 LTS. Nothing was changed on the server.");
  }

  /**
   * @param osRelease the content of {@code /etc/os-release}
   * @return its key/value pairs with quotes removed
   */
  public static Map<String, String> parseOsRelease(String osRelease) {
    Map<String, String> fields = new HashMap<>();
    for (String line : osRelease.split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0 || line.startsWith("#")) {
        continue;
      }
      String value = line.substring(eq + 1).trim();
      if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      fields.put(line.substring(0, eq).trim(), value);
    }
    return fields;
  }
}
