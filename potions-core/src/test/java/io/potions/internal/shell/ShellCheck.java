package io.potions.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs ShellCheck (Debian package {@code shellcheck}) on rendered scripts, failing on any finding
 * of severity warning or worse. Without shellcheck installed the check is skipped locally and fails
 * on CI ({@code CI=true}), so the build there can never pass without it.
 */
public final class ShellCheck {
  /** What {@code RemoteShell} puts in front of every script it runs. */
  public static final String REMOTE_PRELUDE = "set -euo pipefail\n";

  private ShellCheck() {}

  /** Skips the calling test when shellcheck is missing, unless on CI, where it fails. */
  public static void assumeInstalled() {
    String missing = null;
    try {
      Process p = new ProcessBuilder("shellcheck", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        missing = "shellcheck --version failed";
      }
    } catch (IOException e) {
      missing = "shellcheck is not installed (apt-get install shellcheck)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (missing == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing + ": on CI the scripts must be checked");
    }
    Assumptions.abort(missing + ": skipping the script checks");
  }

  /**
   * Checks every script as bash, in one shellcheck run, and fails listing every finding.
   *
   * @param scripts label to full script text (as the server runs it, prelude included)
   * @throws Exception when shellcheck cannot be run
   */
  public static void assertClean(Map<String, String> scripts) throws Exception {
    assumeInstalled();
    Path dir = Files.createTempDirectory("potions-shellcheck");
    try {
      List<String> command = new ArrayList<>(List.of("shellcheck", "--shell=bash", "--severity=warning",
          "--color=never", "--external-sources"));
      int n = 0;
      for (var e : scripts.entrySet()) {
        // File names carry the label, so a finding says which script it is in.
        Path file = dir.resolve(String.format("%03d-%s.sh", n++, e.getKey().replaceAll("[^A-Za-z0-9._-]", "_")));
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
        command.add(file.toString());
      }
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("shellcheck finished").isTrue();
      assertThat(p.exitValue()).as("shellcheck findings:\n" + out).isZero();
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }
}
