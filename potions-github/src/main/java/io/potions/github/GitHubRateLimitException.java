package io.potions.github;

import java.time.Duration;
import java.util.Optional;

/**
 * GitHub's rate limit refused the request (403 or 429, primary or secondary limit) and the wait it
 * asked for was longer than the client's bound, or the retries ran out. Nothing was done.
 */
public class GitHubRateLimitException extends GitHubException {
  private static final long serialVersionUID = 1L;

  /** The wait GitHub asked for, or {@code null}. */
  private final Duration retryAfter;

  /**
   * @param message what was refused and how long GitHub asked to wait
   * @param status 403 or 429
   * @param requestId GitHub's request id, or {@code null}
   * @param retryAfter how long GitHub asked to wait, or {@code null} when it did not say
   */
  public GitHubRateLimitException(String message, int status, String requestId, Duration retryAfter) {
    super(message, status, requestId, null);
    this.retryAfter = retryAfter;
  }

  /** @return how long GitHub asked to wait before the next request, when it said */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
