package io.potions.github;

import io.potions.InvalidInputException;
import io.potions.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Objects;

/**
 * How the SDK authenticates to GitHub: as a GitHub App installation (recommended: short-lived
 * tokens, per-repository access) or with a personal access token.
 *
 * <pre>{@code
 * GitHubAuth app = GitHubAuth.app("Iv23liAbCdEf", Path.of("/etc/potions/github-app.pem"), 51234567L);
 * GitHubAuth pat = GitHubAuth.personalAccessToken(Secret.of(System.getenv("GITHUB_TOKEN")));
 * }</pre>
 *
 * <p>For an app, the client signs a JWT (RS256) with the app's private key, exchanges it for an
 * installation token, caches that and refreshes it a few minutes before it expires. Tokens and keys
 * never appear in {@code toString()}, logs or messages. Nothing is assumed about a token's length or
 * format.
 */
public final class GitHubAuth {
  private final Secret personalToken;
  private final String appId;
  private final PrivateKey privateKey;
  private final long installationId;
  private final List<String> repositories;

  private GitHubAuth(Secret personalToken, String appId, PrivateKey privateKey, long installationId,
      List<String> repositories) {
    this.personalToken = personalToken;
    this.appId = appId;
    this.privateKey = privateKey;
    this.installationId = installationId;
    this.repositories = List.copyOf(repositories);
  }

  /**
   * @param token a classic or fine-grained personal access token (Contents: read; Commit statuses
   *     and Deployments: write to report deploys)
   * @return the authentication
   */
  public static GitHubAuth personalAccessToken(Secret token) {
    if (token == null || token.reveal().isBlank()) {
      throw new InvalidInputException("No GitHub token given: pass a personal access token with"
          + " GitHubAuth.personalAccessToken(Secret.of(...)), or use a GitHub App with GitHubAuth.app(...).");
    }
    return new GitHubAuth(token, null, null, 0, List.of());
  }

  /**
   * @param appId the app's client id (such as {@code Iv23li...}) or numeric app id: the JWT's issuer
   * @param privateKey the app's RSA private key
   * @param installationId the installation's id (in the URL of the installation's settings page)
   * @return the authentication
   */
  public static GitHubAuth app(String appId, PrivateKey privateKey, long installationId) {
    if (appId == null || appId.isBlank() || appId.length() > 100 || !appId.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidInputException("GitHub App id '" + appId + "' is not valid: pass the app's client id"
          + " (Iv...) or its numeric app id, from the app's settings page.");
    }
    if (installationId <= 0) {
      throw new InvalidInputException("GitHub App installation id " + installationId + " is not valid: pass"
          + " the positive number at the end of the installation's settings URL.");
    }
    if (!"RSA".equals(Objects.requireNonNull(privateKey, "privateKey").getAlgorithm())) {
      throw new InvalidInputException("The GitHub App private key must be an RSA key (GitHub signs apps'"
          + " JWTs with RS256), not " + privateKey.getAlgorithm() + ".");
    }
    return new GitHubAuth(null, appId, privateKey, installationId, List.of());
  }

  /**
   * @param appId the app's client id or numeric app id
   * @param privateKeyPem the app's private key as PEM text (PKCS#1 as GitHub generates it, or PKCS#8)
   * @param installationId the installation's id
   * @return the authentication
   */
  public static GitHubAuth app(String appId, Secret privateKeyPem, long installationId) {
    return app(appId, PemKeys.rsaPrivateKey(privateKeyPem == null ? null : privateKeyPem.reveal()), installationId);
  }

  /**
   * @param appId the app's client id or numeric app id
   * @param privateKeyPemFile the {@code .pem} file GitHub generated for the app
   * @param installationId the installation's id
   * @return the authentication
   */
  public static GitHubAuth app(String appId, Path privateKeyPemFile, long installationId) {
    try {
      return app(appId, Secret.of(Files.readString(privateKeyPemFile, StandardCharsets.US_ASCII)), installationId);
    } catch (IOException e) {
      throw new InvalidInputException("Could not read the GitHub App private key " + privateKeyPemFile + ": "
          + e.getClass().getSimpleName() + ".");
    }
  }

  /**
   * Narrows the installation tokens to some repositories of the installation (app auth only).
   *
   * @param names repository names without owner, such as {@code shop}
   * @return a copy of this authentication asking for tokens limited to those repositories
   */
  public GitHubAuth limitedTo(List<String> names) {
    if (!isApp()) {
      throw new InvalidInputException("Only GitHub App installation tokens can be limited to repositories.");
    }
    for (String n : names) {
      if (n == null || !n.matches("[A-Za-z0-9._-]{1,100}")) {
        throw new InvalidInputException("'" + n + "' is not a repository name (give names without the owner).");
      }
    }
    return new GitHubAuth(null, appId, privateKey, installationId, names);
  }

  /** @return true for a GitHub App installation, false for a personal access token */
  public boolean isApp() {
    return privateKey != null;
  }

  /** @return the app's id (the JWT's issuer), or {@code null} for a personal access token */
  public String appId() {
    return appId;
  }

  /** @return the installation's id, or 0 for a personal access token */
  public long installationId() {
    return installationId;
  }

  Secret personalToken() {
    return personalToken;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  List<String> repositories() {
    return repositories;
  }

  @Override
  public String toString() {
    return isApp()
        ? "GitHubAuth[app " + appId + ", installation " + installationId
            + (repositories.isEmpty() ? "" : ", repositories " + repositories) + ", key " + Secret.MASK + "]"
        : "GitHubAuth[personal access token " + Secret.MASK + "]";
  }
}
