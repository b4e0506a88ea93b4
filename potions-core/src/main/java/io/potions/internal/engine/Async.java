package io.potions.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Where the SDK's asynchronous variants run: a pool of daemon threads, so an {@code ...Async} call
 * returns at once and never borrows the caller's thread (nor the common fork-join pool, which a host
 * application may need for its own work).
 */
public final class Async {
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "potions-async");
    t.setDaemon(true);
    return t;
  });

  private Async() {}

  /**
   * @param work what to run
   * @param <T> its result
   * @return its future
   */
  public static <T> CompletableFuture<T> supply(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, POOL);
  }

  /** @param work what to run, fire and forget (its failures are the work's to log) */
  public static void run(Runnable work) {
    POOL.execute(work);
  }
}
