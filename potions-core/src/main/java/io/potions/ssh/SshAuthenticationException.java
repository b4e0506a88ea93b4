package io.potions.ssh;

import io.potions.PotionsException;

/** The server refused the login: wrong key or wrong user. */
public class SshAuthenticationException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public SshAuthenticationException(String message) {
    super(message);
  }

  /**
   * @param message what happened and what to do
   * @param cause the underlying error
   */
  public SshAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
