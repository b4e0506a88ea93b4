package io.potions.app;

import io.potions.event.DeployStage;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deploy, rollback or restart as it happens: its id, the stages it went through, its log
 * (redacted, capped), and the progress events it emits. Becomes a {@link Deployment} record.
 */
final class DeploymentRun {
  private static final Logger log = LoggerFactory.getLogger(DeploymentRun.class);
  private static final int LOG_LINES_KEPT = 3_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  final String id;
  final Operation op;
  final Deployment.Kind kind;
  final String ref;
  final Instant startedAt = Instant.now();
  private final ServerContext ctx;
  private final String app;
  private final List<Stage> stages = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  private final List<StageTiming> timeline = new ArrayList<>();
  private DeployStage current;
  private Instant currentSince;
  String commit;
  long bytesSent;
  long releaseBytes;
  Slot slot;
  SwitchTraffic traffic;

  DeploymentRun(ServerContext ctx, String app, Deployment.Kind kind, String ref, String commit) {
    this(ctx, app, kind, ref, commit, null);
  }

  /** A run of an operation that was queued: it keeps the operation's id and its time in the queue. */
  DeploymentRun(ServerContext ctx, String app, Deployment.Kind kind, String ref, String commit, Operation op) {
    this.ctx = ctx;
    this.app = app;
    this.kind = kind;
    this.ref = ref;
    this.commit = commit;
    this.op = op;
    this.id = op != null ? op.id : newId(startedAt, commit);
    if (op != null) {
      current = DeployStage.QUEUED;
      currentSince = op.queuedAt;
    }
  }

  /** A deployment id: when, which commit, and a random part (two deploys in one second differ). */
  static String newId(Instant at, String commit) {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(at);
    String sha = commit == null ? "0000000" : commit.substring(0, 7);
    return stamp + "-" + sha + "-" + Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  }

  /** Enters a stage: closes the previous one's timing and tells the listener and the stream. */
  void stage(DeployStage stage) {
    Instant now = Instant.now();
    synchronized (this) {
      if (stage == current) {
        return;
      }
      closeStage(now);
      current = stage;
      currentSince = now;
    }
    if (op != null) {
      op.stage(stage);
    }
    emit(new ProgressEvent.StageChanged(ctx.serverName(), stage.id(), app, id, stage, 0, now));
  }

  private void closeStage(Instant now) {
    if (current != null) {
      timeline.add(new StageTiming(current, currentSince, Duration.between(currentSince, now)));
    }
  }

  /** @return true when the caller cancelled this run */
  boolean cancelRequested() {
    return op != null && op.cancelRequested();
  }

  /** @return the stage the run is in */
  synchronized DeployStage currentStage() {
    return current;
  }

  /** Adds a line to the log (redacted) and emits it. */
  synchronized void line(String stage, String raw) {
    String text = ctx.redactor().redact(raw);
    if (lines.size() >= LOG_LINES_KEPT) {
      lines.remove(0);
    }
    lines.add(text);
    emit(new ProgressEvent.StepOutput(ctx.serverName(), stage, text));
  }

  void started(String stage, String title) {
    emit(new ProgressEvent.StepStarted(ctx.serverName(), stage, title));
  }

  synchronized void skipped(String stage) {
    stages.add(new Stage(stage, Stage.Outcome.SKIPPED, Duration.ZERO));
  }

  void finished(String stage, long startedNanos) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    synchronized (this) {
      stages.add(new Stage(stage, Stage.Outcome.SUCCEEDED, took));
    }
    emit(new ProgressEvent.StepFinished(ctx.serverName(), stage, true, took));
  }

  void failed(String stage, long startedNanos, String message) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    synchronized (this) {
      stages.add(new Stage(stage, Stage.Outcome.FAILED, took));
    }
    emit(new ProgressEvent.StepFailed(ctx.serverName(), stage, ctx.redactor().redact(message), took));
  }

  Deployment record(Deployment.Status status, String error) {
    stage(switch (status) {
      case SUCCEEDED -> DeployStage.DONE;
      case FAILED -> DeployStage.FAILED;
      case CANCELLED -> DeployStage.CANCELLED;
    });
    synchronized (this) {
      List<StageTiming> all = new ArrayList<>(timeline);
      all.add(new StageTiming(current, currentSince, Duration.ZERO));
      return new Deployment(id, app, kind, ref, commit, status, slot == null ? null : slot.id(), initiator(),
          startedAt, Instant.now(), List.copyOf(stages), bytesSent, releaseBytes, error,
          List.copyOf(lines), all, traffic);
    }
  }

  /** Who holds the lock, for whoever waits for it. */
  String holder() {
    return initiator() + " " + kind.id() + " " + app + " " + id + " since " + startedAt;
  }

  private void emit(ProgressEvent event) {
    try {
      ctx.publish(app, id, event);
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
