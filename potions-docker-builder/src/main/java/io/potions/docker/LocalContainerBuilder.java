package io.potions.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.app.DeployFailedException.Reason;
import io.potions.app.RuntimeVersions;
import io.potions.builder.PlatformCheck;
import io.potions.builder.PlatformFacts;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.Hashing;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.transfer.ReleaseTransfer;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Builds releases in a Docker container on the machine that runs the SDK, never on the app server:
 * the image is the app servers' distribution (from a {@link BaseImage}: a debootstrapped root file
 * system, or a registry image such as {@code hexpm/elixir}) with Erlang/OTP, Elixir, git, a C
 * toolchain, Node.js and npm; each app keeps its {@code deps/}, {@code _build/},
 * {@code assets/node_modules} and Mix/npm caches in a Docker volume of its own, so a second build
 * compiles only what changed. The build container runs with a memory and CPU ceiling and is removed
 * after each build.
 *
 * <p>Before anything is built or sent, the container's platform (distribution and version,
 * architecture, glibc, OpenSSL) is compared with the app server's ({@link PlatformCheck}), and the
 * base image's too before a build image is made from it; a mismatch fails with
 * {@link Reason#PLATFORM_MISMATCH}. The release reaches the app server through the
 * content-addressed transfer: only files the server lacks travel.
 *
 * <pre>{@code
 * ReleaseBuilder local = LocalContainerBuilder.builder(BaseImage.pulled("debian:bookworm")).memoryMib(3072).build();
 * Potions potions = Potions.builder().releaseBuilder(local).build();
 * }</pre>
 *
 * <p>Docker is found as Testcontainers finds it ({@code DOCKER_HOST}, the local socket); no
 * Testcontainers container (nor Ryuk) is started.
 */
public final class LocalContainerBuilder implements ReleaseBuilder {
  /** The label on the builder's images, containers and cache volumes. */
  public static final String LABEL = "io.potions.builder";
  private static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Duration IMAGE_BUILD_LIMIT = Duration.ofMinutes(30);
  private static final Duration STEP_LIMIT = Duration.ofMinutes(2);
  private static final String BUNDLE = "tmp/potions-source.bundle";
  private static final Map<String, ReentrantLock> CACHE_LOCKS = new ConcurrentHashMap<>();

  private final BaseImage base;
  private final int memoryMib;
  private final double cpus;
  private final Optional<String> cpuSet;
  private final String cachePrefix;
  /** The container of each build in progress (by app and app server), so a cancelled deploy stops it. */
  private final Map<String, String> running = new ConcurrentHashMap<>();
  /** Containers {@link #stop} killed: their build's failure is reported as stopped, not as a crash. */
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();

  private LocalContainerBuilder(Builder b) {
    this.base = b.base;
    this.memoryMib = b.memoryMib;
    this.cpus = b.cpus;
    this.cpuSet = b.cpuSet;
    this.cachePrefix = b.cachePrefix;
  }

  /**
   * @param base where the build image starts; its distribution must be the app servers'
   * @return a builder with a 2048 MiB memory ceiling and one CPU
   */
  public static Builder builder(BaseImage base) {
    return new Builder(base);
  }

  /** Settings of a {@link LocalContainerBuilder}. */
  public static final class Builder {
    private final BaseImage base;
    private int memoryMib = 2048;
    private double cpus = 1.0;
    private Optional<String> cpuSet = Optional.empty();
    private String cachePrefix = "potions-build-";

    private Builder(BaseImage base) {
      this.base = java.util.Objects.requireNonNull(base, "base");
    }

    /**
     * @param mib the build container's memory ceiling in MiB (at least 256); a build that needs more is
     *     stopped and the deploy fails with {@link Reason#BUILD_OUT_OF_MEMORY}
     * @return this
     */
    public Builder memoryMib(int mib) {
      if (mib < 256) {
        throw new InvalidInputException("The build container needs at least 256 MiB of memory; got " + mib + ".");
      }
      this.memoryMib = mib;
      return this;
    }

    /**
     * @param cpus how many of this machine's CPUs the build may use, such as {@code 1.5} (more than 0)
     * @return this
     */
    public Builder cpus(double cpus) {
      if (!(cpus > 0) || cpus > Runtime.getRuntime().availableProcessors()) {
        throw new InvalidInputException("The build container's CPUs must be more than 0 and at most this"
            + " machine's " + Runtime.getRuntime().availableProcessors() + "; got " + cpus + ".");
      }
      this.cpus = cpus;
      return this;
    }

    /**
     * @param cpus which of this machine's CPUs the build may run on, in Docker's {@code --cpuset-cpus}
     *     form ({@code 1}, {@code 2-3}, {@code 0,2}): keeps some cores free for what else the machine
     *     runs (an IDE, a CI job beside the build)
     * @return this
     */
    public Builder cpuSet(String cpus) {
      if (!cpus.matches("\\d{1,3}(-\\d{1,3})?(,\\d{1,3}(-\\d{1,3})?){0,63}")) {
        throw new InvalidInputException("A CPU set is CPU numbers and ranges separated by commas, such as 1 or 0,2-3;"
            + " got '" + cpus + "'.");
      }
      this.cpuSet = Optional.of(cpus);
      return this;
    }

    /**
     * @param prefix the start of the per-app cache volumes' names (default {@code potions-build-});
     *     two SDK installations sharing one Docker engine can keep separate caches
     * @return this
     */
    public Builder cacheVolumePrefix(String prefix) {
      if (!prefix.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}")) {
        throw new InvalidInputException("A cache volume prefix is letters, digits, '_', '.' and '-' (at most 41);"
            + " got '" + prefix + "'.");
      }
      this.cachePrefix = prefix;
      return this;
    }

    /** @return the release builder */
    public LocalContainerBuilder build() {
      return new LocalContainerBuilder(this);
    }
  }

  @Override
  public String name() {
    return "local-container";
  }

  @Override
  public BuiltRelease build(BuildRequest request) {
    Consumer<String> log = request.log();
    String app = request.app();
    if (!APP_NAME.matcher(app).matches()) {
      throw new InvalidInputException("App name '" + app + "' cannot name a cache volume.");
    }
    PlatformFacts target = PlatformFacts.parse(request.target().require(
        RemoteCommand.of("Reading the app server's platform facts", PlatformFacts.script())).out());
    String image = image(target, request.target().host(), log);
    String volume = cachePrefix + app + "-" + image.substring(image.indexOf(':') + 1);
    ReentrantLock cacheLock = CACHE_LOCKS.computeIfAbsent(volume, v -> new ReentrantLock());
    cacheLock.lock();
    String container = null;
    String key = buildKey(app, request.target());
    try {
      container = start(image, volume, app);
      running.put(key, container);
      PlatformFacts here = PlatformFacts.parse(run(container, PlatformFacts.script(), List.of(), "read the platform"));
      PlatformCheck.require(here, target, "a local container from " + base.reference(), request.target().host());
      log.accept("building in a local container (" + here.distribution() + ", " + here.arch() + "; " + memoryMib
          + " MiB, " + cpus + " CPU" + cpuSet.map(set -> " on CPUs " + set).orElse("") + ") with the cache volume "
          + volume);
      checkRuntimes(request, container);
      sendSource(request, container);
      String releaseName = runBuild(request, container);
      try {
        ReleaseTransfer.Report sent = ReleaseTransfer.send(new ContainerReleaseSource(container, "/cache/releases/"
            + request.releaseId()), request.target(), request.appDir(), request.releaseId(),
            ServerLayout.STORAGE_ROOT + "/" + app, log);
        return new BuiltRelease(sent.releaseName().isEmpty() ? releaseName : sent.releaseName(), sent.releaseBytes(),
            sent.bytesSent());
      } catch (BuildFailure e) {
        throw e;
      } catch (PotionsException | UncheckedIOException e) {
        throw new BuildFailure(Reason.TRANSFER_FAILED, "The release was built in a local container but could not"
            + " reach the app server: " + e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildFailure(Reason.BUILD_FAILED, "The build in the local container was interrupted and stopped.");
    } catch (RuntimeException e) {
      if (container != null && stopped.contains(container)) {
        throw new BuildFailure(Reason.BUILD_FAILED, "The build in the local container was stopped: its deploy was"
            + " cancelled.");
      }
      throw e;
    } finally {
      if (container != null) {
        running.remove(key, container);
        stopped.remove(container);
        // The release was sent (or the build failed); the next build also clears leftovers.
        DockerEngine.remove(container);
      }
      cacheLock.unlock();
    }
  }

  /** The key of {@link #running}: one build per app and app server at a time. */
  private static String buildKey(String app, RemoteExecutor target) {
    return app + "@" + target.host();
  }

  /**
   * Kills the app's build container: the build step (or the transfer) in progress fails, and the
   * build ends as stopped. Nothing reached the app server but what the transfer removes itself.
   */
  @Override
  public String stop(String app, RemoteExecutor target) {
    String container = running.get(buildKey(app, target));
    if (container == null) {
      return "no build of " + app + " was running in a local container";
    }
    stopped.add(container);
    DockerEngine.kill(container);
    return "the local build container " + container.substring(0, Math.min(12, container.length())) + " was stopped";
  }

  /**
   * Removes this builder's cache volumes (every app's), as after a base image change the old ones are
   * never used again. Not while a build runs.
   *
   * @return the names of the volumes removed
   */
  public List<String> removeCaches() {
    List<String> removed = new ArrayList<>();
    var volumes = DockerEngine.client().listVolumesCmd().withFilter("label", List.of(LABEL + "=local-container"))
        .exec().getVolumes();
    if (volumes == null) {
      return removed;
    }
    for (var v : volumes) {
      if (v.getName().startsWith(cachePrefix)) {
        DockerEngine.client().removeVolumeCmd(v.getName()).exec();
        removed.add(v.getName());
      }
    }
    return removed;
  }

  /**
   * The build image for this base, built once per base image and recipe. Before building it, the
   * base's platform is compared with the app server's: a mismatched base is refused in seconds rather
   * than after minutes of apt (the build container is checked again, as what apt adds may differ).
   */
  private String image(PlatformFacts target, String targetHost, Consumer<String> log) {
    synchronized (LocalContainerBuilder.class) {
      try {
        if (!DockerEngine.imageExists(base.reference())) {
          if (!base.pullWhenMissing()) {
            throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "The local Docker engine has no image '"
                + base.reference() + "' for the local-container builder. Build or load it (for example a"
                + " debootstrapped root file system of the app servers' distribution), or use BaseImage.pulled(...)"
                + " where a registry is reachable.");
          }
          log.accept("pulling the base image " + base.reference());
          DockerEngine.pull(base.reference(), IMAGE_BUILD_LIMIT);
          if (!DockerEngine.imageExists(base.reference())) {
            throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "Could not pull " + base.reference()
                + " (is its registry reachable from this machine?).");
          }
        }
        String dockerfile = ScriptTemplate.load(LocalContainerBuilder.class, "/io/potions/docker/build-image.Dockerfile")
            .raw("BASE", base.reference()).render();
        String tag = "potions-builder/build:"
            + Hashing.sha256Hex(dockerfile + DockerEngine.imageId(base.reference())).substring(0, 16);
        if (!DockerEngine.imageExists(tag)) {
          PlatformCheck.require(probe(base.reference()), target, "a local container from " + base.reference(),
              targetHost);
          log.accept("building the build image " + tag + " from " + base.reference() + " (once; cached afterwards)");
          try {
            DockerEngine.build(dockerfile, tag, Map.of(LABEL, "local-container"), IMAGE_BUILD_LIMIT, log);
          } catch (RuntimeException e) {
            throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "Could not build the local-container build image from "
                + base.reference() + " (it must be apt-based with reachable package sources): " + e.getMessage());
          }
        }
        return tag;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "Interrupted while preparing the build image.");
      }
    }
  }

  /** The platform facts of an image, read in a throwaway container of it (no volume, removed after). */
  private static PlatformFacts probe(String image) throws InterruptedException {
    var client = DockerEngine.client();
    long memoryBytes = 256L * 1024 * 1024;
    String id = client.createContainerCmd(image).withCmd("sleep", "infinity")
        .withLabels(Map.of(LABEL, "local-container"))
        .withHostConfig(HostConfig.newHostConfig().withMemory(memoryBytes).withMemorySwap(memoryBytes)).exec().getId();
    try {
      client.startContainerCmd(id).exec();
      return PlatformFacts.parse(run(id, PlatformFacts.script(), List.of(), "read the base image's platform"));
    } catch (BuildFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BuildFailure(Reason.BUILD_FAILED, "Could not start a container of " + image + " to read its"
          + " platform: " + e.getMessage());
    } finally {
      DockerEngine.remove(id);
    }
  }

  private String start(String image, String volume, String app) {
    var client = DockerEngine.client();
    try {
      client.inspectVolumeCmd(volume).exec();
    } catch (NotFoundException e) {
      client.createVolumeCmd().withName(volume).withLabels(Map.of(LABEL, "local-container", "io.potions.app", app))
          .exec();
    }
    long memoryBytes = memoryMib * 1024L * 1024L;
    HostConfig host = HostConfig.newHostConfig()
        .withBinds(new Bind(volume, new Volume("/cache")))
        .withMemory(memoryBytes)
        .withMemorySwap(memoryBytes)
        .withNanoCPUs((long) (cpus * 1_000_000_000L));
    cpuSet.ifPresent(host::withCpusetCpus);
    String id = client.createContainerCmd(image).withCmd("sleep", "infinity").withWorkingDir("/cache")
        .withLabels(Map.of(LABEL, "local-container", "io.potions.app", app)).withHostConfig(host).exec().getId();
    try {
      client.startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      DockerEngine.remove(id);
      throw new BuildFailure(Reason.BUILD_FAILED, "Could not start the build container: " + e.getMessage());
    }
    return id;
  }

  /** Sends the commit as a git bundle, thin against what the cached work tree already has. */
  private static void sendSource(BuildRequest request, String container) throws InterruptedException {
    List<String> have = new ArrayList<>();
    for (String line : run(container, "git -C /cache/build rev-list --max-count=200 refs/potions/deploy 2>/dev/null"
        + " || true", List.of(), "list the cached commits").split("\n")) {
      if (line.trim().matches("[0-9a-f]{40}")) {
        have.add(line.trim());
      }
    }
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    request.source().writeBundle(request.commit(), have, bundle);
    DockerEngine.copyIn(container, Map.of(BUNDLE, bundle.toByteArray()));
    request.log().accept("copied " + request.commit().shortSha() + " into the build container as a " + bundle.size()
        + "-byte bundle" + (have.isEmpty() ? " (no cached work tree: full history)" : " (thin)"));
  }

  private String runBuild(BuildRequest request, String container) throws InterruptedException {
    Map<String, String> markers = new LinkedHashMap<>();
    List<String> tail = new ArrayList<>();
    DockerEngine.Exec built = DockerEngine.exec(container, resource("container-build.sh"),
        List.of("container-build", request.releaseId(), request.commit().sha()), request.timeout(), null, line -> {
          if (line.startsWith("POTIONS_") && line.contains("=")) {
            markers.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            return;
          }
          synchronized (tail) {
            tail.add(line);
            if (tail.size() > 30) {
              tail.remove(0);
            }
          }
          request.log().accept(line);
        });
    String last = String.join("\n", tail);
    if (built.timedOut()) {
      throw new BuildFailure(Reason.BUILD_TIMED_OUT, "The build passed its " + request.timeout().toSeconds()
          + " s limit and the build container was stopped. Raise AppSettings.buildTimeout or make the build"
          + " faster. Last output:\n" + last);
    }
    if (built.exitCode() == 137) {
      throw new BuildFailure(Reason.BUILD_OUT_OF_MEMORY, "The build was killed (exit 137) at the build container's"
          + " memory ceiling of " + memoryMib + " MiB; nothing reached the app server. Raise it with"
          + " LocalContainerBuilder.builder(...).memoryMib(...). Last output:\n" + last);
    }
    if (!built.ok()) {
      throw new BuildFailure(Reason.BUILD_FAILED, "The build in the local container failed (exit " + built.exitCode()
          + "). Last output:\n" + last);
    }
    String name = markers.getOrDefault("POTIONS_RELEASE_NAME", "");
    if (name.isEmpty()) {
      throw new BuildFailure(Reason.BUILD_FAILED, "The build made no release executable; does mix.exs define a release?");
    }
    return name;
  }

  /**
   * Versions the app pins (its settings, else {@code .tool-versions}) must be the image's own: this
   * builder uses the image's runtimes and installs no others.
   */
  private void checkRuntimes(BuildRequest request, String container) throws InterruptedException {
    RuntimeVersions wanted = request.runtime();
    String origin = "the app's settings (AppSettings.runtime)";
    if (wanted.isDistributionDefault()) {
      origin = ".tool-versions";
      wanted = request.source().readFile(request.commit(), ".tool-versions").map(RuntimeVersions::fromToolVersions)
          .orElse(RuntimeVersions.distribution());
    }
    if (wanted.isDistributionDefault()) {
      return;
    }
    Map<String, String> have = new LinkedHashMap<>();
    for (String line : run(container, resource("runtime-versions.sh"), List.of(), "read the runtime versions")
        .split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        have.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    List<String> misses = new ArrayList<>();
    miss("Erlang/OTP", wanted.erlang(), have.getOrDefault("erlang", ""), misses);
    miss("Elixir", wanted.elixir().map(v -> v.replaceAll("-otp-.*$", "")), have.getOrDefault("elixir", ""), misses);
    miss("Node.js", wanted.nodejs(), have.getOrDefault("nodejs", ""), misses);
    if (!misses.isEmpty()) {
      throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "The versions pinned in " + origin + " are not the build"
          + " image's (from " + base.reference() + "): " + String.join("; ", misses) + ". Use a base image with"
          + " those versions (such as a hexpm/elixir tag), or change the pins.");
    }
    request.log().accept("runtimes pinned in " + origin + " are the build image's: OTP " + have.get("erlang")
        + ", Elixir " + have.get("elixir") + ", Node.js " + have.get("nodejs"));
  }

  /** A pin matches the installed version when equal, or a prefix at a dot (27 matches 27.3.4.1). */
  static boolean matches(String pin, String installed) {
    String p = pin.startsWith("v") ? pin.substring(1) : pin;
    return !installed.isEmpty() && (installed.equals(p) || installed.startsWith(p + "."));
  }

  private static void miss(String what, Optional<String> pin, String installed, List<String> misses) {
    if (pin.isPresent() && !matches(pin.get(), installed)) {
      misses.add(what + " " + pin.get() + " is pinned, the image has " + (installed.isEmpty() ? "none" : installed));
    }
  }

  private static String run(String container, String script, List<String> args, String what)
      throws InterruptedException {
    StringBuilder out = new StringBuilder();
    DockerEngine.Exec r = DockerEngine.exec(container, script, args, STEP_LIMIT, null, line -> out.append(line).append('\n'));
    if (!r.ok()) {
      throw new BuildFailure(Reason.BUILD_FAILED, "Could not " + what + " in the build container (exit " + r.exitCode()
          + "): " + out);
    }
    return out.toString();
  }

  private static String resource(String name) {
    try (InputStream in = LocalContainerBuilder.class.getResourceAsStream("/io/potions/docker/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name() + " from " + base;
  }
}
