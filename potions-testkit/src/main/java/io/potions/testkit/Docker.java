package io.potions.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the docker CLI for what Testcontainers does not cover (import, build from stdin, commit).
 * Output is captured; a failure raises with the command's last lines.
 */
final class Docker {
  private Docker() {}

  /** Result of one CLI call. */
  record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  static Result run(List<String> argv, byte[] stdin, long timeoutSeconds) {
    List<String> command = new ArrayList<>(argv);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // The legacy builder needs no buildx plugin, which a distribution's docker.io may lack.
    pb.environment().put("DOCKER_BUILDKIT", "0");
    try {
      Process p = pb.start();
      if (stdin != null) {
        try (var in = p.getOutputStream()) {
          in.write(stdin);
        }
      } else {
        p.getOutputStream().close();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> copy(p.getInputStream(), out), "docker-output");
      reader.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
            + timeoutSeconds + " s");
      }
      reader.join();
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String require(List<String> argv, byte[] stdin, long timeoutSeconds) {
    Result r = run(argv, stdin, timeoutSeconds);
    if (!r.ok()) {
      throw new IllegalStateException("'" + String.join(" ", argv) + "' failed (exit " + r.exit() + "):\n"
          + tail(r.output(), 30));
    }
    return r.output();
  }

  static boolean imageExists(String tag) {
    return run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", tag), null, 60).ok();
  }

  static String imageId(String tag) {
    return require(List.of("docker", "image", "inspect", "--format", "{{.Id}}", tag), null, 60).trim();
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // the process ended; what was read is kept
    }
  }
}
