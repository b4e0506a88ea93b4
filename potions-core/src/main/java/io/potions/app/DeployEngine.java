package io.potions.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.potions.PotionsException;
import io.potions.app.DeployFailedException.Reason;
import io.potions.progress.ProgressEvent;
import io.potions.remote.RemoteShell;
import io.potions.source.SourceCommit;
import io.potions.spi.SourceHost;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Build, verify, switch. Runs under the server's deploy lock; every step is a rendered script run
 * by the deploy user's shell. Until the switch, nothing the live slot uses is touched, so any
 * failure before it leaves the app serving exactly as it was; the switch itself is one atomic NAT
 * rule flip on the server.
 */
final class DeployEngine {
  private static final Logger log = LoggerFactory.getLogger(DeployEngine.class);
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final Duration STEP_LIMIT = Duration.ofMinutes(2);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);
  private static final int LOG_LINES_KEPT = 3_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ServerContext ctx;
  private final String app;

  DeployEngine(ServerContext ctx, String app) {
    this.ctx = ctx;
    this.app = app;
  }

  /** The state of one run, collected as it goes. */
  private final class Run {
    final String id;
    final String kind;
    final String ref;
    String commit;
    final Instant startedAt = Instant.now();
    final List<Stage> stages = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    long bytesSent;
    long releaseBytes;
    Slot slot;

    Run(String kind, String ref, String commit) {
      this.kind = kind;
      this.ref = ref;
      this.commit = commit;
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(startedAt);
      String sha = commit == null ? "0000000" : commit.substring(0, 7);
      this.id = stamp + "-" + sha + "-" + Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
    }

    synchronized void line(String stage, String raw) {
      String text = ctx.redactor().redact(raw);
      if (log.size() >= LOG_LINES_KEPT) {
        log.remove(0);
      }
      log.add(text);
      emit(new ProgressEvent.StepOutput(ctx.serverName(), stage, text));
    }

    Deployment record(String status, String error) {
      return new Deployment(id, app, kind, ref, commit, status, slot == null ? null : slot.id(), initiator(),
          startedAt, Instant.now(), List.copyOf(stages), bytesSent, releaseBytes, error, List.copyOf(log));
    }
  }

  /** A stage failed; carries the reason and a message for people. */
  private static final class StageFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Reason reason;

    StageFailure(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  /** What the server says is live, and what is kept. */
  record LiveState(Optional<Slot> liveSlot, Optional<String> liveRelease, List<ReleaseRecord> releases) {}

  Deployment deploy(SourceHost source, SourceCommit commit) {
    Run run = new Run("deploy", commit.ref(), commit.sha());
    source.reportDeployment(commit, "in_progress", "Potions is deploying " + commit.shortSha());
    try {
      Deployment done = execute(run, (manifest, state, shell) -> build(run, shell, manifest, source, commit));
      source.reportDeployment(commit, "success", "Live on " + manifest().domains().get(0));
      return done;
    } catch (DeployFailedException e) {
      source.reportDeployment(commit, "failure", e.reason().name().toLowerCase(java.util.Locale.ROOT));
      throw e;
    } catch (RuntimeException e) {
      // Whatever ended the deploy (lock timeout, unreachable server...), the source host must not
      // be left showing it "in progress".
      source.reportDeployment(commit, "failure", e.getClass().getSimpleName());
      throw e;
    }
  }

  Deployment rollback() {
    Run run = new Run("rollback", null, null);
    return execute(run, (manifest, state, shell) -> {
      ReleaseRecord previous = previousRelease(state)
          .orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE, "App " + app
              + " has no earlier release on the server to roll back to (releases kept: "
              + state.releases().stream().map(ReleaseRecord::id).toList() + ")."));
      run.commit = previous.commit();
      run.stages.add(new Stage("build", "skipped", Duration.ZERO));
      run.line("build", "rolling back to release " + previous.id() + " (" + previous.commit().substring(0, 7)
          + "), no build");
      return previous;
    });
  }

  Deployment restart() {
    Run run = new Run("restart", null, null);
    return execute(run, (manifest, state, shell) -> {
      String live = state.liveRelease().orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE,
          "App " + app + " has nothing deployed yet; deploy it first."));
      ReleaseRecord current = state.releases().stream().filter(r -> r.id().equals(live)).findFirst()
          .orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE, "The live release " + live
              + " is not in the app's state; deploy again."));
      run.commit = current.commit();
      run.stages.add(new Stage("build", "skipped", Duration.ZERO));
      return current;
    });
  }

  /**
   * The release list once {@code release} goes live: a new build goes first; a release already
   * kept (a rollback or restart) keeps its place, so rolling back twice goes two releases back
   * rather than returning to the newest.
   */
  static List<ReleaseRecord> releasesAfter(List<ReleaseRecord> kept, ReleaseRecord release) {
    if (kept.stream().anyMatch(r -> r.id().equals(release.id()))) {
      return new ArrayList<>(kept);
    }
    List<ReleaseRecord> releases = new ArrayList<>();
    releases.add(release);
    releases.addAll(kept);
    return releases;
  }

  static Optional<ReleaseRecord> previousRelease(LiveState state) {
    List<ReleaseRecord> releases = state.releases();
    int live = -1;
    for (int i = 0; i < releases.size(); i++) {
      if (state.liveRelease().map(releases.get(i).id()::equals).orElse(false)) {
        live = i;
      }
    }
    return live >= 0 && live + 1 < releases.size() ? Optional.of(releases.get(live + 1)) : Optional.empty();
  }

  @FunctionalInterface
  private interface ReleaseProducer {
    ReleaseRecord produce(AppManifest manifest, LiveState state, RemoteShell shell);
  }

  private Deployment execute(Run run, ReleaseProducer producer) {
    RemoteShell shell = ctx.deployShell();
    try (ServerLock lock = ServerLock.acquire(shell.connection(), initiator() + " " + run.kind + " " + app
        + " " + run.id + " since " + run.startedAt, LOCK_WAIT,
        holder -> run.line("queue", "waiting for the deploy lock held by " + holder))) {
      AppManifest manifest = manifest();
      LiveState state = liveState(shell, manifest);
      ReleaseRecord release;
      try {
        release = producer.produce(manifest, state, shell);
      } catch (StageFailure e) {
        return fail(run, shell, e);
      }
      Slot standby = state.liveSlot().map(Slot::other).orElse(Slot.BLUE);
      run.slot = standby;
      try {
        verify(run, shell, manifest, release, standby);
      } catch (StageFailure e) {
        stopQuietly(shell, standby);
        return fail(run, shell, e);
      }
      try {
        switchTo(run, shell, manifest, state, release, standby);
      } catch (StageFailure e) {
        return fail(run, shell, e);
      }
      Deployment done = run.record("succeeded", null);
      save(shell, done);
      log.info("[{}] {} {} succeeded: {} live in slot {} ({})", ctx.serverName(), run.kind, app,
          release.id(), standby.id(), done.stages());
      return done;
    }
  }

  private Deployment fail(Run run, RemoteShell shell, StageFailure e) {
    String message = ctx.redactor().redact(e.getMessage());
    Deployment failed = run.record("failed", message);
    try {
      save(shell, failed);
    } catch (RuntimeException saveError) {
      log.warn("[{}] could not record failed deployment {}: {}", ctx.serverName(), run.id, saveError.toString());
    }
    String outcome = e.reason == Reason.SWITCH_FAILED ? "; which slot serves is said below"
        : "; the live app was not touched";
    throw new DeployFailedException(run.kind + " of " + app + " failed (" + e.reason + ")" + outcome + ".\n"
        + message, e.reason, failed);
  }

  // ---- build ---------------------------------------------------------------------------------

  private ReleaseRecord build(Run run, RemoteShell shell, AppManifest manifest, SourceHost source,
      SourceCommit commit) {
    long started = System.nanoTime();
    emit(new ProgressEvent.StepStarted(ctx.serverName(), "build", "Build " + commit.shortSha() + " ("
        + commit.message() + ") on the server"));
    try {
      run.bytesSent = sendSource(run, shell, source, commit);
      String pathPrefix = runtime(run, shell, manifest, source, commit);
      ExecResult result = shell.run(AppScripts.build(app, commit.sha(), run.id, pathPrefix), false,
          Duration.ofSeconds(manifest.buildTimeoutSeconds()),
          (stream, line) -> run.line("build", line));
      if (!result.ok()) {
        shell.run(AppScripts.removeRelease(app, run.id), false, STEP_LIMIT, OutputListener.IGNORE);
        if (result.exitStatus() == 124 || result.exitStatus() == 137) {
          throw new StageFailure(Reason.BUILD_TIMED_OUT, "The build passed its " + manifest.buildTimeoutSeconds()
              + " s limit and was stopped on the server. Raise AppSettings.buildTimeout or make the build"
              + " faster. Last output:\n" + result.tail(20));
        }
        throw new StageFailure(Reason.BUILD_FAILED, "The build failed (exit " + result.exitStatus()
            + "). Last output:\n" + result.tail(30) + hint(result));
      }
      String releaseName = value(result, "POTIONS_RELEASE_NAME=");
      run.releaseBytes = Long.parseLong(value(result, "POTIONS_RELEASE_BYTES=").isEmpty() ? "0"
          : value(result, "POTIONS_RELEASE_BYTES="));
      if (releaseName.isEmpty()) {
        throw new StageFailure(Reason.BUILD_FAILED, "The build made no release executable; does mix.exs"
            + " define a release?");
      }
      finishStage(run, "build", started, true, null);
      return new ReleaseRecord(run.id, commit.sha(), releaseName, run.releaseBytes);
    } catch (StageFailure e) {
      finishStage(run, "build", started, false, e.getMessage());
      throw e;
    } catch (PotionsException e) {
      finishStage(run, "build", started, false, e.getMessage());
      throw new StageFailure(Reason.TRANSFER_FAILED, e.getMessage());
    }
  }

  private static String hint(ExecResult result) {
    String all = result.tail(60);
    if (all.contains("No space left on device")) {
      return "\nThe server's disk is full: free space (old releases are pruned automatically) or resize it.";
    }
    return "";
  }

  private long sendSource(Run run, RemoteShell shell, SourceHost source, SourceCommit commit) {
    List<String> have = shell.require("Listing the server's commits", AppScripts.knownCommits(app), false,
        STEP_LIMIT).stdout().stream().map(String::trim).filter(s -> s.matches("[0-9a-f]{40}")).toList();
    long sent = uploadBundle(shell, source, commit, have);
    ExecResult fetched = shell.run(AppScripts.fetchBundle(app, commit.sha()), false, STEP_LIMIT, OutputListener.IGNORE);
    if (fetched.exitStatus() == AppScripts.MISSING_PREREQUISITES) {
      run.line("build", "the server lacks the commits the thin bundle builds on; sending the full history");
      sent += uploadBundle(shell, source, commit, List.of());
      fetched = shell.run(AppScripts.fetchBundle(app, commit.sha()), false, STEP_LIMIT, OutputListener.IGNORE);
    }
    if (!fetched.ok()) {
      throw new StageFailure(Reason.TRANSFER_FAILED, "The server could not take commit " + commit.shortSha()
          + ": " + fetched.tail(10));
    }
    run.line("build", "sent " + commit.shortSha() + " as a " + sent + "-byte bundle"
        + (have.isEmpty() ? " (first deploy: full history)" : " (only what the server lacked)"));
    return sent;
  }

  private long uploadBundle(RemoteShell shell, SourceHost source, SourceCommit commit, List<String> have) {
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    source.writeBundle(commit, have, bundle);
    shell.connection().upload(bundle.toByteArray(), AppScripts.dir(app) + "/incoming.bundle", 0600);
    return bundle.size();
  }

  private String runtime(Run run, RemoteShell shell, AppManifest manifest, SourceHost source, SourceCommit commit) {
    RuntimeVersions pinned = manifest.settings().runtime();
    RuntimeVersions wanted = pinned.isDistributionDefault()
        ? source.readFile(commit, ".tool-versions").map(RuntimeVersions::fromToolVersions)
            .orElse(RuntimeVersions.distribution())
        : pinned;
    if (wanted.isDistributionDefault()) {
      return "";
    }
    run.line("build", "installing runtimes " + wanted);
    ExecResult installed = shell.run(RuntimeScripts.install(wanted), false, Duration.ofMinutes(45),
        (stream, line) -> run.line("build", line));
    if (!installed.ok()) {
      throw new StageFailure(Reason.RUNTIME_UNAVAILABLE, "Could not install " + wanted + " on the server."
          + " Pin versions mise can install (see 'mise ls-remote erlang'), or remove .tool-versions to use"
          + " the distribution's Erlang/Elixir. Last output:\n" + installed.tail(15));
    }
    return RuntimeScripts.pathPrefix(wanted);
  }

  // ---- verify --------------------------------------------------------------------------------

  private void verify(Run run, RemoteShell shell, AppManifest manifest, ReleaseRecord release, Slot slot) {
    long started = System.nanoTime();
    emit(new ProgressEvent.StepStarted(ctx.serverName(), "verify", "Start release " + release.id()
        + " in the " + slot.id() + " slot and health-check it"));
    try {
      step(shell, "Pointing the " + slot.id() + " slot at the release", AppScripts.pointSlot(app, slot, release.id()), null);
      step(shell, "Installing the slot's environment", AppScripts.installEnv(app, slot),
          EnvFile.render(slotEnv(shell, manifest, release, slot)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (manifest.migration() != null) {
        run.line("verify", "running migration: " + manifest.migration());
        ExecResult migrated = shell.run(AppScripts.migrate(app, slot, manifest.migration()), false,
            Duration.ofMinutes(30), (stream, line) -> run.line("verify", line));
        if (!migrated.ok()) {
          throw new StageFailure(Reason.MIGRATION_FAILED, "The migration '" + manifest.migration()
              + "' failed (exit " + migrated.exitStatus() + "); no traffic moved. Its output:\n" + migrated.tail(25));
        }
      }
      step(shell, "Starting the " + slot.id() + " slot", AppScripts.startSlot(app, slot), null);
      HealthCheck check = manifest.settings().healthCheck();
      String host = check.host().orElse(manifest.domains().get(0));
      ExecResult health = shell.run(AppScripts.healthCheck(app, slot, manifest.slotPort(slot), check, host),
          false, check.deadline().plus(check.settle()).plusSeconds(30), OutputListener.IGNORE);
      String verdict = value(health, AppScripts.HEALTH_MARKER);
      if (!health.ok()) {
        String logs = shell.run(AppScripts.logs(app, slot, 40), false, STEP_LIMIT, OutputListener.IGNORE).out();
        Reason reason = verdict.startsWith("crashed") ? Reason.CRASHED_ON_START : Reason.HEALTH_CHECK_FAILED;
        String what = reason == Reason.CRASHED_ON_START
            ? (verdict.contains("after-healthy")
                ? "The new release passed its health check, then exited within the " + check.settle().toSeconds()
                    + " s settle time"
                : "The new release exited while starting")
            : "The new release did not answer GET " + check.path() + " with " + check.expectedStatus()
                + " (Host: " + host + ") within " + check.deadline().toSeconds() + " s (" + verdict + ")";
        throw new StageFailure(reason, what + "; it was stopped and the live app keeps serving."
            + " Last lines of its log:\n" + logs);
      }
      run.line("verify", "healthy: GET " + check.path() + " answered " + check.expectedStatus());
      finishStage(run, "verify", started, true, null);
    } catch (StageFailure e) {
      finishStage(run, "verify", started, false, e.getMessage());
      throw e;
    } catch (PotionsException e) {
      finishStage(run, "verify", started, false, e.getMessage());
      throw new StageFailure(Reason.TRANSFER_FAILED, e.getMessage());
    }
  }

  private Map<String, String> slotEnv(RemoteShell shell, AppManifest manifest, ReleaseRecord release, Slot slot) {
    List<String> files = readFiles(shell, List.of(AppScripts.dir(app) + "/secrets/generated.env",
        AppScripts.dir(app) + "/secrets/env"));
    Map<String, String> generated = EnvFile.parse(files.get(0));
    Map<String, String> user = EnvFile.parse(files.get(1));
    generated.values().forEach(ctx.redactor()::register);
    user.values().forEach(ctx.redactor()::register);
    return mergeEnv(app, manifest, generated, user, release, slot);
  }

  /** Generated values first, then the user's (which may not override reserved keys), then the slot's. */
  static Map<String, String> mergeEnv(String app, AppManifest manifest, Map<String, String> generated,
      Map<String, String> user, ReleaseRecord release, Slot slot) {
    Map<String, String> env = new LinkedHashMap<>(generated);
    env.put("PHX_HOST", manifest.domains().get(0));
    user.forEach((k, v) -> {
      if (!EnvFile.RESERVED.contains(k) && !k.startsWith("POTIONS_")) {
        env.put(k, v);
      }
    });
    env.put("PORT", Integer.toString(manifest.slotPort(slot)));
    env.put("RELEASE_NODE", app.replace('-', '_') + "_" + slot.id() + "@127.0.0.1");
    env.put("RELEASE_DISTRIBUTION", "none");
    env.put("POTIONS_APP", app);
    env.put("POTIONS_SLOT", slot.id());
    env.put("POTIONS_RELEASE_ID", release.id());
    env.put("POTIONS_RELEASE_NAME", release.releaseName());
    return env;
  }

  // ---- switch --------------------------------------------------------------------------------

  private void switchTo(Run run, RemoteShell shell, AppManifest manifest, LiveState state, ReleaseRecord release,
      Slot slot) {
    long started = System.nanoTime();
    emit(new ProgressEvent.StepStarted(ctx.serverName(), "switch", "Move traffic to the " + slot.id() + " slot"));
    // The release list is written before traffic moves: whatever happens to the connection from
    // here on, the server's state already knows the release that may be live.
    List<ReleaseRecord> releases = releasesAfter(state.releases(), release);
    try {
      writeJson(shell, AppScripts.dir(app) + "/state.json", Map.of("releases", releases));
      step(shell, "Switching traffic to the " + slot.id() + " slot",
          AppScripts.route(app, manifest.port(), manifest.slotPort(slot)), null);
      run.line("switch", "new connections now go to the " + slot.id() + " slot (port " + manifest.slotPort(slot) + ")");
    } catch (PotionsException e) {
      finishStage(run, "switch", started, false, e.getMessage());
      throw new StageFailure(Reason.SWITCH_FAILED, switchFailed(manifest, slot, e));
    }
    // Traffic has moved: from here on, trouble is reported but the deploy stands.
    try {
      state.liveSlot().ifPresent(old -> {
        ExecResult drained = shell.run(AppScripts.drain(manifest.slotPort(old), Duration.ofSeconds(manifest.drainTimeoutSeconds())),
            false, Duration.ofSeconds(manifest.drainTimeoutSeconds() + 60), OutputListener.IGNORE);
        run.line("switch", "old " + old.id() + " slot drained (" + drained.out().trim() + "), stopping it");
        ExecResult stopped = shell.run(AppScripts.stopSlot(app, old), false, STEP_LIMIT, OutputListener.IGNORE);
        if (!stopped.ok()) {
          run.line("switch", "warning: stopping the old slot failed: " + stopped.tail(5));
        }
      });
      step(shell, "Enabling the " + slot.id() + " slot at boot", AppScripts.enableSlot(app, slot), null);
      List<String> keep = new ArrayList<>();
      List<String> prune = new ArrayList<>();
      for (ReleaseRecord r : releases) {
        boolean pinned = r.id().equals(release.id()) || state.liveRelease().map(r.id()::equals).orElse(false);
        (keep.size() < manifest.keepReleases() || pinned ? keep : prune).add(r.id());
      }
      if (!prune.isEmpty()) {
        writeJson(shell, AppScripts.dir(app) + "/state.json",
            Map.of("releases", releases.stream().filter(r -> keep.contains(r.id())).toList()));
        shell.run(AppScripts.pruneReleases(app, prune), false, STEP_LIMIT, OutputListener.IGNORE);
        run.line("switch", "pruned old releases " + prune);
      }
    } catch (PotionsException e) {
      run.line("switch", "warning: traffic moved to the " + slot.id() + " slot, but cleaning up afterwards failed ("
          + e.getMessage() + "); the next deploy finishes it");
    }
    finishStage(run, "switch", started, true, null);
  }

  /**
   * The switch command failed, possibly after the server flipped the route (a dropped connection
   * loses the answer, not the action). Find out which slot serves before touching anything: never
   * stop the slot that may be live.
   */
  private String switchFailed(AppManifest manifest, Slot slot, PotionsException cause) {
    try {
      RemoteShell fresh = ctx.deployShell();
      String route = fresh.require("Reading which slot is live", AppScripts.currentRoute(app), false, STEP_LIMIT).out();
      if (route.trim().endsWith(" " + manifest.slotPort(slot))) {
        return "The connection failed during the switch, after traffic had already moved to the new "
            + slot.id() + " slot; it serves, and the old slot is still running. Deploy again to finish"
            + " the clean-up. Cause: " + cause.getMessage();
      }
      stopQuietly(fresh, slot);
      return "Switching traffic failed; the previous slot keeps serving and the new one was stopped: "
          + cause.getMessage();
    } catch (PotionsException unreachable) {
      return "The server became unreachable during the switch; both slots were left running, so whichever"
          + " the route points to serves. The next deploy reconciles. Cause: " + cause.getMessage();
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  AppManifest manifest() {
    RemoteShell shell = ctx.deployShell();
    String json = readFiles(shell, List.of(AppScripts.dir(app) + "/app.json")).get(0);
    if (json.isBlank()) {
      throw new AppNotFoundException("App '" + app + "' does not exist on " + ctx.serverName()
          + ". Create it with server.app(\"" + app + "\").create(settings).");
    }
    try {
      return JSON.readValue(json, AppManifest.class);
    } catch (IOException e) {
      throw new PotionsException("The manifest of app " + app + " on " + ctx.serverName() + " is unreadable: "
          + e.getMessage(), e);
    }
  }

  LiveState liveState(RemoteShell shell, AppManifest manifest) {
    String d = AppScripts.dir(app);
    // A route file that exists but cannot be read must stop the deploy: guessing "nothing is live"
    // would start the new release in the slot that is serving.
    String routeFile = io.potions.shell.Shell.quote("/etc/potions/routes/" + app);
    List<String> parts = new ArrayList<>();
    parts.add(shell.require("Reading which slot is live", "if [ -e " + routeFile + " ]; then cat " + routeFile + "; fi",
        false, STEP_LIMIT).out());
    parts.add(readFiles(shell, List.of(d + "/state.json")).get(0));
    List<String> links = shell.require("Reading the slots", "readlink " + io.potions.shell.Shell.quote(d + "/slots/blue/release")
        + " || echo; readlink " + io.potions.shell.Shell.quote(d + "/slots/green/release") + " || echo", false,
        STEP_LIMIT).stdout();
    Optional<Slot> live = Optional.empty();
    String[] route = parts.get(0).trim().split("\\s+");
    if (route.length == 2 && route[1].matches("\\d+")) {
      int port = Integer.parseInt(route[1]);
      live = port == manifest.slotPort(Slot.BLUE) ? Optional.of(Slot.BLUE)
          : port == manifest.slotPort(Slot.GREEN) ? Optional.of(Slot.GREEN) : Optional.empty();
    }
    Optional<String> liveRelease = live.map(s -> links.size() > s.ordinal() ? links.get(s.ordinal()).trim() : "")
        .filter(l -> !l.isEmpty()).map(l -> l.substring(l.lastIndexOf('/') + 1));
    List<ReleaseRecord> releases = new ArrayList<>();
    if (!parts.get(1).isBlank()) {
      try {
        var node = JSON.readTree(parts.get(1)).path("releases");
        for (var r : node) {
          releases.add(JSON.treeToValue(r, ReleaseRecord.class));
        }
      } catch (IOException e) {
        log.warn("[{}] unreadable state.json of {}: {}", ctx.serverName(), app, e.toString());
      }
    }
    return new LiveState(live, liveRelease, releases);
  }

  List<Deployment> deployments() {
    RemoteShell shell = ctx.deployShell();
    List<Deployment> out = new ArrayList<>();
    for (String line : shell.require("Listing deployments", AppScripts.listDeployments(app), false, STEP_LIMIT).stdout()) {
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(JSON.readValue(line, Deployment.class));
      } catch (IOException e) {
        log.warn("[{}] skipping an unreadable deployment record of {}: {}", ctx.serverName(), app, e.toString());
      }
    }
    return out;
  }

  private void save(RemoteShell shell, Deployment deployment) {
    writeJson(shell, AppScripts.dir(app) + "/deployments/" + deployment.id() + ".json", deployment);
  }

  private void writeJson(RemoteShell shell, String path, Object value) {
    try {
      shell.connection().upload(JSON.writeValueAsBytes(value), path, 0644);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> readFiles(RemoteShell shell, List<String> paths) {
    String out = shell.require("Reading app files", AppScripts.readFiles(paths), false, STEP_LIMIT).out();
    List<String> parts = new ArrayList<>(List.of(out.split("\n?--potions-file--\n?", -1)));
    while (parts.size() < paths.size()) {
      parts.add("");
    }
    return parts.subList(0, paths.size());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void step(RemoteShell shell, String what, String script, byte[] stdin) {
    ExecResult r = shell.run(script, false, STEP_LIMIT, OutputListener.IGNORE, stdin);
    if (!r.ok()) {
      throw new PotionsException(what + " failed (exit " + r.exitStatus() + "): " + ctx.redactor().redact(r.tail(10)));
    }
  }

  private void stopQuietly(RemoteShell shell, Slot slot) {
    try {
      shell.run(AppScripts.stopSlot(app, slot), false, STEP_LIMIT, OutputListener.IGNORE);
    } catch (RuntimeException e) {
      log.warn("[{}] could not stop the {} slot of {}: {}", ctx.serverName(), slot.id(), app, e.toString());
    }
  }

  private void finishStage(Run run, String stage, long startedNanos, boolean ok, String message) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    run.stages.add(new Stage(stage, ok ? "succeeded" : "failed", took));
    emit(ok ? new ProgressEvent.StepFinished(ctx.serverName(), stage, true, took)
        : new ProgressEvent.StepFailed(ctx.serverName(), stage, ctx.redactor().redact(message), took));
  }

  private static String value(ExecResult result, String prefix) {
    for (int i = result.stdout().size() - 1; i >= 0; i--) {
      String line = result.stdout().get(i);
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
    return "";
  }

  private void emit(ProgressEvent event) {
    try {
      ctx.listener().onEvent(event);
    } catch (RuntimeException e) {
      log.warn("progress listener threw {}; continuing", e.toString());
    }
  }

  static String initiator() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name", "unknown") + "@" + host + " (pid " + ProcessHandle.current().pid() + ")";
  }
}
