package io.potions.github;

import io.potions.PotionsException;
import java.util.Optional;

/**
 * An error while talking to GitHub. Carries what GitHub said (its HTTP status and request id) when
 * it answered, so a support request can quote them. Never carries a token.
 */
public class GitHubException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status, or 0. */
  private final int status;
  /** GitHub's request id ({@code x-github-request-id}), or {@code null}. */
  private final String requestId;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param requestId GitHub's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public GitHubException(String message, int status, String requestId, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.requestId = requestId;
  }

  /** @param message what happened and what to do about it */
  public GitHubException(String message) {
    this(message, 0, null, null);
  }

  /** @return the HTTP status GitHub answered with, or 0 when there was no answer */
  public int status() {
    return status;
  }

  /** @return GitHub's request id ({@code x-github-request-id}), to quote to its support */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }
}
