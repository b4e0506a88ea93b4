package io.potions.app;

import io.potions.event.DeployStage;
import io.potions.internal.engine.Async;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressEvent;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deploy, rollback or restart from the moment it is queued: its id (the deployment's), whether
 * it waits, runs or has moved traffic, and its cancellation. Cancelling a queued operation means it
 * never runs; cancelling a running one stops the server work in progress (the build) and makes the
 * engine give up at its next check, cleaning up what the run made; once traffic moves it cannot be
 * cancelled any more.
 */
final class Operation {
  private static final Logger log = LoggerFactory.getLogger(Operation.class);

  enum State { QUEUED, RUNNING, SWITCHING, ENDED }

  final String id;
  final String app;
  final Deployment.Kind kind;
  final String ref;
  final String commit;
  final Instant queuedAt = Instant.now();
  final CompletableFuture<Deployment> settled = new CompletableFuture<>();
  private final ServerContext ctx;
  private State state = State.QUEUED;
  private boolean cancelRequested;
  private Runnable stopper;
  private volatile DeployStage stage = DeployStage.QUEUED;

  Operation(ServerContext ctx, String app, Deployment.Kind kind, String ref, String commit) {
    this.ctx = ctx;
    this.app = app;
    this.kind = kind;
    this.ref = ref;
    this.commit = commit;
    this.id = DeploymentRun.newId(queuedAt, commit);
  }

  /** @return the stage it is in now */
  DeployStage stage() {
    return stage;
  }

  void stage(DeployStage now) {
    stage = now;
  }

  /** Publishes its place in the queue. */
  void queued(int position) {
    ctx.publish(app, id, new ProgressEvent.StageChanged(ctx.serverName(), DeployStage.QUEUED.id(), app, id,
        DeployStage.QUEUED, position, Instant.now()));
    if (position > 0) {
      ctx.publish(app, id, new ProgressEvent.DeployQueued(ctx.serverName(), "queue", app, position));
    }
  }

  /** @return true when it may run; false when it was cancelled while it waited */
  synchronized boolean start() {
    if (state != State.QUEUED) {
      return false;
    }
    state = State.RUNNING;
    return true;
  }

  /** @return true when it may move traffic; false when a cancel came first */
  synchronized boolean beginSwitch() {
    if (cancelRequested) {
      return false;
    }
    state = State.SWITCHING;
    return true;
  }

  synchronized boolean cancelRequested() {
    return cancelRequested;
  }

  /** While set, a cancel runs it (on another thread) to stop the server work in progress. */
  synchronized void stopper(Runnable stop) {
    this.stopper = stop;
    if (stop != null && cancelRequested) {
      Async.run(stop);
    }
  }

  synchronized void ended() {
    state = State.ENDED;
    stopper = null;
  }

  /**
   * @param markCancelled marks the caller's future cancelled; it runs before the server work is
   *     stopped, because a stopped build ends the deploy and would otherwise complete the future
   *     (as failed) first
   * @return true when it was cancelled: it had not moved traffic yet
   */
  boolean cancel(Runnable markCancelled) {
    Runnable stop;
    synchronized (this) {
      switch (state) {
        case QUEUED -> {
          markCancelled.run();
          state = State.ENDED;
          cancelRequested = true;
          stage = DeployStage.CANCELLED;
          Instant now = Instant.now();
          Deployment record = new Deployment(id, app, kind, ref, commit, Deployment.Status.CANCELLED, null,
              DeploymentRun.initiator(), queuedAt, now, List.of(), 0, 0, "cancelled while queued; it never ran",
              List.of(), List.of(new StageTiming(DeployStage.QUEUED, queuedAt, java.time.Duration.between(queuedAt, now)),
                  new StageTiming(DeployStage.CANCELLED, now, java.time.Duration.ZERO)), null);
          settled.complete(record);
          ctx.publish(app, id, new ProgressEvent.StageChanged(ctx.serverName(), DeployStage.CANCELLED.id(), app, id,
              DeployStage.CANCELLED, 0, now));
          log.info("[{}] {} of {} cancelled while queued", ctx.serverName(), kind.id(), app);
          return true;
        }
        case RUNNING -> {
          markCancelled.run();
          cancelRequested = true;
          stop = stopper;
        }
        default -> {
          return false;
        }
      }
    }
    log.info("[{}] cancelling the running {} of {} ({})", ctx.serverName(), kind.id(), app, stage);
    if (stop != null) {
      Async.run(stop);
    }
    return true;
  }
}
