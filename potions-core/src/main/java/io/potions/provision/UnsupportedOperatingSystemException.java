package io.potions.provision;

import io.potions.PotionsException;

/** The server runs an operating system the bootstrap does not support; nothing was changed. */
public class UnsupportedOperatingSystemException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message which OS was found and which are supported */
  public UnsupportedOperatingSystemException(String message) {
    super(message);
  }
}
