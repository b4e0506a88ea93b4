package io.potions.app;

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
  final Deployment.Kind kind;
  final String ref;
  final Instant startedAt = Instant.now();
  private final ServerContext ctx;
  private final String app;
  private final List<Stage> stages = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  String commit;
  long bytesSent;
  long releaseBytes;
  Slot slot;
  SwitchTraffic traffic;

  DeploymentRun(ServerContext ctx, String app, Deployment.Kind kind, String ref, String commit) {
    this.ctx = ctx;
    this.app = app;
    this.kind = kind;
    this.ref = ref;
    this.commit = commit;
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(startedAt);
    String sha = commit == null ? "0000000" : commit.substring(0, 7);
    this.id = stamp + "-" + sha + "-" + Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
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

  synchronized Deployment record(Deployment.Status status, String error) {
    return new Deployment(id, app, kind, ref, commit, status, slot == null ? null : slot.id(), initiator(),
        startedAt, Instant.now(), List.copyOf(stages), bytesSent, releaseBytes, error, List.copyOf(lines), traffic);
  }

  /** Who holds the lock, for whoever waits for it. */
  String holder() {
    return initiator() + " " + kind.id() + " " + app + " " + id + " since " + startedAt;
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
