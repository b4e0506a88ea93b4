package io.potions.ssh;

import io.potions.PotionsException;

/** The server presented a host key other than the pinned or remembered one; nothing was sent. */
public class HostKeyMismatchException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public HostKeyMismatchException(String message) {
    super(message);
  }

  /**
   * @param message what happened and what to do
   * @param cause the underlying error
   */
  public HostKeyMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
