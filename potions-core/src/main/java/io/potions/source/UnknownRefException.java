package io.potions.source;

import io.potions.PotionsException;

/** A branch, tag or SHA that names nothing in the repository; nothing was deployed. */
public class UnknownRefException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message which ref, in which repository, and what exists */
  public UnknownRefException(String message) {
    super(message);
  }
}
