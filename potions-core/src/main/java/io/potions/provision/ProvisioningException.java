package io.potions.provision;

import io.potions.PotionsException;

/** A provisioning step failed; the message names the step and carries its last output lines. */
public class ProvisioningException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** @param message which step failed, its output, and what to do */
  public ProvisioningException(String message) {
    super(message);
  }
}
