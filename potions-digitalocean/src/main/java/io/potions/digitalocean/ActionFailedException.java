package io.potions.digitalocean;

import io.potions.http.HttpApiException;

/** A DigitalOcean action (such as a droplet's {@code create}) ended with status {@code errored}. */
public class ActionFailedException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /** The failed action's id. */
  private final long actionId;

  /**
   * @param message what happened and what to do about it
   * @param actionId the action's id
   */
  public ActionFailedException(String message, long actionId) {
    super("DigitalOcean", message);
    this.actionId = actionId;
  }

  /** @return the failed action's id */
  public long actionId() {
    return actionId;
  }
}
