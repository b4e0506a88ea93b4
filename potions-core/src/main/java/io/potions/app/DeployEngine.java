package io.potions.app;

import io.potions.PotionsException;
import io.potions.app.AppScripts.HealthVerdict;
import io.potions.app.AppStore.LiveState;
import io.potions.app.DeployFailedException.Reason;
import io.potions.event.DeployStage;
import io.potions.internal.engine.EnvFile;
import io.potions.internal.engine.ServerContext;
import io.potions.source.SourceCommit;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.SourceHost;
import io.potions.ssh.ExecResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Build, verify, switch: the deploy itself, under the server's deploy lock. Every step is a
 * command value run by the server's {@link RemoteExecutor}; what is stored on the server goes
 * through the {@link AppStore}; the build is the {@link io.potions.spi.ReleaseBuilder}'s. Until the
 * switch, nothing the live slot uses is touched, so any failure before it leaves the app serving
 * exactly as it was; the switch itself is one atomic NAT rule flip on the server.
 */
final class DeployEngine {
  private static final Logger log = LoggerFactory.getLogger(DeployEngine.class);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);
  private static final Duration MIGRATION_LIMIT = Duration.ofMinutes(30);

  private final ServerContext ctx;
  private final String app;
  private final Operation op;
  private RemoteExecutor server;
  private AppStore store;
  /** When {@link #rollback()} was called, on the monotonic clock: the record says how soon traffic moved. */
  private long rollbackStarted = System.nanoTime();

  DeployEngine(ServerContext ctx, String app) {
    this(ctx, app, null);
  }

  /** An engine running a queued operation: the run keeps its id, and its cancel is honoured. */
  DeployEngine(ServerContext ctx, String app, Operation op) {
    this.ctx = ctx;
    this.app = app;
    this.op = op;
  }

  private DeploymentRun newRun(Deployment.Kind kind, String ref, String commit) {
    return new DeploymentRun(ctx, app, kind, ref, commit, op);
  }

  /** Gives up when the caller cancelled: the callers' catch blocks clean up what the run made. */
  private static void cancelPoint(DeploymentRun run) {
    if (run.cancelRequested()) {
      throw new StageFailure(Reason.CANCELLED, "Cancelled by the caller before traffic moved; what this "
          + run.kind.id() + " made was removed and the live app was not touched.");
    }
  }

  /** Connects on first use, inside the run: whatever fails there is reported like any other failure. */
  private RemoteExecutor server() {
    if (server == null) {
      server = ctx.executor();
    }
    return server;
  }

  private AppStore store() {
    if (store == null) {
      store = new AppStore(server(), app, ctx.serverName());
    }
    return store;
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

  /** Produces the release a run puts live: a new build, or one the server already keeps. */
  @FunctionalInterface
  private interface ReleaseSource {
    ReleaseRecord produce(DeploymentRun run, AppManifest manifest, LiveState state);
  }

  Deployment deploy(SourceHost source, SourceCommit commit) {
    return deploy(source, commit, () -> { });
  }

  /** @param preflight checks run when the deploy's turn comes, before anything changes (the disk guard) */
  Deployment deploy(SourceHost source, SourceCommit commit, Runnable preflight) {
    DeploymentRun run = newRun(Deployment.Kind.DEPLOY, commit.ref(), commit.sha());
    source.reportDeployment(commit, "in_progress", "Potions is deploying " + commit.shortSha());
    try {
      preflight.run();
      Deployment done = execute(run, (r, manifest, state) -> build(r, manifest, source, commit));
      source.reportDeployment(commit, "success", "Live on " + store().manifest().domains().get(0));
      return done;
    } catch (DeployFailedException e) {
      source.reportDeployment(commit, "failure", e.reason().name().toLowerCase(Locale.ROOT));
      throw e;
    } catch (RuntimeException e) {
      // Whatever ended the deploy (lock timeout, unreachable server()...), the source host must not
      // be left showing it "in progress".
      source.reportDeployment(commit, "failure", e.getClass().getSimpleName());
      throw e;
    }
  }

  Deployment rollback() {
    rollbackStarted = System.nanoTime();
    DeploymentRun run = newRun(Deployment.Kind.ROLLBACK, null, null);
    return execute(run, (r, manifest, state) -> {
      ReleaseRecord previous = previousRelease(state).orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE,
          "App " + app + " has no earlier release on the server to roll back to (releases kept: "
              + state.releases().stream().map(ReleaseRecord::id).toList() + ")."));
      r.commit = previous.commit();
      r.skipped("build");
      r.line("build", "rolling back to release " + previous.id() + " (" + previous.commit().substring(0, 7)
          + "), no build");
      return previous;
    });
  }

  Deployment restart() {
    DeploymentRun run = newRun(Deployment.Kind.RESTART, null, null);
    return execute(run, (r, manifest, state) -> {
      String live = state.liveRelease().orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE,
          "App " + app + " has nothing deployed yet; deploy it first."));
      ReleaseRecord current = state.liveRecord().orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE,
          "The live release " + live + " is not in the app's state; deploy again."));
      r.commit = current.commit();
      r.skipped("build");
      return current;
    });
  }

  /**
   * Starts a kept release in the standby slot and switches to it, without building (a restore
   * brings back the release its backup was made under, so a newer release's migration does not run
   * again on the restored data).
   */
  Deployment activate(String releaseId) {
    String live = store().liveState(store().manifest()).liveRelease().orElse(null);
    Deployment.Kind kind = releaseId.equals(live) ? Deployment.Kind.RESTART : Deployment.Kind.ROLLBACK;
    DeploymentRun run = newRun(kind, null, null);
    return execute(run, (r, manifest, state) -> {
      ReleaseRecord target = state.releases().stream().filter(x -> x.id().equals(releaseId)).findFirst()
          .orElseThrow(() -> new StageFailure(Reason.NO_PREVIOUS_RELEASE, "Release " + releaseId
              + " is no longer kept on the server (kept: " + state.releases().stream().map(ReleaseRecord::id).toList() + ")."));
      r.commit = target.commit();
      r.skipped("build");
      r.line("build", "starting release " + target.id() + " (" + target.commit().substring(0, 7) + "), no build");
      return target;
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

  private Deployment execute(DeploymentRun run, ReleaseSource releaseSource) {
    // The app's state is read by the lock's own command once it holds the lock: one round trip.
    String boundary = AppStore.newBoundary();
    try (DeployLock lock = DeployLock.acquire(server(), run.holder(), LOCK_WAIT,
        holder -> run.line("queue", "waiting for the deploy lock held by " + holder), store().snapshotScript(boundary))) {
      AppStore.Snapshot snapshot = store().snapshot(lock.printed(), boundary).orElseGet(() -> store().snapshot());
      AppManifest manifest = snapshot.manifest();
      LiveState state = snapshot.live();
      Slot standby = state.standby();
      ReleaseRecord release;
      try {
        cancelPoint(run);
        release = releaseSource.produce(run, manifest, state);
        lock.check("starting the new release");
      } catch (StageFailure e) {
        return fail(run, e);
      } catch (DeployLock.LockLostException e) {
        return fail(run, new StageFailure(Reason.LOCK_LOST, e.getMessage()));
      }
      run.slot = standby;
      ExecResult warm = null;
      try {
        cancelPoint(run);
        if (run.kind == Deployment.Kind.ROLLBACK) {
          lock.check("moving traffic");
          if (run.op != null && !run.op.beginSwitch()) {
            cancelPoint(run);
          }
          warm = flipIfWarm(manifest, standby, release);
        }
        if (warm != null) {
          run.skipped("verify");
          // Its pending stop is cancelled after the flip (switchTo): the timer's action leaves a
          // slot that serves running, so nothing needs to happen before traffic moves.
          run.line("verify", "release " + release.id() + " is still running warm in the " + standby.id()
              + " slot: switching without a restart");
        } else {
          // A pending stop of a slot kept warm must not hit the release about to start in it.
          step("Cancelling the warm standby's stop", WarmStandby.cancel(app, standby), null);
          verify(run, manifest, release, standby);
        }
        lock.check("moving traffic");
        if (run.op != null && !run.op.beginSwitch()) {
          cancelPoint(run);
        }
      } catch (StageFailure e) {
        stopQuietly(standby);
        if (run.kind == Deployment.Kind.DEPLOY) {
          // A release that never served is not kept: a crash-looping auto-deploy must not fill the disk.
          removeQuietly(release);
        }
        return fail(run, e);
      } catch (DeployLock.LockLostException e) {
        // Another deploy may hold the lock now and be using this slot: leave it alone.
        return fail(run, new StageFailure(Reason.LOCK_LOST, e.getMessage()));
      }
      try {
        if (warm != null) {
          switchToWarm(run, manifest, state, release, standby, warm);
        } else {
          switchTo(run, manifest, state, release, standby);
        }
      } catch (StageFailure e) {
        return fail(run, e);
      }
      Deployment done = run.record(Deployment.Status.SUCCEEDED, null);
      try {
        store().saveDeployment(done);
      } catch (PotionsException e) {
        // Traffic moved and the release serves: a lost history entry must not report the deploy failed.
        log.warn("[{}] {} of {} succeeded but its record could not be saved: {}", ctx.serverName(),
            run.kind.id(), app, e.toString());
      }
      log.info("[{}] {} {} succeeded: {} live in slot {} ({})", ctx.serverName(), run.kind.id(), app,
          release.id(), standby.id(), done.stages());
      return done;
    }
  }

  private Deployment fail(DeploymentRun run, StageFailure e) {
    String message = ctx.redactor().redact(e.getMessage());
    Deployment failed = run.record(e.reason == Reason.CANCELLED ? Deployment.Status.CANCELLED
        : Deployment.Status.FAILED, message);
    try {
      store().saveDeployment(failed);
    } catch (RuntimeException saveError) {
      log.warn("[{}] could not record failed deployment {}: {}", ctx.serverName(), run.id, saveError.toString());
    }
    String outcome = e.reason == Reason.SWITCH_FAILED ? "; which slot serves is said below"
        : "; the live app was not touched";
    throw new DeployFailedException(run.kind.id() + " of " + app + " failed (" + e.reason + ")" + outcome + ".\n"
        + message, e.reason, failed);
  }

  // ---- build ---------------------------------------------------------------------------------

  private ReleaseRecord build(DeploymentRun run, AppManifest manifest, SourceHost source, SourceCommit commit) {
    long started = System.nanoTime();
    var builder = ctx.releaseBuilder(manifest.settings().releaseBuilder());
    run.stage(DeployStage.UPLOADING);
    run.started("build", "Build " + commit.shortSha() + " (" + commit.message() + ") " + builder.name());
    if (run.op != null) {
      // A cancel stops the build wherever the builder runs it; the builder then removes what it made.
      run.op.stopper(() -> stopBuild(run, builder));
    }
    try {
      BuiltRelease built = builder.build(new BuildRequest(app, AppScripts.dir(app), run.id, source, commit,
          manifest.settings().runtime(), Duration.ofSeconds(manifest.buildTimeoutSeconds()), server(),
          line -> buildLine(run, line), new io.potions.spi.BuildLimits(
              manifest.settings().buildMemoryMaxMib(), manifest.settings().buildCpuWeight())));
      run.bytesSent = built.bytesSent();
      run.releaseBytes = built.releaseBytes();
      run.finished("build", started);
      return new ReleaseRecord(run.id, commit.sha(), built.releaseName(), built.releaseBytes());
    } catch (BuildFailure e) {
      run.failed("build", started, e.getMessage());
      cancelPoint(run);
      throw new StageFailure(e.reason(), e.getMessage());
    } catch (PotionsException e) {
      run.failed("build", started, e.getMessage());
      cancelPoint(run);
      throw new StageFailure(Reason.TRANSFER_FAILED, e.getMessage());
    } finally {
      if (run.op != null) {
        run.op.stopper(null);
      }
    }
  }

  /**
   * A build log line. The on-server builder says "sent ..." once the source is on the server: the
   * run moves from uploading to building there, and a cancel that came during the upload stops it
   * before the build starts.
   */
  private void buildLine(DeploymentRun run, String line) {
    run.line("build", line);
    if (run.currentStage() == DeployStage.UPLOADING && line.startsWith("sent ")) {
      if (run.cancelRequested()) {
        throw new PotionsException("cancelled after the upload, before the build");
      }
      run.stage(DeployStage.BUILDING);
    }
  }

  /** Asks the builder to stop the app's build (on the server, a build server or in a container). */
  private void stopBuild(DeploymentRun run, ReleaseBuilder builder) {
    try {
      run.line("build", "cancelled: " + builder.stop(app, ctx.executor()));
    } catch (RuntimeException e) {
      log.warn("[{}] could not stop the build of {}: {}", ctx.serverName(), app, e.toString());
    }
  }

  // ---- verify --------------------------------------------------------------------------------
  /**
   * A backup before a deploy runs a migration, so a destructive one can be undone; when it fails the
   * deploy stops here, before the migration and before anything changes (unless the user turned it
   * off with {@code app.backups().setBeforeMigration(false)}).
   */
  private void backupBeforeMigration(DeploymentRun run) {
    io.potions.app.backup.Backups backups = new io.potions.app.backup.Backups(ctx, app,
        new io.potions.app.backup.Backups.AppHooks() {
          @Override
          public java.util.Optional<String> liveRelease() {
            return store().liveState(store().manifest()).liveRelease();
          }

          @Override
          public Deployment activate(String releaseId) {
            throw new UnsupportedOperationException("not during a deploy");
          }

          @Override
          public Deployment restart() {
            throw new UnsupportedOperationException("not during a deploy");
          }
        });
    try {
      backups.runBeforeMigration(line -> run.line("verify", line));
    } catch (PotionsException e) {
      throw new StageFailure(Reason.BACKUP_FAILED, "The backup before the migration failed, so the migration did not"
          + " run and no traffic moved: " + e.getMessage() + "\nFree space or fix the cause and deploy again;"
          + " to deploy without it: app.backups().setBeforeMigration(false).");
    }
  }


  private void verify(DeploymentRun run, AppManifest manifest, ReleaseRecord release, Slot slot) {
    long started = System.nanoTime();
    run.stage(manifest.migration() != null ? DeployStage.MIGRATING : DeployStage.VERIFYING);
    run.started("verify", "Start release " + release.id() + " in the " + slot.id() + " slot and health-check it");
    try {
      if (manifest.migration() != null && run.kind == Deployment.Kind.DEPLOY) {
        backupBeforeMigration(run);
      }
      step("Pointing the " + slot.id() + " slot at the release", AppScripts.pointSlot(app, slot, release.id()), null);
      step("Installing the slot's environment", AppScripts.installEnv(app, slot),
          EnvFile.render(slotEnv(manifest, release, slot)).getBytes(StandardCharsets.UTF_8));
      if (manifest.migration() != null) {
        run.line("verify", "running migration: " + manifest.migration());
        ExecResult migrated = server().run(RemoteCommand.of("Running the migration",
                AppScripts.migrate(app, slot, manifest.migration())).limit(MIGRATION_LIMIT),
            (stream, line) -> run.line("verify", line));
        if (!migrated.ok()) {
          throw new StageFailure(Reason.MIGRATION_FAILED, "The migration '" + manifest.migration()
              + "' failed (exit " + migrated.exitStatus() + "); no traffic moved. Its output:\n" + migrated.tail(25));
        }
      }
      run.stage(DeployStage.VERIFYING);
      setStopTimeout(run, manifest);
      step("Starting the " + slot.id() + " slot", AppScripts.startSlot(app, slot), null);
      healthCheck(manifest, slot);
      HealthCheck check = manifest.settings().healthCheck();
      run.line("verify", "healthy: GET " + check.path() + " answered " + check.expectedStatus());
      run.finished("verify", started);
    } catch (StageFailure e) {
      run.failed("verify", started, e.getMessage());
      throw e;
    } catch (PotionsException e) {
      run.failed("verify", started, e.getMessage());
      throw new StageFailure(Reason.TRANSFER_FAILED, e.getMessage());
    }
  }

  /** The slots' stop timeout follows the settings; a root helper too old for it only costs a warning. */
  private void setStopTimeout(DeploymentRun run, AppManifest manifest) {
    AppSettings settings = manifest.settings();
    ExecResult r = server().run(RemoteCommand.of("Setting the slots' stop timeout",
        SlotStop.setStopTimeout(app, settings.shutdownTimeout(), settings.reconnectWindow())));
    if (!r.ok()) {
      run.line("verify", "warning: the slots' stop timeout could not be set (provision the server again to update"
          + " its root helper): " + ctx.redactor().redact(r.tail(3)));
    }
  }

  private void healthCheck(AppManifest manifest, Slot slot) {
    HealthCheck check = manifest.settings().healthCheck();
    String host = check.host().orElse(manifest.domains().get(0));
    ExecResult health = server().run(RemoteCommand.of("Health-checking the " + slot.id() + " slot",
            AppScripts.healthCheck(app, slot, manifest.slotPort(slot), check, host))
        .limit(check.deadline().plus(check.settle()).plusSeconds(30)));
    Map.Entry<HealthVerdict, String> verdict = HealthVerdict.parse(health);
    String what = switch (verdict.getKey()) {
      case HEALTHY -> null;
      case CRASHED_AFTER_HEALTHY -> "The new release passed its health check, then exited within the "
          + check.settle().toSeconds() + " s settle time";
      case CRASHED_ON_START -> "The new release exited while starting";
      case UNHEALTHY -> "The new release did not answer GET " + check.path() + " with " + check.expectedStatus()
          + " (Host: " + host + ") within " + check.deadline().toSeconds() + " s (" + verdict.getValue() + ")";
    };
    if (what != null) {
      String logs = server().run(RemoteCommand.of("Reading the slot's log", AppScripts.logs(app, slot, 40))).out();
      Reason reason = verdict.getKey() == HealthVerdict.UNHEALTHY ? Reason.HEALTH_CHECK_FAILED : Reason.CRASHED_ON_START;
      throw new StageFailure(reason, what + "; it was stopped and the live app keeps serving."
          + " Last lines of its log:\n" + logs);
    }
  }

  private Map<String, String> slotEnv(AppManifest manifest, ReleaseRecord release, Slot slot) {
    List<Map<String, String>> files = store().envFiles();
    files.forEach(vars -> vars.values().forEach(ctx.redactor()::register));
    return mergeEnv(app, manifest, files.get(0), files.get(1), release, slot);
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
    // Distributed on a fixed loopback port without epmd, so eval and console can reach the node.
    env.put("RELEASE_DISTRIBUTION", "name");
    env.put("ELIXIR_ERL_OPTIONS", LiveNode.slotErlOptions(manifest.slotPort(slot) + LiveNode.DIST_PORT_OFFSET,
        user.get("ELIXIR_ERL_OPTIONS")));
    env.put("POTIONS_DIST_PORT", Integer.toString(manifest.slotPort(slot) + LiveNode.DIST_PORT_OFFSET));
    env.put("POTIONS_APP", app);
    env.put("POTIONS_SLOT", slot.id());
    env.put("POTIONS_RELEASE_ID", release.id());
    env.put("POTIONS_RELEASE_NAME", release.releaseName());
    return env;
  }

  // ---- switch --------------------------------------------------------------------------------

  private void switchTo(DeploymentRun run, AppManifest manifest, LiveState state, ReleaseRecord release, Slot slot) {
    long started = System.nanoTime();
    run.stage(DeployStage.SWITCHING);
    run.started("switch", "Move traffic to the " + slot.id() + " slot");
    // The release list is written before traffic moves: whatever happens to the connection from
    // here on, the server's state already knows the release that may be live.
    List<ReleaseRecord> releases = releasesAfter(state.releases(), release);
    ExecResult logMark = markAccessLog();
    try {
      store().writeReleases(releases);
      // Enabled before traffic moves: a reboot at any point after the flip brings back a slot that starts.
      step("Enabling the " + slot.id() + " slot at boot", AppScripts.enableSlot(app, slot), null);
      step("Switching traffic to the " + slot.id() + " slot",
          AppScripts.route(app, manifest.port(), manifest.slotPort(slot)), null);
      run.line("switch", "new connections now go to the " + slot.id() + " slot (port " + manifest.slotPort(slot) + ")");
    } catch (PotionsException e) {
      run.failed("switch", started, e.getMessage());
      throw new StageFailure(Reason.SWITCH_FAILED, switchFailed(manifest, slot, e));
    }
    // Traffic has moved: from here on, trouble is reported but the deploy stands.
    try {
      state.liveSlot().filter(old -> old != slot).ifPresent(old -> retire(run, manifest, state, old));
      prune(run, manifest, state, releases, release);
    } catch (PotionsException e) {
      run.line("switch", "warning: traffic moved to the " + slot.id() + " slot, but cleaning up afterwards failed ("
          + e.getMessage() + "); the next deploy finishes it");
    }
    countSwitchTraffic(run, manifest, logMark);
    run.finished("switch", started);
  }

  /**
   * The switch of a rollback to the release kept warm in the standby slot: a route flip first, the
   * bookkeeping after it, so traffic is back on the old release a few round trips after the call.
   * The release list needs no write before the flip (a rollback keeps it as it is, see
   * {@link #releasesAfter}); the slot is enabled at boot and its pending stop cancelled right after
   * the flip (a reboot in between restores the route to a slot that does not start at boot: the
   * next deploy or restart brings it back; the timer's action leaves a slot that serves running).
   */
  private void switchToWarm(DeploymentRun run, AppManifest manifest, LiveState state, ReleaseRecord release,
      Slot slot, ExecResult flipped) {
    long started = System.nanoTime();
    run.stage(DeployStage.SWITCHING);
    run.started("switch", "Move traffic back to the warm " + slot.id() + " slot");
    List<ReleaseRecord> releases = releasesAfter(state.releases(), release);
    try {
      if (!flipped.ok()) {
        throw new PotionsException("Switching traffic to the " + slot.id() + " slot failed (exit "
            + flipped.exitStatus() + "): " + ctx.redactor().redact(flipped.tail(10)));
      }
      run.line("switch", "new connections now go to the warm " + slot.id() + " slot (port " + manifest.slotPort(slot)
          + "), " + (System.nanoTime() - rollbackStarted) / 1_000_000 + " ms after the rollback began");
    } catch (PotionsException e) {
      run.failed("switch", started, e.getMessage());
      throw new StageFailure(Reason.SWITCH_FAILED, switchFailed(manifest, slot, e));
    }
    // Traffic has moved: from here on, trouble is reported but the rollback stands.
    try {
      store().writeReleases(releases);
      step("Enabling the " + slot.id() + " slot at boot", AppScripts.enableSlot(app, slot), null);
      step("Cancelling the warm standby's stop", WarmStandby.cancel(app, slot), null);
      state.liveSlot().filter(old -> old != slot).ifPresent(old -> retire(run, manifest, state, old));
      prune(run, manifest, state, releases, release);
    } catch (PotionsException e) {
      run.line("switch", "warning: traffic moved back to the " + slot.id() + " slot, but the bookkeeping afterwards"
          + " failed (" + e.getMessage() + "); the next deploy finishes it");
    }
    countSwitchTraffic(run, manifest, flipped);
    run.finished("switch", started);
  }

  /** Where the app's access log stood when the switch began, on the server's clock; null if unknown. */
  private ExecResult markAccessLog() {
    try {
      return server().run(RemoteCommand.of("Marking the access log", AccessLog.mark(app)));
    } catch (PotionsException e) {
      log.warn("[{}] could not mark the access log of {}: {}", ctx.serverName(), app, e.toString());
      return null;
    }
  }

  /** Counts what the app served from the flip until the old slot stopped: each deploy proves its zero. */
  private void countSwitchTraffic(DeploymentRun run, AppManifest manifest, ExecResult mark) {
    if (mark == null || AccessLog.offset(mark) < 0 || AccessLog.serverTime(mark) < 0) {
      run.line("switch", "no access log to count the switch window's requests in (provision the server again)");
      return;
    }
    try {
      ExecResult read = server().run(RemoteCommand.of("Reading the switch window's access log",
          AccessLog.readFrom(app, AccessLog.offset(mark))));
      double end = AccessLog.serverTime(read);
      if (read.ok() && end > 0) {
        run.traffic = AccessLog.count(read.stdout(), manifest.domains(), AccessLog.serverTime(mark), end);
        run.line("switch", run.traffic.summary());
      }
    } catch (PotionsException e) {
      run.line("switch", "warning: the switch window's access log could not be read: " + e.getMessage());
    }
  }

  /** The old slot after a switch: kept warm for the user's window (instant rollback), or drained and stopped. */
  private void retire(DeploymentRun run, AppManifest manifest, LiveState state, Slot old) {
    long window = WarmStandby.parseWindow(server().read(List.of(WarmStandby.settingFile(app))).get(0));
    if (window <= 0 || state.liveRelease().isEmpty()) {
      server().run(RemoteCommand.of("Clearing the warm standby record",
          "rm -f " + io.potions.internal.shell.Shell.quote(WarmStandby.stateFile(app))));
      drainAndStop(run, manifest, old);
      return;
    }
    // Not started at boot: after a reboot, only the live slot comes back.
    server().run(RemoteCommand.of("Disabling the " + old.id() + " slot at boot", AppScripts.disableSlot(app, old)));
    server().upload((old.id() + " " + state.liveRelease().get() + "\n").getBytes(StandardCharsets.UTF_8),
        WarmStandby.stateFile(app), 0644);
    step("Scheduling the warm standby's stop", WarmStandby.expireAfter(app, old, window), null);
    run.line("switch", "old " + old.id() + " slot keeps release " + state.liveRelease().get() + " running warm for "
        + window + " s: a rollback until then is a route flip");
  }

  /**
   * One round trip for an instant rollback: when the standby slot runs {@code release}, kept warm by
   * the last switch, and is active, marks the access log (where the switch window starts) and flips
   * the route to it; otherwise changes nothing.
   *
   * @return the flip's result (possibly failed), or null when the slot is not warm (start it instead)
   */
  private ExecResult flipIfWarm(AppManifest manifest, Slot slot, ReleaseRecord release) {
    // The warm record is the deploy user's; the rest is one root helper call: is the slot still
    // running, mark the access log, flip. Nothing else stands between rollback() and the flip.
    String script = "if [ \"$(cat " + io.potions.internal.shell.Shell.quote(WarmStandby.stateFile(app))
        + " 2>/dev/null || true)\" = " + io.potions.internal.shell.Shell.quote(slot.id() + " " + release.id())
        + " ]; then\n" + AppScripts.helper("warm-flip", app, slot.id(), Integer.toString(manifest.port()),
            Integer.toString(manifest.slotPort(slot))) + "\nelse\necho warm=no\nfi";
    ExecResult r = server().run(RemoteCommand.of("Switching traffic to the " + slot.id() + " slot if it runs warm", script));
    return r.marker("warm").filter("yes"::equals).isPresent() ? r : null;
  }

  private void drainAndStop(DeploymentRun run, AppManifest manifest, Slot old) {
    Duration deadline = Duration.ofSeconds(manifest.drainTimeoutSeconds());
    run.stage(DeployStage.DRAINING);
    ExecResult drained = server().run(RemoteCommand.of("Draining the " + old.id() + " slot",
        AppScripts.drain(manifest.slotPort(old), deadline)).limit(deadline.plusSeconds(60)));
    int open = AppScripts.parseDrain(drained);
    run.line("switch", open == 0 ? "old " + old.id() + " slot drained (open=0), stopping it"
        : "old " + old.id() + " slot: drain deadline of " + deadline.toSeconds() + " s passed with "
            + (open < 0 ? "an unknown number of" : Integer.toString(open)) + " connection(s) still open; stopping it");
    // SIGTERM, the app's own drain, then what is left closed in batches (SlotStop).
    AppSettings settings = manifest.settings();
    ExecResult stopped = server().run(RemoteCommand.of("Stopping the " + old.id() + " slot",
        SlotStop.stop(app, old, manifest.slotPort(old), settings.shutdownTimeout(), settings.reconnectWindow()))
        .limit(settings.shutdownTimeout().plus(settings.reconnectWindow()).plusSeconds(120)));
    SlotStop.Outcome outcome = SlotStop.Outcome.parse(stopped);
    run.line("switch", outcome.describe(old.id(), settings.shutdownTimeout(), settings.reconnectWindow()));
    if (!stopped.ok() || !outcome.stopped()) {
      run.line("switch", "warning: stopping the old slot failed: " + stopped.tail(5));
    }
    server().run(RemoteCommand.of("Disabling the " + old.id() + " slot at boot", AppScripts.disableSlot(app, old)));
  }

  /** Keeps the newest releases (and always the live and previous-live ones); removes the rest. */
  private void prune(DeploymentRun run, AppManifest manifest, LiveState state, List<ReleaseRecord> releases,
      ReleaseRecord release) {
    List<String> keep = new ArrayList<>();
    List<String> prune = new ArrayList<>();
    for (ReleaseRecord r : releases) {
      boolean pinned = r.id().equals(release.id()) || state.liveRelease().map(r.id()::equals).orElse(false);
      (keep.size() < manifest.keepReleases() || pinned ? keep : prune).add(r.id());
    }
    if (!prune.isEmpty()) {
      store().writeReleases(releases.stream().filter(r -> keep.contains(r.id())).toList());
      server().run(RemoteCommand.of("Removing old releases", AppScripts.pruneReleases(app, prune)));
      run.line("switch", "pruned old releases " + prune);
    }
  }

  /**
   * The switch command failed, possibly after the server flipped the route (a dropped connection
   * loses the answer, not the action). Find out which slot serves before touching anything: never
   * stop the slot that may be live.
   */
  private String switchFailed(AppManifest manifest, Slot slot, PotionsException cause) {
    try {
      RemoteExecutor fresh = ctx.executor();
      Optional<Integer> routed = AppScripts.parseRoute(fresh.read(List.of(AppScripts.routeFile(app))).get(0).orElse(""));
      if (routed.isPresent() && routed.get() == manifest.slotPort(slot)) {
        return "The connection failed during the switch, after traffic had already moved to the new "
            + slot.id() + " slot; it serves, and the old slot is still running. Deploy again to finish"
            + " the clean-up. Cause: " + cause.getMessage();
      }
      fresh.run(RemoteCommand.of("Stopping the " + slot.id() + " slot", AppScripts.stopSlot(app, slot)));
      return "Switching traffic failed; the previous slot keeps serving and the new one was stopped: "
          + cause.getMessage();
    } catch (PotionsException unreachable) {
      return "The server became unreachable during the switch; both slots were left running, so whichever"
          + " the route points to serves. The next deploy reconciles. Cause: " + cause.getMessage();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void step(String what, String script, byte[] stdin) {
    ExecResult r = server().run(RemoteCommand.of(what, script).stdin(stdin));
    if (!r.ok()) {
      throw new PotionsException(what + " failed (exit " + r.exitStatus() + "): " + ctx.redactor().redact(r.tail(10)));
    }
  }

  private void removeQuietly(ReleaseRecord release) {
    try {
      server().run(RemoteCommand.of("Removing the release that failed verification",
          AppScripts.removeRelease(app, release.id())));
    } catch (RuntimeException e) {
      log.warn("[{}] could not remove release {} of {}: {}", ctx.serverName(), release.id(), app, e.toString());
    }
  }

  private void stopQuietly(Slot slot) {
    try {
      server().run(RemoteCommand.of("Stopping the " + slot.id() + " slot", AppScripts.stopSlot(app, slot)));
    } catch (RuntimeException e) {
      log.warn("[{}] could not stop the {} slot of {}: {}", ctx.serverName(), slot.id(), app, e.toString());
    }
  }
}
