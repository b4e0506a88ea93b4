package io.potions.app;

import io.potions.PotionsException;
import io.potions.app.DeployFailedException.Reason;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;

/**
 * Builds on the app's own server: the commit travels as a git bundle thin against what the server
 * already has, and {@code mix release} runs there with {@code deps/} and {@code _build/} kept between
 * builds. The zero-setup default: the server has the same OS and libraries the release will run on.
 */
public final class OnServerBuilder implements ReleaseBuilder {
  private static final Duration RUNTIME_INSTALL_LIMIT = Duration.ofMinutes(45);
  private static final Duration NODE_INSTALL_LIMIT = Duration.ofMinutes(20);

  private final boolean installPinnedRuntimes;

  /**
   * Creates the builder that uses the server's own (distribution) Erlang, Elixir and Node.js: a
   * version the app pins that they do not match is refused before anything is built.
   */
  public OnServerBuilder() {
    this(false);
  }

  private OnServerBuilder(boolean installPinnedRuntimes) {
    this.installPinnedRuntimes = installPinnedRuntimes;
  }

  /**
   * A builder that installs pinned versions the distribution does not have with mise (a pinned,
   * checksum-verified release) under {@code /opt/potions/.runtimes}. The server must reach GitHub
   * and, for Erlang, compile it (tens of minutes the first time).
   *
   * @return the builder
   */
  public static OnServerBuilder installingPinnedRuntimes() {
    return new OnServerBuilder(true);
  }

  @Override
  public String name() {
    return "on-server";
  }

  @Override
  public BuiltRelease build(BuildRequest request) {
    RemoteExecutor server = request.target();
    String app = request.app();
    // Pins the server cannot meet are refused before anything is sent.
    nodeForAssets(request);
    String pathPrefix = runtime(request);
    long sent;
    try {
      sent = sendSource(request);
    } catch (PotionsException e) {
      throw e instanceof BuildFailure ? e : new BuildFailure(Reason.TRANSFER_FAILED, e.getMessage());
    }
    ExecResult result = server.run(RemoteCommand.of("Building " + request.commit().shortSha(),
            AppScripts.build(app, request.commit().sha(), request.releaseId(), pathPrefix, request.timeout(),
                request.limits())).limit(request.timeout()),
        (stream, line) -> request.log().accept(line));
    if (!result.ok()) {
      server.run(RemoteCommand.of("Removing the failed release", AppScripts.removeRelease(app, request.releaseId())));
      // Before the time limit's check: a process killed at the ceiling also ends the build with 137.
      java.util.Optional<String> ceiling = AppScripts.BuildOutput.outOfMemory(result);
      if (ceiling.isPresent()) {
        throw new BuildFailure(Reason.BUILD_OUT_OF_MEMORY, outOfMemoryMessage(ceiling.get()) + " Last output:\n"
            + result.tail(15));
      }
      if (result.timedOut()) {
        throw new BuildFailure(Reason.BUILD_TIMED_OUT, "The build passed its " + request.timeout().toSeconds()
            + " s limit and was stopped on the server. Raise AppSettings.buildTimeout or make the build"
            + " faster. Last output:\n" + result.tail(20));
      }
      throw new BuildFailure(Reason.BUILD_FAILED, "The build failed (exit " + result.exitStatus()
          + "). Last output:\n" + result.tail(30) + hint(result));
    }
    AppScripts.BuildOutput output = AppScripts.BuildOutput.parse(result);
    if (output.releaseName().isEmpty()) {
      // Half a release (a build stopped while mix wrote it) is no release: nothing of it stays.
      server.run(RemoteCommand.of("Removing the failed release", AppScripts.removeRelease(app, request.releaseId())));
    }
    String releaseName = output.releaseName().orElseThrow(() -> new BuildFailure(Reason.BUILD_FAILED,
        "The build made no release executable; does mix.exs define a release?"));
    return new BuiltRelease(releaseName, output.releaseBytes(), sent);
  }

  /** Stops the app's build unit on {@code target}; the build's helper then exits with an error. */
  @Override
  public String stop(String app, RemoteExecutor target) {
    ExecResult stopped = target.run(RemoteCommand.of("Stopping the build", AppScripts.helper("build-stop", app)));
    if (!stopped.ok()) {
      return "stopping the build on " + target.host() + " failed: " + stopped.tail(3);
    }
    return stopped.out().contains("no build running") ? "no build was running on " + target.host()
        : "the build was stopped on " + target.host();
  }

  /**
   * @param ceilingMib the build's memory ceiling as the server reported it
   * @return what happened and what to do
   */
  static String outOfMemoryMessage(String ceilingMib) {
    return "The build needed more than " + ceilingMib + " MB of memory and was stopped at its ceiling; the live"
        + " app kept serving. Raise buildMemoryMaxMib (AppSettings; unset, it is half of the server's memory),"
        + " use a build server, or use a server with more memory.";
  }

