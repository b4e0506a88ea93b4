package io.potions.github;

/**
 * GitHub refused the credentials (401): a wrong, expired or revoked token, or for a GitHub App a
 * wrong app id, private key or installation id, or a clock far off.
 */
public class GitHubAuthenticationException extends GitHubException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message which credential, for what, and what to check
   * @param status the HTTP status (401), or 0 when it came from git
   * @param requestId GitHub's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public GitHubAuthenticationException(String message, int status, String requestId, Throwable cause) {
    super(message, status, requestId, cause);
  }
}
