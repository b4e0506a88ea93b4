package io.potions.github;

/**
 * A repository as GitHub describes it.
 *
 * @param id GitHub's numeric id
 * @param fullName {@code owner/name}
 * @param isPrivate whether it is private
 * @param defaultBranch its default branch
 * @param cloneUrl its HTTPS clone URL
 * @param htmlUrl its web page
 */
public record GitHubRepository(long id, String fullName, boolean isPrivate, String defaultBranch,
    String cloneUrl, String htmlUrl) {}
