package io.potions.app;

import io.potions.PotionsException;

/** An app with this name already exists on this server; nothing was changed. */
public class AppAlreadyExistsException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public AppAlreadyExistsException(String message) {
    super(message);
  }
}
