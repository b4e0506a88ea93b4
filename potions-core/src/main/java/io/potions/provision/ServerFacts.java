package io.potions.provision;

import java.util.Map;

/**
 * What a provisioned server runs, as found on it.
 *
 * @param distribution the supported distribution detected
 * @param os the OS as it names itself, such as {@code Debian GNU/Linux 12 (bookworm)}
 * @param erlang the Erlang/OTP release, such as {@code 25}
 * @param elixir the Elixir version, such as {@code 1.14.0}
 * @param postgresql the PostgreSQL client version
 * @param proxy the reverse proxy's version line
 */
public record ServerFacts(
    Distribution distribution, String os, String erlang, String elixir, String postgresql, String proxy) {

  /**
   * @param distribution the distribution found by the preflight
   * @param keyValueLines the facts script's {@code key=value} output
   * @return the facts
   */
  public static ServerFacts parse(Distribution distribution, String keyValueLines) {
    Map<String, String> kv = Distribution.parseOsRelease(keyValueLines);
    return new ServerFacts(distribution, kv.getOrDefault("os", ""), kv.getOrDefault("erlang", ""),
        kv.getOrDefault("elixir", ""), kv.getOrDefault("postgresql", ""), kv.getOrDefault("proxy", ""));
  }
}
