package io.potions.http;

import io.potions.PotionsException;
import java.time.Duration;
import java.util.Optional;

/**
 * An error while talking to an HTTP API such as DigitalOcean's or GitHub's. Carries what the API
 * said when it answered (the HTTP status, its request id and error id) so a support request can
 * quote them, and the wait it asked for when it refused the request for now. Never carries a
 * token.
 */
public class HttpApiException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** The API's name, such as {@code DigitalOcean}. */
  private final String api;
  /** The HTTP status, or 0. */
  private final int status;
  /** The API's request id, or {@code null}. */
  private final String requestId;
  /** The API's error id, or {@code null}. */
  private final String errorId;
  /** The wait the API asked for, or {@code null}. */
  private final Duration retryAfter;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no (usable) answer arrived
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, such as {@code unprocessable_entity}, or {@code null}
   * @param retryAfter how long the API asked to wait before the next request, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public HttpApiException(String api, String message, int status, String requestId, String errorId,
      Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.api = api;
    this.status = status;
    this.requestId = requestId;
    this.errorId = errorId;
    this.retryAfter = retryAfter;
  }

  /**
   * An error about an answer rather than a refusal, such as a body the SDK cannot read.
   *
   * @param api the API's name
   * @param message what happened and what to do about it
   */
  public HttpApiException(String api, String message) {
    this(api, message, 0, null, null, null, null);
  }

  /** @return the API's name, such as {@code DigitalOcean} or {@code GitHub} */
  public String api() {
    return api;
  }

  /** @return the HTTP status the API answered with, or 0 when there was no (usable) answer */
  public int status() {
    return status;
  }

  /** @return the API's request id, to quote to its support */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** @return the API's own error id, such as {@code not_found}, when it gave one */
  public Optional<String> errorId() {
    return Optional.ofNullable(errorId);
  }

  /** @return how long the API asked to wait before the next request, when it said */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
