package io.potions.ssh;

import io.potions.PotionsException;

/** The server could not be reached over SSH (network, port or sshd). */
public class ServerUnreachableException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public ServerUnreachableException(String message) {
    super(message);
  }

  /**
   * @param message what happened and what to do
   * @param cause the underlying error
   */
  public ServerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
