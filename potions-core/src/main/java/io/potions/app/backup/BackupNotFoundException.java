package io.potions.app.backup;

import io.potions.InvalidInputException;

/** No backup of that id exists for the app; nothing was changed. */
public final class BackupNotFoundException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked and what exists */
  public BackupNotFoundException(String message) {
    super(message);
  }
}
