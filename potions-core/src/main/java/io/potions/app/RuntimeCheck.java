package io.potions.app;

import io.potions.internal.shell.ScriptTemplate;
import io.potions.provision.Distribution;
import io.potions.ssh.ExecResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a server's own (distribution) runtimes satisfy the versions an app pins. A pin matches
 * an installed version when the pin's dot-separated parts are the installed version's first parts:
 * {@code 27} and {@code 27.3} match OTP 27.3.4.1, {@code 27.1.2} does not. An Elixir pin such as
 * {@code 1.18.3-otp-27} also asks for OTP 27. Pure, so every answer is unit tested; the facts come
 * from {@link #probeScript()} run on the server.
 */
final class RuntimeCheck {
  /** What each supported distribution ships, for suggesting a server that has a requested version. */
  static final Map<Distribution, Installed> SHIPPED = shipped();

  private RuntimeCheck() {}

  /**
   * The runtimes found on a server.
   *
   * @param server how messages name the server, such as {@code Debian 12}
   * @param erlang the full OTP version, such as {@code 27.3.4.1}; empty when not installed
   * @param elixir the Elixir version, such as {@code 1.18.3}; empty when not installed
   * @param nodejs the Node.js version, such as {@code 20.19.2}; empty when not installed
   */
  record Installed(String server, String erlang, String elixir, String nodejs) {
    /**
     * @param result the output of {@link #probeScript()}
     * @return what it found
     */
    static Installed parse(ExecResult result) {
      Map<String, String> kv = Distribution.parseOsRelease(result.out());
      String id = kv.getOrDefault("os_id", "");
      String version = kv.getOrDefault("os_version", "");
      String server = id.equals("debian") ? "Debian " + version : id.equals("ubuntu") ? "Ubuntu " + version
          : (id + " " + version).trim();
      return new Installed(server.isEmpty() ? "this server's OS" : server, kv.getOrDefault("erlang", ""),
          kv.getOrDefault("elixir", ""), kv.getOrDefault("nodejs", ""));
    }
  }

  /** @return a read-only script printing the server's OS and runtime versions as key=value lines */
  static String probeScript() {
    return ScriptTemplate.load(RuntimeCheck.class, "/io/potions/scripts/app/runtime-versions.sh").render();
  }

  /**
   * @param wanted the pinned versions
   * @param origin where the pins come from, for the message ({@code .tool-versions} or the settings)
   * @param have what the server provides
   * @return empty when every pin is met; otherwise a message saying which is not, what the server has
   *     and what to do
   */
  static Optional<String> refusal(RuntimeVersions wanted, String origin, Installed have) {
    List<String> misses = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    check("Erlang/OTP", wanted.erlang(), have.erlang(), have, misses);
    Optional<String> elixirOtp = wanted.elixir().flatMap(RuntimeCheck::otpOfElixirPin);
    check("Elixir", wanted.elixir().map(RuntimeCheck::elixirPart), have.elixir(), have, misses);
    if (elixirOtp.isPresent() && wanted.erlang().isEmpty()) {
      check("Erlang/OTP (from the Elixir pin " + wanted.elixir().get() + ")", elixirOtp, have.erlang(), have, misses);
    }
    check("Node.js", wanted.nodejs(), have.nodejs(), have, misses);
    if (misses.isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<Distribution, Installed> d : SHIPPED.entrySet()) {
      Installed shipped = d.getValue();
      if (d.getKey().displayName().equals(have.server())) {
        continue;
      }
      if (satisfies(wanted, shipped)) {
        fixes.add("use a " + d.getKey().displayName() + " server (it ships OTP " + shipped.erlang() + ", Elixir "
            + shipped.elixir() + ", Node.js " + shipped.nodejs() + ")");
      }
    }
    fixes.add("build on a build server or in a container that has " + (misses.size() == 1 ? "it" : "them"));
    fixes.add("loosen the pin (such as 'elixir " + major(have.elixir().isEmpty() ? "1.18" : have.elixir(), 2)
        + "' to accept any " + major(have.elixir().isEmpty() ? "1.18" : have.elixir(), 2) + ".x)");
    fixes.add("or remove it from " + origin + " to build with the server's own versions");
    return Optional.of(String.join("; ", misses) + ". The on-server builder uses the distribution's packages"
        + " and cannot install other versions. To fix it: " + String.join(", ", fixes) + ".");
  }

  /**
   * @param pin a requested version
   * @param installed an installed version (empty when not installed)
   * @return whether the pin's parts are the installed version's first parts
   */
  static boolean matches(String pin, String installed) {
    if (installed.isEmpty()) {
      return false;
    }
    String[] want = pin.split("\\.");
    String[] have = installed.split("[.+-]");
    if (want.length > have.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!want[i].equals(have[i])) {
        return false;
      }
    }
    return true;
  }

  private static void check(String name, Optional<String> pin, String installed, Installed have, List<String> misses) {
    if (pin.isPresent() && !matches(pin.get(), installed)) {
      misses.add(name + " " + pin.get() + " requested; this " + have.server() + " server has "
          + (installed.isEmpty() ? "none installed" : installed));
    }
  }

  private static boolean satisfies(RuntimeVersions wanted, Installed have) {
    return wanted.erlang().map(v -> matches(v, have.erlang())).orElse(true)
        && wanted.elixir().map(v -> matches(elixirPart(v), have.elixir())
            && otpOfElixirPin(v).map(otp -> matches(otp, have.erlang())).orElse(true)).orElse(true)
        && wanted.nodejs().map(v -> matches(v, have.nodejs())).orElse(true);
  }

  /** {@code 1.17.3-otp-27} -> {@code 1.17.3}. */
  static String elixirPart(String pin) {
    int otp = pin.indexOf("-otp-");
    return otp < 0 ? pin : pin.substring(0, otp);
  }

  /** {@code 1.17.3-otp-27} -> {@code 27}. */
  static Optional<String> otpOfElixirPin(String pin) {
    int otp = pin.indexOf("-otp-");
    return otp < 0 ? Optional.empty() : Optional.of(pin.substring(otp + 5));
  }

  private static String major(String version, int parts) {
    String[] p = version.split("\\.");
    return String.join(".", java.util.Arrays.asList(p).subList(0, Math.min(parts, p.length)));
  }

  private static Map<Distribution, Installed> shipped() {
    // From each distribution's archive (apt-cache policy on a fresh server; Debian 12 and 13 are
    // checked by the end-to-end tests' facts).
    Map<Distribution, Installed> m = new LinkedHashMap<>();
    m.put(Distribution.DEBIAN_12, new Installed("Debian 12", "25.2.3", "1.14.0", "18.20.4"));
    m.put(Distribution.DEBIAN_13, new Installed("Debian 13", "27.3.4.1", "1.18.3", "20.19.2"));
    m.put(Distribution.UBUNTU_24_04, new Installed("Ubuntu 24.04", "25.3.2.8", "1.14.0", "18.19.1"));
    return java.util.Collections.unmodifiableMap(m);
  }
}
