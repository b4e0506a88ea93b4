package io.potions.http;

import java.time.Duration;

/**
 * How an API client waits between retries and polls. The default really sleeps; tests pass one that
 * advances a fake clock instead.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps on the calling thread with {@link Thread#sleep(long)}. */
  Sleeper SYSTEM = duration -> Thread.sleep(Math.max(0, duration.toMillis()));

  /**
   * Waits.
   *
   * @param duration how long
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
