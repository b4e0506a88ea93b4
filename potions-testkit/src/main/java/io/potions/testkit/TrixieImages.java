package io.potions.testkit;

import io.potions.internal.shell.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Debian 13 (trixie) server image, built like the Debian 12 one (debootstrap, then the same
 * server Dockerfile: systemd and OpenSSH, nothing of the stack), for tests that need a second,
 * different platform: a release built on Debian 13 aimed at a Debian 12 server. Not provisioned.
 * Cached by the hash of its recipe; built under its own lock so it never holds up the Debian 12
 * image builds of parallel test runs.
 */
public final class TrixieImages {
  private static final Logger log = LoggerFactory.getLogger(TrixieImages.class);
  /** libssl so the platform facts find an OpenSSL, as on any server with Erlang's crypto. */
  private static final String INCLUDE = "libssl3t64";

  private TrixieImages() {}

  /** @return the tag of a fresh Debian 13 server image (systemd, sshd), built if missing */
  public static synchronized String serverImage() {
    return withLock(() -> {
      String base = rootfs();
      String dockerfile = ServerImages.resource("server.Dockerfile").replace("@BASE@", base)
          .replace("@TESTER_PASSWORD@", ServerImages.TESTER_PASSWORD);
      String tag = "potions-testkit/trixie-server:" + Hashing.sha256Hex(dockerfile).substring(0, 16);
      if (!Docker.imageExists(tag)) {
        log.info("building Debian 13 server image {} (one time; cached afterwards)", tag);
        Docker.build(dockerfile, tag, Map.of("io.potions.testkit.image", "trixie-server"), Duration.ofMinutes(15));
      }
      return tag;
    });
  }

  private static String rootfs() {
    String mirror = ServerImages.mirror();
    String script = ServerImages.resource("build-rootfs-suite.sh");
    String tag = "potions-testkit/trixie-rootfs:" + Hashing.sha256Hex(script + mirror + INCLUDE).substring(0, 16);
    if (Docker.imageExists(tag)) {
      return tag;
    }
    log.info("debootstrapping Debian 13 from {} into {} (one time; cached afterwards)", mirror, tag);
    Path work = null;
    try {
      work = Files.createTempDirectory("potions-trixie-");
      Path tarball = work.resolve("rootfs.tar");
      Process p = new ProcessBuilder("bash", "-c", script, "build-rootfs", "trixie", tarball.toString(), mirror, INCLUDE)
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("debootstrap of Debian 13 failed:\n" + new String(out, StandardCharsets.UTF_8));
      }
      Docker.importRootfs(tarball, tag, "potions-testkit: Debian 13 from debootstrap");
      return tag;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (work != null) {
        try (var walk = Files.walk(work)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          log.warn("could not remove {}: {}", work, e.getMessage());
        }
      }
    }
  }

  private static <T> T withLock(java.util.function.Supplier<T> work) {
    Path lockFile = TestkitKeys.cacheDir().resolve("trixie-images.lock");
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = channel.lock()) {
        return work.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return a fresh Debian 13 throwaway server (not provisioned), root reachable with the testkit key */
  public static ThrowawayServer server() {
    return ThrowawayServer.withKeys(serverImage(), io.potions.ssh.SshIdentity.generateEd25519("testkit-host"),
        List.of(TestkitKeys.client().publicKey()));
  }
}
