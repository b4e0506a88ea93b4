package io.potions.digitalocean;

import io.potions.http.HttpApiException;

/**
 * An action or a droplet did not reach the awaited state before the client's poll deadline. What
 * was being waited for may still finish: the message says how to find it.
 */
public class WaitTimedOutException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /** @param message what was awaited, for how long, and what to do */
  public WaitTimedOutException(String message) {
    super("DigitalOcean", message);
  }
}