  private static String hint(ExecResult result) {
    // The C library says "No space left on device"; Erlang (mix writing its manifests) says :enospc.
    String tail = result.tail(60);
    return tail.contains("No space left on device") || tail.contains("enospc")
        ? "\nNo space left on device: the server's disk (or the build area) is full. Free space (old"
            + " releases are pruned automatically) or resize it, then deploy again." : "";
  }

  /** Sends the commit as a bundle thin against what the server has; the full history when that fails. */
  private static long sendSource(BuildRequest request) {
    RemoteExecutor server = request.target();
    String app = request.app();
    List<String> have = server.require(RemoteCommand.of("Listing the server's commits", AppScripts.knownCommits(app)))
        .stdout().stream().map(String::trim).filter(s -> s.matches("[0-9a-f]{40}")).toList();
    long sent = uploadBundle(request, have);
    RemoteCommand fetch = RemoteCommand.of("Taking the bundle", AppScripts.fetchBundle(app, request.commit().sha()));
    ExecResult fetched = server.run(fetch);
    if (fetched.exitStatus() == AppScripts.MISSING_PREREQUISITES) {
      request.log().accept("the server lacks the commits the thin bundle builds on; sending the full history");
      sent += uploadBundle(request, List.of());
      fetched = server.run(fetch);
    }
    if (!fetched.ok()) {
      throw new BuildFailure(Reason.TRANSFER_FAILED, "The server could not take commit "
          + request.commit().shortSha() + ": " + fetched.tail(10));
    }
    request.log().accept("sent " + request.commit().shortSha() + " as a " + sent + "-byte bundle"
        + (have.isEmpty() ? " (first deploy: full history)" : " (only what the server lacked)"));
    return sent;
  }

  private static long uploadBundle(BuildRequest request, List<String> have) {
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    request.source().writeBundle(request.commit(), have, bundle);
    request.target().upload(bundle.toByteArray(), request.appDir() + "/incoming.bundle", 0600);
    return bundle.size();
  }

  /**
   * An app with {@code assets/package.json} needs Node.js and npm for {@code npm ci}: the root helper
   * installs the distribution's packages once (a no-op when they are there).
   */
  private static void nodeForAssets(BuildRequest request) {
    if (request.source().readFile(request.commit(), "assets/package.json").isEmpty()) {
      return;
    }
    ExecResult installed = request.target().run(RemoteCommand.of("Installing Node.js and npm for assets/package.json",
        AppScripts.helper("node-install")).limit(NODE_INSTALL_LIMIT), (stream, line) -> request.log().accept(line));
    if (!installed.ok()) {
      throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "assets/package.json needs Node.js and npm, and installing"
          + " the distribution's nodejs and npm packages on the server failed (exit " + installed.exitStatus()
          + "). Last output:\n" + installed.tail(15));
    }
  }

  /**
   * Checks the versions the app pins (settings, else {@code .tool-versions}) against the server's own;
   * installs the missing ones when this builder may, else refuses. Returns the PATH prefix the
   * build needs (empty: the distribution's runtimes).
   */
  private String runtime(BuildRequest request) {
    RuntimeVersions pinned = request.runtime();
    String origin = "the app's settings (AppSettings.runtime)";
    RuntimeVersions wanted = pinned;
    if (pinned.isDistributionDefault()) {
      origin = ".tool-versions";
      wanted = request.source().readFile(request.commit(), ".tool-versions").map(RuntimeVersions::fromToolVersions)
          .orElse(RuntimeVersions.distribution());
    }
    if (wanted.isDistributionDefault()) {
      return "";
    }
    RuntimeCheck.Installed have = RuntimeCheck.Installed.parse(request.target().require(
        RemoteCommand.of("Reading the server's runtime versions", RuntimeCheck.probeScript())));
    java.util.Optional<String> refusal = RuntimeCheck.refusal(wanted, origin, have);
    if (refusal.isEmpty()) {
      request.log().accept("runtimes pinned in " + origin + " are met by the server's own: OTP " + have.erlang()
          + ", Elixir " + have.elixir() + (have.nodejs().isEmpty() ? "" : ", Node.js " + have.nodejs()));
      return "";
    }
    if (!installPinnedRuntimes) {
      throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, refusal.get());
    }
    request.log().accept("installing runtimes " + wanted);
    ExecResult installed = request.target().run(RemoteCommand.of("Installing runtimes " + wanted,
        RuntimeScripts.install(wanted)).limit(RUNTIME_INSTALL_LIMIT), (stream, line) -> request.log().accept(line));
    if (!installed.ok()) {
      throw new BuildFailure(Reason.RUNTIME_UNAVAILABLE, "Could not install " + wanted + " on the server."
          + " Pin versions mise can install (see 'mise ls-remote erlang'), or remove .tool-versions to use"
          + " the distribution's Erlang/Elixir. Last output:\n" + installed.tail(15));
    }
    return RuntimeScripts.pathPrefix(wanted);
  }
}
