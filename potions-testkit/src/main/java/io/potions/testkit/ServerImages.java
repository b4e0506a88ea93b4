package io.potions.testkit;

import io.potions.Potions;
import io.potions.Server;
import io.potions.internal.provision.BootstrapPlan;
import io.potions.internal.shell.Hashing;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import io.potions.spi.ReverseProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and caches the testkit's images without any container registry:
 * <ol>
 *   <li>a Debian 12 (bookworm) or 13 (trixie) root file system from debootstrap, imported as an
 *       image of one layer (or {@code debian:bookworm}/{@code debian:trixie} pulled, where a
 *       registry is reachable);</li>
 *   <li>the "fresh droplet" server image on top: systemd as PID 1 and OpenSSH;</li>
 *   <li>a provisioned snapshot (the container committed after the real bootstrap ran), so later tests
 *       start from a ready server in seconds.</li>
 * </ol>
 * Every tag carries a hash of its recipe, so a changed recipe is rebuilt and an unchanged one reused.
 */
public final class ServerImages {
  private static final Logger log = LoggerFactory.getLogger(ServerImages.class);

  /** The password of the 'tester' user in fresh images, for proving password logins get refused. */
  public static final String TESTER_PASSWORD = "tester-password-7f3a";

  private ServerImages() {}

  /**
   * @return the tag of the fresh Debian 12 server image, built if missing
   */
  public static String serverImage() {
    return serverImage(Distribution.DEBIAN_12);
  }

  /**
   * @param distribution the server's distribution (Debian 12 or 13 are built here; Ubuntu only
   *     where a registry is reachable, with {@code POTIONS_TESTKIT_BASE=pull})
   * @return the tag of the fresh server image of that distribution, built if missing
   */
  public static String serverImage(Distribution distribution) {
    return withLock(distribution, () -> {
      String base = baseImageUnlocked(distribution);
      String dockerfile = resource("server.Dockerfile").replace("@BASE@", base)
          .replace("@TESTER_PASSWORD@", TESTER_PASSWORD);
      String tag = "potions-testkit/server:" + Hashing.sha256Hex(dockerfile).substring(0, 16);
      if (!Docker.imageExists(tag)) {
        log.info("building {} server image {} (one time; cached afterwards)", distribution.displayName(), tag);
        long t0 = System.nanoTime();
        Docker.build(dockerfile, tag, Map.of("io.potions.testkit.image", "server"), Duration.ofMinutes(15));
        log.info("built {} in {} s", tag, (System.nanoTime() - t0) / 1_000_000_000);
      }
      return tag;
    });
  }

  /**
   * @return the tag of a Debian 12 server image on which the Potions bootstrap (with the reverse
   *     proxy found on the class path) has already run, built if missing
   */
  public static String provisionedImage() {
    return provisionedImage(Distribution.DEBIAN_12);
  }

  /**
   * @param distribution the server's distribution
   * @return the tag of a server image of that distribution on which the Potions bootstrap (with the
   *     reverse proxy found on the class path) has already run, built if missing
   */
  public static String provisionedImage(Distribution distribution) {
    String server = serverImage(distribution);
    ReverseProxy proxy = ServiceLoader.load(ReverseProxy.class).findFirst().orElseThrow(() ->
        new IllegalStateException("A provisioned snapshot needs a reverse proxy on the class path"
            + " (io.potions:potions-caddy)."));
    List<BootstrapStep> plan = BootstrapPlan.render(distribution,
        List.of(TestkitKeys.client().publicKey()), proxy.bootstrapSteps(distribution));
    boolean withNode = distribution == Distribution.DEBIAN_12;
    String tag = "potions-testkit/provisioned:" + Hashing.sha256Hex(Docker.imageId(server)
        + BootstrapPlan.fingerprint(plan) + (withNode ? "+node" : "")).substring(0, 16);
    return withLock(distribution, () -> {
      if (Docker.imageExists(tag)) {
        return tag;
      }
      log.info("provisioning a {} server for snapshot {} (one time; cached afterwards)", distribution.displayName(), tag);
      try (ThrowawayServer fresh = ThrowawayServer.fromImage(server)) {
        fresh.start();
        try (Potions potions = Potions.builder().reverseProxy(proxy).build()) {
          Server s = potions.existingServer(fresh.sshTarget()).provision();
          log.info("snapshot provisioning: {}", s.lastProvision().orElseThrow().summary());
        }
        if (withNode) {
          // Servers get Node.js on demand, at the first build of an app with assets/package.json
          // (a minute of apt). Most tests deploy the sample app, which has assets, on Debian 12:
          // its snapshot carries Node.js already. Debian 13's does not, so its e2e test proves the
          // on-demand install.
          var node = fresh.console("/usr/local/sbin/potions-admin node-install");
          if (node.getExitCode() != 0) {
            throw new IllegalStateException("node-install failed in the snapshot: " + node.getStderr());
          }
        }
        Docker.commit(fresh.getContainerId(), tag);
      }
      return tag;
    });
  }

  /**
   * @param distribution a distribution
   * @return the Debian suite debootstrap builds for it
   * @throws DockerUnavailableException for a distribution that has no Debian suite (Ubuntu: no
   *     Ubuntu mirror here; pull its image where a registry is reachable)
   */
  static String debianSuite(Distribution distribution) {
    switch (distribution) {
      case DEBIAN_12:
        return "bookworm";
      case DEBIAN_13:
        return "trixie";
      default:
        throw new DockerUnavailableException(distribution.displayName() + " cannot be debootstrapped from a"
            + " Debian mirror: set POTIONS_TESTKIT_BASE=pull where a registry is reachable.");
    }
  }

