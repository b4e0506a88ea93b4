package io.potions.app;

import io.potions.event.DeployStage;
import java.util.concurrent.CompletableFuture;

/**
 * A deploy, rollback or restart under way: a {@link CompletableFuture} of its {@link Deployment}
 * that also says which deployment it is and where it stands, and can be cancelled.
 *
 * <p>{@link #cancel(boolean)} works until traffic moves: a queued deploy is dropped and never
 * builds; a running one has its build stopped where it runs
 * ({@link io.potions.spi.ReleaseBuilder#stop}), the release it made (if any) removed and the standby
 * slot stopped; the live app is never touched. This future then completes as
 * cancelled at once; {@link #settled()} completes when the server work has actually stopped, with
 * the record (status {@code cancelled}). Once switching has begun, cancel returns false and the
 * deploy finishes.
 */
public final class DeploymentFuture extends CompletableFuture<Deployment> {
  private final Operation op;

  DeploymentFuture(Operation op) {
    this.op = op;
  }

  /** @return the deployment's id (the same in events, in the record and on the server) */
  public String id() {
    return op.id;
  }

  /** @return the app */
  public String app() {
    return op.app;
  }

  /** @return the stage it is in now */
  public DeployStage stage() {
    return op.stage();
  }

  /**
   * @return completes with the deployment's record however it ended (succeeded, failed or
   *     cancelled), once the work on the server has stopped; exceptionally only when no record could
   *     be made (the server could not be reached at all)
   */
  public CompletableFuture<Deployment> settled() {
    return op.settled.copy();
  }

  /**
   * Cancels the deploy if traffic has not moved yet.
   *
   * @param mayInterruptIfRunning ignored: a running deploy is always stopped at the server
   * @return true when it was cancelled
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    return op.cancel(() -> super.cancel(mayInterruptIfRunning));
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public String toString() {
    return "DeploymentFuture[" + op.id + " " + op.kind.id() + " " + op.app + " " + op.stage() + "]";
  }
}
