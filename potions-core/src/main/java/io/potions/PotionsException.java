package io.potions;

/**
 * The root of every error the SDK raises. Unchecked, so scripts stay short; subtypes let callers act
 * on the cases they care about. Messages say what happened and what to do, and never carry a secret.
 */
public class PotionsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do about it */
  public PotionsException(String message) {
    super(message);
  }

  /**
   * @param message what happened and what to do about it
   * @param cause the underlying error
   */
  public PotionsException(String message, Throwable cause) {
    super(message, cause);
  }
}
