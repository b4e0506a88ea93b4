package io.potions.github;

/**
 * No usable answer from GitHub: the connection failed, the call timed out, or GitHub failed with a
 * 5xx. Usually transient; calls that are safe to repeat were already retried.
 */
public class GitHubUnreachableException extends GitHubException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed and what to check
   * @param status the HTTP status (5xx), or 0 when no answer arrived
   * @param requestId GitHub's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public GitHubUnreachableException(String message, int status, String requestId, Throwable cause) {
    super(message, status, requestId, cause);
  }
}
