package io.potions.app;

import io.potions.PotionsException;

/** The app has no running release to talk to (nothing deployed yet, or its live slot is down). */
public class AppNotRunningException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public AppNotRunningException(String message) {
    super(message);
  }
}
