package io.potions.http;

import java.time.Duration;

/**
 * The API's rate limit refused the request (429, or 403 for some APIs) and the wait it asked for
 * was longer than the client accepts, or the retries ran out. Nothing was done; {@link
 * #retryAfter()} says how long the API asked to wait.
 */
public class RateLimitedException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what was refused and how long the API asked to wait
   * @param status the HTTP status (429, or 403)
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, or {@code null}
   * @param retryAfter how long the API asked to wait, or {@code null} when it did not say
   */
  public RateLimitedException(String api, String message, int status, String requestId, String errorId,
      Duration retryAfter) {
    super(api, message, status, requestId, errorId, retryAfter, null);
  }
}
