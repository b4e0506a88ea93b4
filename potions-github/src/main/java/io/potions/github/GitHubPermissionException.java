package io.potions.github;

/**
 * GitHub accepted the credentials but they may not do this (403 that is not a rate limit): a token
 * without the scope, or a GitHub App without the permission (Contents: read, Commit statuses:
 * write, Deployments: write, Webhooks: write).
 */
public class GitHubPermissionException extends GitHubException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was refused and which permission it needs
   * @param status the HTTP status (403)
   * @param requestId GitHub's request id, or {@code null}
   */
  public GitHubPermissionException(String message, int status, String requestId) {
    super(message, status, requestId, null);
  }
}
