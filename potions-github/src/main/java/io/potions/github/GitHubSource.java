package io.potions.github;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.http.ApiUnreachableException;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.ResourceNotFoundException;
import io.potions.source.GitRepositorySource;
import io.potions.source.SourceCommit;
import io.potions.source.UnknownRefException;
import io.potions.spi.SourceHost;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GitHub repository as an app's source: refs are resolved through GitHub's API, the commit is
 * fetched with git over HTTPS (user {@code x-access-token}, password the token) into a local bare
 * mirror, incrementally, and from there it takes the same build path as a plain git source. Deploys
 * are reported back as a commit status and a GitHub Deployment with its statuses, so the
 * repository shows what is live.
 *
 * <pre>{@code
 * GitHubClient github = GitHubClient.builder()
 *     .auth(GitHubAuth.app("Iv23liAbCdEf", Path.of("github-app.pem"), 51234567L))
 *     .build();
 * GitHubSource source = GitHubSource.builder(github, "octo-org/shop")
 *     .cacheDir(Path.of("/var/cache/potions/git"))
 *     .environmentUrl("https://shop.example.com")
 *     .build();
 * App shop = server.app("shop").withSource(source);
 * shop.deploy("main");
 * }</pre>
 *
 * <p>Reporting never fails a deploy: a refused or failed report is logged and the deploy goes on.
 * Thread-safe.
 */
public final class GitHubSource implements SourceHost {
  /** The public GitHub's git address. */
  public static final URI DEFAULT_GIT_URI = URI.create("https://github.com");

  private static final Logger log = LoggerFactory.getLogger(GitHubSource.class);
  private static final int REMEMBERED_DEPLOYMENTS = 200;

