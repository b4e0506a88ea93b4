package io.potions;

/** A value passed to the SDK is not acceptable; nothing was changed anywhere. */
public class InvalidInputException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message which value, why it is refused, and what would be accepted */
  public InvalidInputException(String message) {
    super(message);
  }
}
