package io.potions.builder;

import io.potions.internal.shell.ScriptTemplate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Mix release's native code depends on, found where it is built and where it will run: the
 * distribution and its version, the CPU architecture, the C library (glibc) and OpenSSL (Erlang's
 * crypto links libcrypto). A release carries ERTS but not these, so it runs only where they match.
 *
 * @param osId the distribution's id, such as {@code debian} ({@code ID} in /etc/os-release)
 * @param osVersion its version, such as {@code 12} ({@code VERSION_ID})
 * @param osName its full name, such as {@code Debian GNU/Linux 12 (bookworm)}
 * @param arch the architecture, such as {@code x86_64} ({@code uname -m})
 * @param glibc the C library's version, such as {@code 2.36}; empty when not glibc
 * @param openssl the OpenSSL (libcrypto) version, such as {@code 3.0.15}; empty when none is installed
 */
public record PlatformFacts(String osId, String osVersion, String osName, String arch, String glibc, String openssl) {
  /**
   * @return the script printing the facts as {@code key=value} lines; run it with bash wherever
   *     the facts are wanted (a server, a container)
   */
  public static String script() {
    return ScriptTemplate.load(PlatformFacts.class, "/io/potions/scripts/transfer/platform.sh").render();
  }

  /**
   * @param keyValueLines what {@link #script()} printed
   * @return the facts (missing keys are empty)
   */
  public static PlatformFacts parse(String keyValueLines) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String line : keyValueLines.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return new PlatformFacts(kv.getOrDefault("os_id", ""), kv.getOrDefault("os_version", ""),
        kv.getOrDefault("os_name", ""), kv.getOrDefault("arch", ""), kv.getOrDefault("glibc", ""),
        kv.getOrDefault("openssl", ""));
  }

  /** @return the distribution for people: its full name, else id and version */
  public String distribution() {
    return osName.isEmpty() ? (osId + " " + osVersion).trim() : osName;
  }
}
