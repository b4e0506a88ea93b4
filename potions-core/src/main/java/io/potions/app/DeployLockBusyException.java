package io.potions.app;

import io.potions.PotionsException;

/** Another deploy held the server's deploy lock for longer than this caller was willing to wait. */
public class DeployLockBusyException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened and what to do */
  public DeployLockBusyException(String message) {
    super(message);
  }
}