  /** @return the registry image a distribution's base is pulled from, where a registry is reachable */
  static String registryImage(Distribution distribution) {
    switch (distribution) {
      case DEBIAN_12:
        return "debian:bookworm";
      case DEBIAN_13:
        return "debian:trixie";
      default:
        return distribution.id() + ":" + distribution.versionId();
    }
  }

  /**
   * @param distribution the distribution
   * @return the tag of its bare base image (debootstrapped here, or pulled where a registry is
   *     reachable, as {@code POTIONS_TESTKIT_BASE} says), built if missing: the server images' base,
   *     and a base for a local build container matching the servers
   */
  public static String baseImage(Distribution distribution) {
    return withLock(distribution, () -> baseImageUnlocked(distribution));
  }

  private static String baseImageUnlocked(Distribution distribution) {
    String source = System.getenv().getOrDefault("POTIONS_TESTKIT_BASE", "auto");
    boolean canDebootstrap = isRoot() && onPath("debootstrap");
    if ("pull".equals(source) || ("auto".equals(source) && !canDebootstrap)) {
      String image = registryImage(distribution);
      if (!Docker.imageExists(image)) {
        log.info("pulling {} (set POTIONS_TESTKIT_BASE=debootstrap to build it locally instead)", image);
        Docker.pull(image, Duration.ofMinutes(15));
      }
      return image;
    }
    if (!canDebootstrap) {
      throw new DockerUnavailableException("Building the base image needs debootstrap and root"
          + " (apt-get install debootstrap), or set POTIONS_TESTKIT_BASE=pull where a registry is reachable.");
    }
    String suite = debianSuite(distribution);
    String mirror = mirror();
    String script = resource("build-rootfs.sh");
    String tag = "potions-testkit/rootfs:" + Hashing.sha256Hex(script + mirror + suite).substring(0, 16);
    if (!Docker.imageExists(tag)) {
      log.info("debootstrapping {} ({}) from {} into {} (one time; cached afterwards)",
          distribution.displayName(), suite, mirror, tag);
      buildRootfs(script, tag, mirror, suite, distribution);
    }
    return tag;
  }

  /**
   * Runs debootstrap (through the recipe script, as root on this machine) into a tarball and imports
   * that as the image {@code tag}.
   */
  private static void buildRootfs(String script, String tag, String mirror, String suite, Distribution distribution) {
    Path work = null;
    try {
      work = Files.createTempDirectory("potions-rootfs-");
      Path tarball = work.resolve("rootfs.tar");
      runProgram(List.of("bash", "-c", script, "build-rootfs", tarball.toString(), mirror, suite), Duration.ofMinutes(20));
      Docker.importRootfs(tarball, tag, "potions-testkit: " + distribution.displayName() + " from debootstrap");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  /** Runs a program on this machine; a failure raises with its last lines of output. */
  private static void runProgram(List<String> command, Duration timeout) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> {
        try {
          p.getInputStream().transferTo(out);
        } catch (IOException e) {
          // the process ended; what was read is kept
        }
      }, "build-rootfs-output");
      reader.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("'" + command.get(0) + "' did not finish within " + timeout.toSeconds() + " s");
      }
      reader.join();
      if (p.exitValue() != 0) {
        throw new IllegalStateException("Building the root file system failed (exit " + p.exitValue() + "):\n"
            + Docker.tail(out.toString(StandardCharsets.UTF_8), 30));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not remove {}: {}", dir, e.getMessage());
    }
  }

  /** The Debian mirror: POTIONS_TESTKIT_MIRROR, else the one apt on this machine uses. */
  static String mirror() {
    String env = System.getenv("POTIONS_TESTKIT_MIRROR");
    if (env != null && !env.isBlank()) {
      return env;
    }
    for (Path p : List.of(Path.of("/etc/apt/sources.list.d/debian.sources"), Path.of("/etc/apt/sources.list"))) {
      try {
        if (!Files.isReadable(p)) {
          continue;
        }
        for (String line : Files.readAllLines(p)) {
          String t = line.trim();
          if (t.startsWith("URIs:") && !t.contains("security")) {
            return t.substring(5).trim().split("\\s+")[0];
          }
          if (t.startsWith("deb ") && !t.contains("security")) {
            String[] parts = t.split("\\s+");
            for (String part : parts) {
              if (part.startsWith("http")) {
                return part;
              }
            }
          }
        }
      } catch (IOException e) {
        // try the next file
      }
    }
    return "http://deb.debian.org/debian";
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", program));
  }

  static String resource(String name) {
    try (InputStream in = ServerImages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing testkit resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One lock per distribution in this JVM: a file lock cannot be taken twice by one process. */
  private static final java.util.Map<Distribution, Object> LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Serializes the image builds of one distribution, across threads and JVMs on this machine (test
   * modules and classes may run in parallel); different distributions build side by side.
   */
  private static <T> T withLock(Distribution distribution, java.util.function.Supplier<T> work) {
    Path lockFile = TestkitKeys.cacheDir().resolve("images-" + distribution.id() + "-" + distribution.versionId() + ".lock");
    synchronized (LOCKS.computeIfAbsent(distribution, d -> new Object())) {
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
  }
}
