package io.potions.app;

import io.potions.spi.RemoteTerminal;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * An interactive remote IEx shell attached to an app's running release, over SSH with a
 * pseudo-terminal. It ends when the shell exits, when the caller's input stream ends, or on
 * {@link #close()}; the app keeps running in every case.
 */
public final class Console implements AutoCloseable {
  private final RemoteTerminal terminal;
  private final String description;

  Console(RemoteTerminal terminal, String description) {
    this.terminal = terminal;
    this.description = description;
  }

  /**
   * Waits for the console to end.
   *
   * @param timeout how long to wait
   * @return the remote shell's exit status, or empty when it is still open
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public OptionalInt waitFor(Duration timeout) throws InterruptedException {
    return terminal.waitFor(timeout);
  }

  /** @return true while the console is attached */
  public boolean isOpen() {
    return terminal.isOpen();
  }

  /** Detaches: the server hangs up on the remote shell; the app is not affected. */
  @Override
  public void close() {
    terminal.close();
  }

  @Override
  public String toString() {
    return "Console[" + description + "]";
  }
}
