package io.potions.digitalocean;

/**
 * No answer arrived from the DigitalOcean API: the connection failed or the call timed out.
 * Idempotent calls were retried before this was thrown; creating calls never are, because the
 * request may have gone through.
 */
public class ApiUnreachableException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /** Whether the call ran out of time. */
  private final boolean timedOut;

  /**
   * @param message what happened and what to do about it
   * @param timedOut whether the call ran out of time (rather than failing to connect)
   * @param cause the underlying error
   */
  public ApiUnreachableException(String message, boolean timedOut, Throwable cause) {
    super(message, 0, null, null, cause);
    this.timedOut = timedOut;
  }

  /** @return whether the call ran out of time */
  public boolean timedOut() {
    return timedOut;
  }
}
