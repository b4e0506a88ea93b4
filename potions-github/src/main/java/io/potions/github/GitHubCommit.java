package io.potions.github;

/**
 * A commit as GitHub's commits API describes it.
 *
 * @param sha the full SHA
 * @param message the whole commit message
 * @param authorName the git author's name
 * @param htmlUrl the commit's web page
 */
public record GitHubCommit(String sha, String message, String authorName, String htmlUrl) {
  /** @return the first line of the message */
  public String subject() {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
