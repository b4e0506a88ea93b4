package io.potions.app;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The Erlang/OTP, Elixir and Node.js versions an app asks for. Empty means the server
 * distribution's own package. Pinned in the app's settings, or read from the repository's
 * {@code .tool-versions}.
 */
@Value.Immutable
public abstract class RuntimeVersions {
  private static final String VERSION = "[0-9][0-9A-Za-z.+-]{0,39}";

  /** @return the Erlang/OTP version, such as {@code 27.1.2} */
  public abstract Optional<String> erlang();

  /** @return the Elixir version, such as {@code 1.17.3-otp-27} */
  public abstract Optional<String> elixir();

  /** @return the Node.js version, such as {@code 20.18.0} */
  public abstract Optional<String> nodejs();

  /** @return true when nothing is requested: the distribution's packages are used */
  public boolean isDistributionDefault() {
    return erlang().isEmpty() && elixir().isEmpty() && nodejs().isEmpty();
  }

  /** @return the distribution's versions */
  public static RuntimeVersions distribution() {
    return builder().build();
  }

  /** @return a new builder */
  public static ImmutableRuntimeVersions.Builder builder() {
    return ImmutableRuntimeVersions.builder();
  }

  /**
   * Reads the versions a {@code .tool-versions} file asks for (asdf/mise format); other tools are ignored.
   *
   * @param content the file's content
   * @return the versions
   */
  public static RuntimeVersions fromToolVersions(String content) {
    Map<String, String> tools = new LinkedHashMap<>();
    for (String line : content.split("\n")) {
      String t = line.replaceAll("#.*", "").trim();
      String[] parts = t.split("\\s+");
      if (parts.length >= 2) {
        tools.put(parts[0], parts[1]);
      }
    }
    return builder()
        .erlang(Optional.ofNullable(tools.get("erlang")))
        .elixir(Optional.ofNullable(tools.get("elixir")))
        .nodejs(Optional.ofNullable(tools.getOrDefault("nodejs", tools.get("node"))))
        .build();
  }

  /** Refuses values the server could not use, with a message that says what would be accepted. */
  @Value.Check
  protected void check() {
    for (Optional<String> v : java.util.List.of(erlang(), elixir(), nodejs())) {
      if (v.isPresent() && !v.get().matches(VERSION)) {
        throw new InvalidInputException("Runtime version '" + Names.abbreviate(v.get())
            + "' is not a version number such as 27.1.2 or 1.17.3-otp-27.");
      }
    }
  }
}
