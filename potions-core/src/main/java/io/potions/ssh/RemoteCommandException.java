package io.potions.ssh;

import io.potions.PotionsException;

/** A command on the server failed or timed out; the message carries its last output lines (redacted). */
public class RemoteCommandException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public RemoteCommandException(String message) {
    super(message);
  }

  /**
   * @param message what happened and what to do
   * @param cause the underlying error
   */
  public RemoteCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
