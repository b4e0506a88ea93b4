package io.potions.digitalocean;

/** A DigitalOcean action (such as a droplet's {@code create}) ended with status {@code errored}. */
public class ActionFailedException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /** The failed action's id. */
  private final long actionId;

  /**
   * @param message what happened and what to do about it
   * @param actionId the action's id
   */
  public ActionFailedException(String message, long actionId) {
    super(message, 0, null, null, null);
    this.actionId = actionId;
  }

  /** @return the failed action's id */
  public long actionId() {
    return actionId;
  }
}
