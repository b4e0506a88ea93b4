package io.potions.github;

/**
 * The GitHub App the client authenticates as ({@code GET /app}).
 *
 * @param id the app's numeric id
 * @param slug the app's URL name
 * @param name the app's display name
 */
public record GitHubAppInfo(long id, String slug, String name) {}
