package io.potions.digitalocean;

import java.time.Duration;
import java.util.Optional;

/**
 * DigitalOcean answered 429 Too Many Requests and the wait it asked for was longer than the
 * client's bound (or the retries ran out). Per token, DigitalOcean allows 5,000 requests an hour and
 * 250 a minute.
 */
public class RateLimitedException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /** The wait DigitalOcean asked for, or {@code null}. */
  private final Duration retryAfter;

  /**
   * @param message what happened and what to do about it
   * @param errorId DigitalOcean's error id, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param retryAfter how long DigitalOcean asked to wait, or {@code null} when it did not say
   */
  public RateLimitedException(String message, String errorId, String requestId, Duration retryAfter) {
    super(message, 429, errorId, requestId, null);
    this.retryAfter = retryAfter;
  }

  /** @return how long DigitalOcean asked to wait before the next request, when it said */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
