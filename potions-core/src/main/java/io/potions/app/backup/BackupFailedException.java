package io.potions.app.backup;

import io.potions.PotionsException;

/** A backup, restore or check failed; the message says what, and what was left unchanged. */
public final class BackupFailedException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed and what state things are in */
  public BackupFailedException(String message) {
    super(message);
  }
}
