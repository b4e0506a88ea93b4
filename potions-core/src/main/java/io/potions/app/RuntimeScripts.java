package io.potions.app;

import static io.potions.internal.shell.Shell.quote;

import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.ScriptTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * Installing and selecting the Erlang/OTP, Elixir and Node.js versions an app asks for, with mise,
 * side by side under {@code /opt/potions/.runtimes} (owned by the deploy user, so no root is needed).
 * Pure renderers: these machines cannot download runtimes, so the rendered text is checked in unit
 * tests and the end-to-end tests use the distribution's versions.
 */
final class RuntimeScripts {
  /** Where mise and the runtimes it installs live on the server. */
  public static final String RUNTIMES = ServerLayout.RUNTIMES;
  /** The mise binary. */
  public static final String MISE = RUNTIMES + "/bin/mise";
  /**
   * The mise release installed on servers. Pinned: changing it means changing both checksums
   * below, copied from that release's published {@code SHASUMS256.txt} (the raw
   * {@code mise-v<version>-linux-x64} and {@code -linux-arm64} binaries, not the archives).
   */
  static final String MISE_VERSION = "2026.7.5";
  /**
   * SHA-256 of {@code mise-v2026.7.5-linux-x64}, from the release's SHASUMS256.txt (copied, not
   * computed here: these machines cannot download; several independent public build files pin the
   * same value). The server refuses to run a download that does not match.
   */
  static final String MISE_SHA256_X64 = "5f7ab76afdf0780d12edeaa67e908094e9ccf7924cfe203e415c1cfb87bbf778";
  /** SHA-256 of {@code mise-v2026.7.5-linux-arm64}, from the same SHASUMS256.txt. */
  static final String MISE_SHA256_ARM64 = "41fcf744050bfa27f9871e2151ac6f44b5ce2741424b3d5282b92becc71e6bc4";
  /** Where mise's release binaries are downloaded from. */
  static final String MISE_RELEASES = "https://github.com/jdx/mise/releases/download";
  /** Printed when a version cannot be installed. */
  static final String UNAVAILABLE = "POTIONS_RUNTIME_UNAVAILABLE";

  private RuntimeScripts() {}

  /**
   * @param versions what the app asks for (non-default)
   * @return a script that installs the pinned mise (checksum-verified) if missing, then each requested tool version (idempotent:
   *     an installed version is kept), printing {@value #UNAVAILABLE} and failing when one cannot be had
   */
  public static String install(RuntimeVersions versions) {
    List<String> installs = new ArrayList<>();
    for (String tool : tools(versions)) {
      installs.add(quote(MISE) + " install " + quote(tool)
          + " || { echo " + quote(UNAVAILABLE + " " + tool) + "; exit 3; }");
    }
    return ScriptTemplate.load(RuntimeScripts.class, "/io/potions/scripts/app/runtime-install.sh")
        .quoted("DATA_DIR", RUNTIMES + "/mise")
        .quoted("CACHE_DIR", RUNTIMES + "/cache")
        .quoted("MISE", MISE)
        .quoted("BIN_DIR", RUNTIMES + "/bin")
        .raw("UNAVAILABLE", UNAVAILABLE)
        .raw("MISE_VERSION", MISE_VERSION)
        .raw("MISE_SHA256_X64", MISE_SHA256_X64)
        .raw("MISE_SHA256_ARM64", MISE_SHA256_ARM64)
        .raw("MISE_RELEASES", MISE_RELEASES)
        .raw("INSTALL_TOOLS", String.join("\n", installs))
        .render();
  }

  /**
   * @param versions what the app asks for
   * @return the bin directories to put first on PATH for the build, colon-separated; empty for
   *     the distribution's versions
   */
  public static String pathPrefix(RuntimeVersions versions) {
    List<String> dirs = new ArrayList<>();
    versions.elixir().ifPresent(v -> dirs.add(RUNTIMES + "/mise/installs/elixir/" + v + "/bin"));
    versions.erlang().ifPresent(v -> dirs.add(RUNTIMES + "/mise/installs/erlang/" + v + "/bin"));
    versions.nodejs().ifPresent(v -> dirs.add(RUNTIMES + "/mise/installs/node/" + v + "/bin"));
    return String.join(":", dirs);
  }

  private static List<String> tools(RuntimeVersions versions) {
    List<String> tools = new ArrayList<>();
    // Erlang first: Elixir is built against it.
    versions.erlang().ifPresent(v -> tools.add("erlang@" + v));
    versions.elixir().ifPresent(v -> tools.add("elixir@" + v));
    versions.nodejs().ifPresent(v -> tools.add("node@" + v));
    return tools;
  }
}