  private final GitHubClient client;
  private final String repository;
  private final URI gitUri;
  private final String cloneUrl;
  private final GitRepositorySource mirror;
  private final boolean commitStatuses;
  private final boolean deployments;
  private final String environment;
  private final String statusContext;
  private final String environmentUrl;
  private final Set<String> fetched = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> deploymentIds = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > REMEMBERED_DEPLOYMENTS;
    }
  };

  private GitHubSource(Builder b) {
    this.client = b.client;
    this.repository = b.repository;
    this.gitUri = b.gitUri;
    String base = gitUri.toString().endsWith("/") ? gitUri.toString() : gitUri + "/";
    this.cloneUrl = base + repository + ".git";
    Path cache = b.cacheDir != null ? b.cacheDir
        : Path.of(System.getProperty("user.home"), ".potions", "github-cache");
    this.mirror = GitRepositorySource.remote(cloneUrl, cache, new TokenCredentials(client, gitUri));
    this.commitStatuses = b.commitStatuses;
    this.deployments = b.deployments;
    this.environment = b.environment;
    this.statusContext = b.statusContext != null ? b.statusContext : "potions/" + b.environment;
    this.environmentUrl = b.environmentUrl;
  }

  /**
   * @param client the GitHub client (its auth is used for the API and for git)
   * @param repository {@code owner/name}
   * @return a builder
   */
  public static Builder builder(GitHubClient client, String repository) {
    return new Builder(client, repository);
  }

  /** @return the repository, {@code owner/name} */
  public String repository() {
    return repository;
  }

  /** @return the HTTPS URL git fetches from (no credentials in it) */
  public String cloneUrl() {
    return cloneUrl;
  }

  /** @return the client this source talks to GitHub with */
  public GitHubClient client() {
    return client;
  }

  @Override
  public String describe() {
    String host = gitUri.getHost();
    return "GitHub " + repository + (DEFAULT_GIT_URI.getHost().equals(host) ? "" : " on " + host);
  }

  /**
   * Resolves the ref through GitHub's API, then fetches the commit into the local mirror.
   *
   * @param ref a branch, tag or commit SHA (full or abbreviated)
   * @return the commit
   * @throws UnknownRefException when it names nothing
   * @throws ResourceNotFoundException when the repository does not exist or is not accessible
   * @throws AuthenticationFailedException when GitHub or git refuses the token
   */
  @Override
  public SourceCommit resolve(String ref) {
    if (ref == null || ref.isBlank() || ref.length() > 255 || ref.contains("..") || ref.startsWith("-")
        || !ref.matches("[A-Za-z0-9._/@+-]+")) {
      throw new InvalidInputException("'" + ref + "' is not a valid git ref: use a branch, a tag or a commit SHA.");
    }
    GitHubCommit commit = client.commit(repository, ref);
    ensureFetched(commit.sha());
    return new SourceCommit(commit.sha(), ref, commit.subject(), commit.authorName());
  }

  @Override
  public void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
    ensureFetched(commit.sha());
    mirror.writeBundle(commit, have, out);
  }

  @Override
  public Optional<String> readFile(SourceCommit commit, String path) {
    ensureFetched(commit.sha());
    return mirror.readFile(commit, path);
  }

  /**
   * Answers from the local mirror (GitHub's REST subset this SDK uses has no compare call): a commit
   * not yet in the mirror is fetched first; a commit on no branch or tag answers false.
   */
  @Override
  public boolean isAncestor(String older, String newer) {
    if (older == null || newer == null || !older.matches("[0-9a-f]{40}") || !newer.matches("[0-9a-f]{40}")) {
      return false;
    }
    try {
      ensureFetched(older);
      ensureFetched(newer);
    } catch (UnknownRefException e) {
      return false;
    }
    return mirror.isAncestor(older, newer);
  }

  /**
   * Sets the commit status ({@code pending}, {@code success}, {@code failure}) and adds the
   * matching status to the commit's GitHub Deployment (created when the deploy starts). Never
   * throws: failures are logged.
   */
  @Override
  public void reportDeployment(SourceCommit commit, String state, String description) {
    String commitState = switch (state == null ? "" : state) {
      case "in_progress" -> "pending";
      case "success" -> "success";
      case "failure" -> "failure";
      default -> null;
    };
    if (commitState == null) {
      log.warn("Not reporting deploy state '{}' of {} to GitHub: unknown state.", state, commit.shortSha());
      return;
    }
    if (commitStatuses) {
      try {
        client.createCommitStatus(repository, commit.sha(), commitState, statusContext, description, environmentUrl);
      } catch (RuntimeException e) {
        log.warn("Could not set the commit status of {} in {} to {}: {}", commit.shortSha(), repository, commitState,
            client.redactor().redact(e.getMessage()));
      }
    }
    if (deployments) {
      try {
        Long id;
        synchronized (deploymentIds) {
          id = deploymentIds.get(commit.sha());
        }
        if (id == null || state.equals("in_progress")) {
          id = client.createDeployment(repository, commit.sha(), environment, description);
          synchronized (deploymentIds) {
            deploymentIds.put(commit.sha(), id);
          }
        }
        client.createDeploymentStatus(repository, id, state, description, environmentUrl, null);
      } catch (RuntimeException e) {
        log.warn("Could not report the deployment of {} in {} as {}: {}", commit.shortSha(), repository, state,
            client.redactor().redact(e.getMessage()));
      }
    }
  }

  /** Makes sure the commit is in the local mirror, fetching (incrementally) when it is not. */
  private void ensureFetched(String sha) {
    if (fetched.contains(sha)) {
      return;
    }
    try {
      fetchOnce(sha);
    } catch (AuthenticationFailedException e) {
      if (!client.auth().isApp()) {
        throw e;
      }
      // The cached installation token may have been revoked: exchange a new one and try once more.
      client.invalidateAccessToken();
      fetchOnce(sha);
    }
    fetched.add(sha);
  }

  private void fetchOnce(String sha) {
    long started = System.nanoTime();
    try {
      mirror.resolve(sha); // fetches every branch and tag into the mirror, then finds the commit
      log.debug("fetched {} of {} in {} ms", sha.substring(0, 7), repository, (System.nanoTime() - started) / 1_000_000);
    } catch (UnknownRefException e) {
      throw new UnknownRefException("Commit " + sha + " is not on any branch or tag of " + describe()
          + " (force-pushed away?); nothing was deployed.");
    } catch (PotionsException e) {
      throw translate(e, sha);
    }
  }

  private RuntimeException translate(PotionsException e, String sha) {
    String detail = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MissingObjectException) {
        return new UnknownRefException("Commit " + sha + " is not on any branch or tag of " + describe()
            + " (force-pushed away?); nothing was deployed.");
      }
      if (t instanceof NoRemoteRepositoryException || t instanceof InvalidRemoteException) {
        return new ResourceNotFoundException("GitHub", "git found no repository at " + cloneUrl + ": check the name"
            + " and that it is accessible to " + (client.auth().isApp() ? "the app's installation" : "the token") + ".",
            0, null, null);
      }
      if (t.getMessage() != null) {
        detail = t.getMessage();
      }
    }
    String text = client.redactor().redact(String.valueOf(detail));
    String lower = text.toLowerCase(Locale.ROOT);
    // JGit's wording for a 401 (a port or SHA in the text may hold "401", so no numbers here)
    if (lower.contains("not authorized") || lower.contains("authentication is required")
        || lower.contains("authentication not supported")) {
      return new AuthenticationFailedException("GitHub", "git over HTTPS refused " + client.credentialHint()
          + " (fetching " + cloneUrl + " as x-access-token: 401 not authorized).", 0, null, null);
    }
    return new ApiUnreachableException("GitHub", "Could not fetch " + cloneUrl + " with git: " + text, false, null);
  }

  @Override
  public String toString() {
    return "GitHubSource[" + repository + " via " + client.apiUri() + "]";
  }

  /** Settings for a {@link GitHubSource}. */
  public static final class Builder {
    private final GitHubClient client;
    private final String repository;
    private URI gitUri = DEFAULT_GIT_URI;
    private Path cacheDir;
    private boolean commitStatuses = true;
    private boolean deployments = true;
    private String environment = "production";
    private String statusContext;
    private String environmentUrl;

    private Builder(GitHubClient client, String repository) {
      this.client = Objects.requireNonNull(client, "client");
      this.repository = GitHubClient.checkFullName(repository);
    }

    /**
     * @param gitUri where git fetches from: {@code https://github.com} (default), or the GitHub
     *     Enterprise Server's address
     * @return this
     */
    public Builder gitUri(URI gitUri) {
      if (gitUri == null || gitUri.getScheme() == null || !gitUri.getScheme().matches("https?")
          || gitUri.getHost() == null || gitUri.getRawUserInfo() != null || gitUri.getRawQuery() != null) {
        throw new InvalidInputException("Git address " + gitUri + " must be an http(s) URL without credentials or"
            + " query, such as https://github.com.");
      }
      this.gitUri = gitUri;
      return this;
    }

    /**
     * @param cacheDir where the local bare mirrors are kept (default {@code ~/.potions/github-cache})
     * @return this
     */
    public Builder cacheDir(Path cacheDir) {
      this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
      return this;
    }

    /**
     * @param on whether deploys set a commit status (default true; needs Commit statuses: write)
     * @return this
     */
    public Builder commitStatuses(boolean on) {
      this.commitStatuses = on;
      return this;
    }

    /**
     * @param on whether deploys create GitHub Deployments with statuses (default true; needs
     *     Deployments: write)
     * @return this
     */
    public Builder deployments(boolean on) {
      this.deployments = on;
      return this;
    }

    /**
     * @param environment the GitHub environment deployments go to (default {@code production})
     * @return this
     */
    public Builder environment(String environment) {
      if (environment == null || environment.isBlank() || environment.length() > 255) {
        throw new InvalidInputException("The GitHub environment name must be 1 to 255 characters.");
      }
      this.environment = environment;
      return this;
    }

    /**
     * @param context the commit status's label (default {@code potions/<environment>})
     * @return this
     */
    public Builder statusContext(String context) {
      if (context == null || context.isBlank() || context.length() > 255) {
        throw new InvalidInputException("The commit status context must be 1 to 255 characters.");
      }
      this.statusContext = context;
      return this;
    }

    /**
     * @param url where the app is reachable, linked from the commit status and the deployment
     * @return this
     */
    public Builder environmentUrl(String url) {
      if (url != null && !url.matches("https?://\\S+")) {
        throw new InvalidInputException("Environment URL " + url + " must be an http(s) URL.");
      }
      this.environmentUrl = url;
      return this;
    }

    /** @return the source */
    public GitHubSource build() {
      return new GitHubSource(this);
    }
  }
}
