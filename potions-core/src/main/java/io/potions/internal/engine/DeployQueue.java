package io.potions.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * One deploy at a time per server inside this JVM, in the order they were asked for. (Across
 * processes and machines the server lock serializes them.) A caller may cancel a queued deploy's
 * future to give up; it is then skipped. Those still waiting are told their new position whenever
 * the queue moves.
 */
public final class DeployQueue {
  private final ExecutorService worker;
  private final AtomicInteger pending = new AtomicInteger();
  private final List<Waiting> waiting = new ArrayList<>();

  /** One waiting deploy: its future (done when cancelled) and who to tell its position. */
  private record Waiting(CompletableFuture<?> future, IntConsumer onPosition) {}

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
    return submit(new CompletableFuture<>(), work, onQueued, onQueued);
  }

  /**
   * @param future the future to complete (a subclass the caller hands out)
   * @param work the deploy
   * @param onQueued told how many deploys are ahead of this one when it is queued
   * @param onMoved told the new number ahead each time the queue moves while this one waits
   * @param <T> the result type
   * @param <F> the future's type
   * @return {@code future}
   */
  public <T, F extends CompletableFuture<T>> F submit(F future, Supplier<T> work, IntConsumer onQueued,
      IntConsumer onMoved) {
    Waiting entry = new Waiting(future, onMoved);
    synchronized (waiting) {
      waiting.add(entry);
    }
    onQueued.accept(pending.getAndIncrement());
    worker.execute(() -> {
      started(entry);
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

  /** This entry leaves the waiting line: those behind it move up (one runs, the rest wait). */
  private void started(Waiting entry) {
    List<Waiting> moved;
    synchronized (waiting) {
      waiting.remove(entry);
      moved = waiting.stream().filter(w -> !w.future().isDone()).toList();
    }
    boolean running = !entry.future().isDone();
    for (int i = 0; i < moved.size(); i++) {
      try {
        moved.get(i).onPosition().accept(i + (running ? 1 : 0));
      } catch (RuntimeException ignored) {
        // a listener's failure must not stop the queue
      }
    }
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
