package io.potions.http;

/**
 * No answer arrived from the API: the connection failed or the call timed out. Calls that are safe
 * to repeat were retried before this was thrown; creating calls never are, because the request
 * may have gone through.
 */
public class ApiUnreachableException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /** Whether the call ran out of time. */
  private final boolean timedOut;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param timedOut whether the call ran out of time (rather than failing to connect)
   * @param cause the underlying error, or {@code null}
   */
  public ApiUnreachableException(String api, String message, boolean timedOut, Throwable cause) {
    super(api, message, 0, null, null, null, cause);
    this.timedOut = timedOut;
  }

  /** @return whether the call ran out of time */
  public boolean timedOut() {
    return timedOut;
  }
}
