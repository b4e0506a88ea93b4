package io.potions.spi;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * A command on the server that keeps running while this handle is open: the deploy lock, a log
 * being followed. Closing the handle closes the command's standard input and its channel; if this
 * process dies, the connection drops and the server ends the command the same way.
 */
public interface RemoteProcess extends AutoCloseable {
  /**
   * Waits for an output line matching {@code wanted}.
   *
   * @param wanted what the line must satisfy
   * @param timeout how long to wait
   * @return the line, or {@code null} when the command ended or the time ran out first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException;

  /** @return true while the command runs and its connection is up */
  boolean isOpen();

  /** Ends the command. */
  @Override
  void close();
}
