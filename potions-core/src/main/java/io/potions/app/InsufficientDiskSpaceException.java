package io.potions.app;

import io.potions.PotionsException;

/** An operation was refused before it started: it would leave too little free disk space. Nothing was changed. */
public class InsufficientDiskSpaceException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message the numbers: free, needed, margin, and what to do */
  public InsufficientDiskSpaceException(String message) {
    super(message);
  }
}
