/**
 * GitHub as a source host: {@link io.potions.github.GitHubClient} (REST API, GitHub App or
 * personal-access-token auth, rate limits), {@link io.potions.github.GitHubSource} (resolve refs
 * through the API, fetch with git over HTTPS into a local mirror, report deploys as commit statuses
 * and GitHub Deployments), and in {@link io.potions.github.webhook} auto-deploy on push.
 *
 * <pre>{@code
 * // As a GitHub App installation (recommended)
 * GitHubClient github = GitHubClient.builder()
 *     .auth(GitHubAuth.app("Iv23liAbCdEf", Path.of("github-app.pem"), 51234567L))
 *     .build();
 * // or with a personal access token
 * GitHubClient github = GitHubClient.builder()
 *     .auth(GitHubAuth.personalAccessToken(Secret.of(System.getenv("GITHUB_TOKEN"))))
 *     .build();
 * // GitHub Enterprise Server: .apiUri(URI.create("https://ghe.example.com/api/v3")) on the client,
 * // .gitUri(URI.create("https://ghe.example.com")) on the source.
 *
 * GitHubSource source = GitHubSource.builder(github, "octo-org/shop").build();
 * App shop = server.app("shop").withSource(source);
 * shop.deploy("main");
 * }</pre>
 */
package io.potions.github;
