package io.potions.github;

/**
 * GitHub found nothing (404): the repository does not exist, or it is private and not accessible
 * to the token or to the app's installation (GitHub answers 404, not 403, for those).
 */
public class GitHubNotFoundException extends GitHubException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was not found, and what to check
   * @param status the HTTP status (404), or 0 when it came from git
   * @param requestId GitHub's request id, or {@code null}
   */
  public GitHubNotFoundException(String message, int status, String requestId) {
    super(message, status, requestId, null);
  }
}
