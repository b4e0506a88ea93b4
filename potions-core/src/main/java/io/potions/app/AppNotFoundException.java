package io.potions.app;

import io.potions.PotionsException;

/** The app does not exist on this server. */
public class AppNotFoundException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public AppNotFoundException(String message) {
    super(message);
  }
}
