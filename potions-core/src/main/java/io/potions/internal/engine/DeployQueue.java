package io.potions.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * One deploy at a time per server inside this JVM, in the order they were asked for. (Across
 * processes and machines the server lock serializes them.) A caller may cancel a queued deploy's
 * future to give up; it is then skipped.
 */
public final class DeployQueue {
  private final ExecutorService worker;
  private final AtomicInteger pending = new AtomicInteger();

  /** @param serverName names the worker thread */
  public DeployQueue(String serverName) {
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "potions-deploys-" + serverName);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * @param work the deploy
   * @param onQueued told how many deploys are ahead of this one
   * @param <T> the result type
   * @return its future; cancel it to give up while it waits
   */
  public <T> CompletableFuture<T> submit(Supplier<T> work, IntConsumer onQueued) {
    CompletableFuture<T> future = new CompletableFuture<>();
    onQueued.accept(pending.getAndIncrement());
    worker.execute(() -> {
      try {
        if (!future.isDone()) {
          future.complete(work.get());
        }
      } catch (Throwable t) {
        future.completeExceptionally(t);
      } finally {
        pending.decrementAndGet();
      }
    });
    return future;
  }

  /** @return deploys queued or running */
  public int pending() {
    return pending.get();
  }

  /** Stops accepting work; running and queued deploys finish. */
  public void shutdown() {
    worker.shutdown();
  }
}
