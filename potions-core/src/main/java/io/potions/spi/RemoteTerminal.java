package io.potions.spi;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * A command running on the server under a pseudo-terminal, wired to the caller's streams (an
 * interactive console). It ends when the command exits, when the caller's input stream ends, or
 * when it is closed.
 */
public interface RemoteTerminal extends AutoCloseable {
  /**
   * Waits for the command to end.
   *
   * @param timeout how long to wait
   * @return its exit status, or empty when it is still running (or ended without one)
   * @throws InterruptedException when the waiting thread is interrupted
   */
  OptionalInt waitFor(Duration timeout) throws InterruptedException;

  /** @return true while the command runs and its connection is up */
  boolean isOpen();

  /** Closes the terminal: the server hangs up on the command. */
  @Override
  void close();
}
