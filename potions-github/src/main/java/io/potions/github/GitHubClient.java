package io.potions.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.InvalidInputException;
import io.potions.http.ApiClientBuilder;
import io.potions.http.ApiClientSettings;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.HttpApiException;
import io.potions.http.PermissionDeniedException;
import io.potions.http.RateLimitedException;
import io.potions.http.RequestRejectedException;
import io.potions.http.ResourceNotFoundException;
import io.potions.http.ServerErrorException;
import io.potions.http.Sleeper;
import io.potions.internal.http.ApiFailure;
import io.potions.internal.http.ApiResponse;
import io.potions.internal.http.HttpTransport;
import io.potions.internal.http.Pagination;
import io.potions.internal.http.RetryAfter;
import io.potions.secret.Redactor;
import io.potions.secret.Secret;
import io.potions.source.UnknownRefException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the parts of GitHub's REST API the SDK needs: the authenticated app, the
 * repositories an installation can access, repositories, branches and commits, commit statuses,
 * deployments and their statuses, and repository webhooks.
 *
 * <pre>{@code
 * GitHubClient github = GitHubClient.builder()
 *     .auth(GitHubAuth.app("Iv23liAbCdEf", Path.of("github-app.pem"), 51234567L))
 *     .build();
 * List<GitHubRepository> repos = github.installationRepositories();
 * }</pre>
 *
 * <p>Every call has a timeout. Rate limits: the {@code x-ratelimit-*} headers of every answer are
 * kept ({@link #rateLimit()}); a request refused by the primary or a secondary limit (403 or 429)
 * is waited out as GitHub asks ({@code retry-after}, else {@code x-ratelimit-reset}, else a
 * minute) when that wait is within {@link Builder#maxRateLimitWait(Duration)}, and fails at once
 * with {@link RateLimitedException} otherwise. Such a request was refused, not processed, so
 * even a POST is safe to repeat. 5xx answers, failed connections and timeouts are retried with
 * backoff only for calls that are safe to repeat. Other errors are clear: 401 is
 * {@link AuthenticationFailedException} (check the token or the app), 404 is
 * {@link ResourceNotFoundException} (the repository does not exist or is not accessible to the
 * installation), 403 is {@link PermissionDeniedException}.
 *
 * <p>With GitHub App auth, the installation token is cached and refreshed {@link
 * Builder#tokenRefreshMargin(Duration) a few minutes} before it expires. Tokens never appear in logs,
 * messages or {@code toString()}. Thread-safe.
 */
public final class GitHubClient {
  /** The public API's address. */
  public static final URI DEFAULT_API_URI = URI.create("https://api.github.com");

  /** The REST API version the client speaks ({@code X-GitHub-Api-Version}). */
  public static final String API_VERSION = "2022-11-28";

  /** The largest page GitHub serves. */
  public static final int MAX_PAGE_SIZE = 100;

  private static final Logger log = LoggerFactory.getLogger(GitHubClient.class);
  private static final String API = "GitHub";
  private static final Pattern REPO_PATH = Pattern.compile("^/repos/([^/]+)/([^/?]+)");
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}");
  private static final Set<String> COMMIT_STATES = Set.of("pending", "success", "failure", "error");
  private static final Set<String> DEPLOYMENT_STATES = Set.of(
      "error", "failure", "inactive", "in_progress", "queued", "pending", "success");

  /** Which credential a call presents. */
  private enum Credential {
    /** the personal access token or the installation token */
    TOKEN,
    /** the app's own JWT (GET /app, the token exchange) */
    APP_JWT;

    /** GitHub's rule: the app's own endpoints ({@code /app...}) take the JWT, all others a token. */
    static Credential of(String path) {
      return path.equals("/app") || path.startsWith("/app/") ? APP_JWT : TOKEN;
    }
  }

  private final GitHubAuth auth;
  private final String baseUri;
  private final Duration tokenRefreshMargin;
  private final Clock clock;
  private final Redactor redactor = new Redactor();
  private final ObjectMapper json = new ObjectMapper();
  private final HttpTransport http;
  private final AtomicReference<RateLimit> rateLimit = new AtomicReference<>();
  private final Object tokenLock = new Object();
  private Secret installationToken;
  private Instant installationTokenExpiry;

  private GitHubClient(Builder b) {
    if (b.auth == null) {
      throw new InvalidInputException("No GitHub authentication given: pass GitHubAuth.app(...) (a GitHub App"
          + " installation) or GitHubAuth.personalAccessToken(...) to GitHubClient.builder().auth(...).");
    }
    this.auth = b.auth;
    if (auth.personalToken() != null) {
      redactor.register(auth.personalToken());
    }
    this.tokenRefreshMargin = b.tokenRefreshMargin;
    ApiClientSettings settings = b.apiSettings();
    this.clock = settings.clock();
    this.http = HttpTransport.builder(API, b.apiUri, this::errorFor)
        .settings(settings)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", API_VERSION)
        .requestIdHeader("x-github-request-id")
        .json(json).redactor(redactor)
        .onAnswer(this::keepRateLimit)
        .log(log)
        .build();
    this.baseUri = http.baseUri();
  }

  /** @return a builder; only {@link Builder#auth(GitHubAuth)} is required */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- API

  /**
   * The GitHub App the client authenticates as ({@code GET /app}, with the app's JWT): a quick check
   * of the app id and private key.
   *
   * @return the app
   * @throws InvalidInputException with a personal access token
   */
  public GitHubAppInfo app() {
    requireApp("GET /app");
    JsonNode a = call("GET", "/app", null, true).body();
    return new GitHubAppInfo(a.path("id").asLong(), a.path("slug").asText(null), a.path("name").asText(null));
  }

  /**
   * Lists every repository the app's installation can access ({@code GET /installation/repositories},
   * all pages).
   *
   * @return the repositories
   * @throws InvalidInputException with a personal access token
   */
  public List<GitHubRepository> installationRepositories() {
    requireApp("GET /installation/repositories");
    String path = "/installation/repositories";
    int[] read = {0};
    return Pagination.collect(API, path, path + "?per_page=" + MAX_PAGE_SIZE + "&page=1", next -> {
      ApiResponse page = call("GET", next, null, true);
      JsonNode items = page.body().path("repositories");
      if (!items.isArray()) {
        throw new HttpApiException(API, "GitHub answered GET " + path + " without a 'repositories' list.");
      }
      List<GitHubRepository> repos = new ArrayList<>();
      items.forEach(item -> repos.add(repositoryOf(item)));
      read[0] += repos.size();
      long total = page.body().path("total_count").asLong(-1);
      boolean more = !items.isEmpty() && (total < 0 || read[0] < total);
      Optional<String> link = more ? Pagination.linkHeaderNext(page.headers()) : Optional.empty();
      return new Pagination.Page<>(repos, link.map(l -> sameApi(l, path)));
    });
  }

  /**
   * @param fullName {@code owner/name}
   * @return the repository ({@code GET /repos/{owner}/{repo}})
   * @throws ResourceNotFoundException when it does not exist or is not accessible
   */
  public GitHubRepository repository(String fullName) {
    return repositoryOf(call("GET", repoPath(fullName), null, true).body());
  }

  /**
   * Resolves a branch, tag or SHA to a commit ({@code GET /repos/{owner}/{repo}/commits/{ref}}).
   *
   * @param fullName {@code owner/name}
   * @param ref a branch, tag or (full or abbreviated) SHA
   * @return the commit it names now
   * @throws UnknownRefException when it names nothing in the repository
   * @throws ResourceNotFoundException when the repository does not exist or is not accessible
   */
  public GitHubCommit commit(String fullName, String ref) {
    String path = repoPath(fullName) + "/commits/" + segment(ref);
    try {
      return commitOf(call("GET", path, null, true).body());
    } catch (ResourceNotFoundException notFound) {
      repository(fullName); // throws the clearer "repository not found" when that is the case
      throw new UnknownRefException("No branch, tag or commit '" + ref + "' in GitHub repository " + fullName + ".");
    } catch (HttpApiException e) {
      if (e.status() == 422 || e.status() == 409) {
        throw new UnknownRefException("No branch, tag or commit '" + ref + "' in GitHub repository " + fullName
            + (e.status() == 409 ? " (the repository is empty)." : "."));
      }
      throw e;
    }
  }

  /**
   * @param fullName {@code owner/name}
   * @param branch a branch name
   * @return the branch's head commit ({@code GET /repos/{owner}/{repo}/branches/{branch}})
   * @throws UnknownRefException when there is no such branch
   */
  public GitHubCommit branch(String fullName, String branch) {
    String path = repoPath(fullName) + "/branches/" + segment(branch);
    try {
      return commitOf(call("GET", path, null, true).body().path("commit"));
    } catch (ResourceNotFoundException notFound) {
      repository(fullName);
      throw new UnknownRefException("No branch '" + branch + "' in GitHub repository " + fullName + ".");
    }
  }

  /**
   * Sets a commit status ({@code POST /repos/{owner}/{repo}/statuses/{sha}}), shown beside the commit.
   *
   * @param fullName {@code owner/name}
   * @param sha the full commit SHA
   * @param state {@code pending}, {@code success}, {@code failure} or {@code error}
   * @param context the status's label, such as {@code potions/production}
   * @param description a short text (cut to 140 characters)
   * @param targetUrl a link for people, or {@code null}
   */
  public void createCommitStatus(String fullName, String sha, String state, String context, String description,
      String targetUrl) {
    if (!COMMIT_STATES.contains(state)) {
      throw new InvalidInputException("Commit status state '" + state + "' is not one of " + COMMIT_STATES + ".");
    }
    ObjectNode body = json.createObjectNode().put("state", state).put("context", context);
    if (description != null) {
      body.put("description", shorten(description));
    }
    if (targetUrl != null) {
      body.put("target_url", targetUrl);
    }
    // Setting the same status twice is harmless, so this POST may be retried.
    call("POST", repoPath(fullName) + "/statuses/" + sha(sha), body, true);
  }

  /**
   * Creates a deployment of a commit ({@code POST /repos/{owner}/{repo}/deployments}), without
   * merging anything and without waiting for other status checks.
   *
   * @param fullName {@code owner/name}
   * @param ref the commit SHA (or ref) being deployed
   * @param environment the environment's name, such as {@code production}
   * @param description a short text (cut to 140 characters), or {@code null}
   * @return the deployment's id
   */
  public long createDeployment(String fullName, String ref, String environment, String description) {
    ObjectNode body = json.createObjectNode().put("ref", ref).put("task", "deploy").put("auto_merge", false)
        .put("environment", environment);
    body.putArray("required_contexts");
    if (description != null) {
      body.put("description", shorten(description));
    }
    ApiResponse a = call("POST", repoPath(fullName) + "/deployments", body, false);
    if (a.status() != 201 || !a.body().path("id").canConvertToLong()) {
      throw new HttpApiException(API, "GitHub did not create a deployment of " + ref + " in " + fullName + " ("
          + a.status() + ": " + a.body().path("message").asText("no message") + ").", a.status(), a.requestId(),
          null, null, null);
    }
    return a.body().path("id").asLong();
  }

  /**
   * Adds a status to a deployment ({@code POST .../deployments/{id}/statuses}).
   *
   * @param fullName {@code owner/name}
   * @param deploymentId the deployment's id
   * @param state {@code in_progress}, {@code success}, {@code failure}, {@code error}, {@code queued},
   *     {@code pending} or {@code inactive}
   * @param description a short text (cut to 140 characters), or {@code null}
   * @param environmentUrl where the deployed app is reachable, or {@code null}
   * @param logUrl where the deployment's output is, or {@code null}
   */
  public void createDeploymentStatus(String fullName, long deploymentId, String state, String description,
      String environmentUrl, String logUrl) {
    if (!DEPLOYMENT_STATES.contains(state)) {
      throw new InvalidInputException("Deployment status state '" + state + "' is not one of "
          + DEPLOYMENT_STATES + ".");
    }
    ObjectNode body = json.createObjectNode().put("state", state);
    if (description != null) {
      body.put("description", shorten(description));
    }
    if (environmentUrl != null) {
      body.put("environment_url", environmentUrl);
    }
    if (logUrl != null) {
      body.put("log_url", logUrl);
    }
    call("POST", repoPath(fullName) + "/deployments/" + deploymentId + "/statuses", body, false);
  }

  /**
   * Creates a repository webhook that sends JSON payloads signed with {@code secret}
   * ({@code POST /repos/{owner}/{repo}/hooks}).
   *
   * @param fullName {@code owner/name}
   * @param url where GitHub delivers the events (your {@code WebhookServer} or endpoint)
   * @param secret the webhook secret, the same the {@code WebhookHandler} checks signatures with
   * @param events the events, such as {@code push}
   * @return the webhook's id
   */
  public long createWebhook(String fullName, URI url, Secret secret, List<String> events) {
    if (url == null || url.getScheme() == null || !url.getScheme().matches("https?")) {
      throw new InvalidInputException("Webhook URL " + url + " must be an http(s) URL GitHub can reach.");
    }
    redactor.register(secret);
    ObjectNode body = json.createObjectNode().put("name", "web").put("active", true);
    ArrayNode list = body.putArray("events");
    events.forEach(list::add);
    body.putObject("config").put("url", url.toString()).put("content_type", "json")
        .put("secret", secret.reveal()).put("insecure_ssl", "0");
    return call("POST", repoPath(fullName) + "/hooks", body, false).body().path("id").asLong();
  }

  /** @return the rate limit as GitHub's last answer reported it, if any answer carried it */
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(rateLimit.get());
  }

  /** @return how the client authenticates */
  public GitHubAuth auth() {
    return auth;
  }

  /** @return the API's base address */
  public URI apiUri() {
    return URI.create(baseUri);
  }

  // ---------------------------------------------------------------- tokens

  /**
   * @return the token for API calls and git over HTTPS: the personal access token, or a cached
   *     installation token that has more than the refresh margin left (exchanged anew otherwise)
   */
  Secret accessToken() {
    if (!auth.isApp()) {
      return auth.personalToken();
    }
    synchronized (tokenLock) {
      Instant now = clock.instant();
      if (installationToken != null && now.isBefore(installationTokenExpiry.minus(tokenRefreshMargin))) {
        return installationToken;
      }
      ObjectNode body = null;
      if (!auth.repositories().isEmpty()) {
        body = json.createObjectNode();
        ArrayNode names = body.putArray("repositories");
        auth.repositories().forEach(names::add);
      }
      String path = "/app/installations/" + auth.installationId() + "/access_tokens";
      // Creating a second token is harmless, so the exchange may be retried.
      JsonNode answer = call("POST", path, body, true).body();
      String token = answer.path("token").asText("");
      if (token.isEmpty()) {
        throw new HttpApiException(API, "GitHub answered the installation token exchange for installation "
            + auth.installationId() + " without a token.");
      }
      redactor.register(token);
      Instant expiry;
      try {
        expiry = Instant.parse(answer.path("expires_at").asText(""));
      } catch (DateTimeParseException e) {
        expiry = now.plus(Duration.ofHours(1)); // GitHub documents one hour
      }
      installationToken = Secret.of(token);
      installationTokenExpiry = expiry;
      log.debug("new installation token for installation {}, expires {}", auth.installationId(), expiry);
      return installationToken;
    }
  }

  /** Forgets the cached installation token (after git or the API refused it). */
  void invalidateAccessToken() {
    synchronized (tokenLock) {
      installationToken = null;
      installationTokenExpiry = null;
    }
  }

  /** @return the masker that knows every token this client has seen */
  Redactor redactor() {
    return redactor;
  }

  /** @return which credential to check, for messages about a refused token */
  String credentialHint() {
    return auth.isApp()
        ? "the GitHub App's installation token (app " + auth.appId() + ", installation " + auth.installationId()
            + "): check that the app is installed on the repository with Contents: read"
        : "the personal access token: check that it is valid, unexpired and allowed to read the repository";
  }

  // ---------------------------------------------------------------- HTTP

  private ApiResponse call(String method, String pathAndQuery, JsonNode body, boolean repeatable) {
    Credential credential = Credential.of(pathOf(pathAndQuery));
    Supplier<String> bearer = credential == Credential.APP_JWT
        ? () -> "Bearer " + AppJwt.create(auth.appId(), auth.privateKey(), clock.instant())
        : () -> "Bearer " + accessToken().reveal();
    try {
      return http.send(method, pathAndQuery, body, repeatable, bearer);
    } catch (AuthenticationFailedException e) {
      if (credential == Credential.TOKEN && auth.isApp()) {
        // A cached installation token may have been revoked: exchange a new one, once.
        log.debug("{} {} refused the installation token; exchanging a new one", method, pathOf(pathAndQuery));
        invalidateAccessToken();
        return http.send(method, pathAndQuery, body, repeatable, bearer);
      }
      throw e;
    }
  }

  /** Keeps the {@code x-ratelimit-*} headers of every answer, and warns when few requests are left. */
  private void keepRateLimit(int status, HttpHeaders headers) {
    RateLimit limit = readRateLimit(headers);
    if (limit == null) {
      return;
    }
    rateLimit.set(limit);
    if (limit.limit() > 0 && limit.remaining() * 10 < limit.limit() && status < 400) {
      log.warn("GitHub rate limit low: {} of {} {} requests left until {}", limit.remaining(), limit.limit(),
          limit.resource(), limit.reset());
    }
  }

  /** GitHub's failed answers in its own words: which credential, which permission, which repository. */
  private HttpApiException errorFor(ApiFailure failure) {
    String what = failure.what();
    String path = failure.path();
    int status = failure.status();
    HttpHeaders headers = failure.headers();
    String message = failure.field("message");
    String errors = "";
    JsonNode list = failure.json() == null ? null : failure.json().path("errors");
    if (list != null && list.isArray() && !list.isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode e : list) {
        parts.add(e.isTextual() ? e.asText()
            : e.path("message").asText(e.path("field").asText("") + " " + e.path("code").asText("")).trim());
      }
      errors = " " + parts;
    }
    String requestId = failure.requestId();
    String said = status + (message == null ? "" : " " + message) + errors
        + (requestId == null ? "" : "; request id " + requestId);
    String repo = null;
    Matcher m = REPO_PATH.matcher(path);
    if (m.find()) {
      repo = decode(m.group(1)) + "/" + decode(m.group(2));
    }
    if (status == 401) {
      String hint = Credential.of(path) == Credential.APP_JWT
          ? "the GitHub App's JWT: check the app id (" + auth.appId() + ") and that the private key is the"
              + " app's current one, and that this machine's clock is right (the JWT is valid for minutes)"
          : credentialHint();
      return new AuthenticationFailedException(API, redactor.redact("GitHub refused " + hint + " (" + what + ": "
          + said + ")."), status, requestId, null);
    } else if ((status == 403 || status == 429) && isRateLimited(status, headers, message)) {
      Duration wait = rateLimitWait(failure);
      return new RateLimitedException(API, redactor.redact("GitHub's rate limit refused " + what + " (" + said
          + "). It asked to wait " + RetryAfter.describe(wait) + "; this client waits at most "
          + RetryAfter.describe(http.maxRateLimitWait()) + " (maxRateLimitWait), " + http.maxAttempts()
          + " attempts in all. Slow down, or try again later."), status, requestId, null, wait);
    } else if (status == 403) {
      return new PermissionDeniedException(API, redactor.redact("GitHub does not allow " + what + " (" + said + "). "
          + (auth.isApp()
              ? "Give the GitHub App the permission it needs (Contents: read; Commit statuses, Deployments"
                  + " and Webhooks: write) and accept it on installation " + auth.installationId() + "."
              : "Give the token the scope it needs (repo, or fine-grained Contents: read; Commit statuses,"
                  + " Deployments and Webhooks: write).")), status, requestId, null);
    } else if (status == 404) {
      String msg;
      if (path.startsWith("/app/installations/")) {
        msg = "GitHub found no installation " + auth.installationId() + " of app " + auth.appId() + " (" + what
            + ": " + said + "). Check the installation id and that the app is still installed.";
      } else if (repo != null) {
        msg = "GitHub repository " + repo + " was not found, or is not accessible to "
            + (auth.isApp() ? "the app's installation " + auth.installationId()
                + " (add the repository to the installation)" : "the token")
            + " (" + what + ": " + said + ").";
      } else {
        msg = "GitHub found nothing for " + what + " (" + said + ").";
      }
      return new ResourceNotFoundException(API, redactor.redact(msg), status, requestId, null);
    } else if (status >= 500) {
      return new ServerErrorException(API, redactor.redact("GitHub failed on " + what + " (" + said + "). It is"
          + " usually transient: try again in a moment; see githubstatus.com if it persists."), status,
          requestId, null);
    } else if (status >= 400) {
      return new RequestRejectedException(API, redactor.redact("GitHub refused " + what + " (" + said + ")."),
          status, requestId, null);
    }
    return new HttpApiException(API, redactor.redact("GitHub answered " + what + " with an unexpected " + said
        + "."), status, requestId, null, null, null);
  }

  private static boolean isRateLimited(int status, HttpHeaders headers, String message) {
    return status == 429
        || headers.firstValue("retry-after").isPresent()
        || headers.firstValue("x-ratelimit-remaining").map(v -> v.trim().equals("0")).orElse(false)
        || (message != null && message.toLowerCase(Locale.ROOT).contains("rate limit"));
  }

  /**
   * How long a rate-limited answer asks to wait, as GitHub documents it: {@code retry-after} first;
   * else, with no requests left, until {@code x-ratelimit-reset}; else (a secondary limit without
   * {@code retry-after}) one minute.
   */
  private static Duration rateLimitWait(ApiFailure failure) {
    HttpHeaders headers = failure.headers();
    Optional<Duration> retryAfter = RetryAfter.header(headers, failure.receivedAt());
    if (retryAfter.isPresent()) {
      return retryAfter.get();
    }
    boolean exhausted = headers.firstValue("x-ratelimit-remaining").map(v -> v.trim().equals("0")).orElse(false);
    if (exhausted) {
      Optional<Duration> untilReset = RetryAfter.untilEpochSecond(headers, "x-ratelimit-reset", failure.receivedAt());
      if (untilReset.isPresent()) {
        return untilReset.get().isNegative() ? Duration.ZERO : untilReset.get().plusSeconds(1);
      }
    }
    return Duration.ofMinutes(1);
  }

  private static RateLimit readRateLimit(HttpHeaders h) {
    Optional<String> limit = h.firstValue("x-ratelimit-limit");
    Optional<String> remaining = h.firstValue("x-ratelimit-remaining");
    if (limit.isEmpty() || remaining.isEmpty()) {
      return null;
    }
    try {
      long l = Long.parseLong(limit.get().trim());
      long r = Long.parseLong(remaining.get().trim());
      long used = h.firstValue("x-ratelimit-used").map(v -> Long.parseLong(v.trim())).orElse(l - r);
      Instant reset = h.firstValue("x-ratelimit-reset").map(v -> Instant.ofEpochSecond(Long.parseLong(v.trim())))
          .orElse(null);
      return new RateLimit(l, r, used, reset, h.firstValue("x-ratelimit-resource").orElse("core"));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- helpers

  private void requireApp(String what) {
    if (!auth.isApp()) {
      throw new InvalidInputException(what + " needs GitHub App authentication (GitHubAuth.app(...)); a personal"
          + " access token cannot call it.");
    }
  }

  /** Follows a next-page link on the configured API address and the same path only. */
  private String sameApi(String link, String path) {
    if (!link.startsWith(baseUri + path + "?")) {
      throw new HttpApiException(API, "GitHub sent a next-page link for " + path + " outside the API address "
          + baseUri + "; not following it.");
    }
    return link.substring(baseUri.length());
  }

  static String checkFullName(String fullName) {
    if (fullName == null || !FULL_NAME.matcher(fullName).matches() || fullName.endsWith("/.")
        || fullName.endsWith("/..")) {
      throw new InvalidInputException("'" + fullName + "' is not a GitHub repository: give it as owner/name,"
          + " such as octo-org/shop.");
    }
    return fullName;
  }

  private static String repoPath(String fullName) {
    checkFullName(fullName);
    int slash = fullName.indexOf('/');
    return "/repos/" + fullName.substring(0, slash) + "/" + fullName.substring(slash + 1);
  }

  private static String sha(String sha) {
    if (sha == null || !sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
      throw new InvalidInputException("'" + sha + "' is not a full commit SHA.");
    }
    return sha;
  }

  /** Percent-encodes one path segment (a ref may hold slashes). */
  static String segment(String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidInputException("An empty ref names nothing: give a branch, a tag or a commit SHA.");
    }
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String pathOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  private static String shorten(String text) {
    return text.length() <= 140 ? text : text.substring(0, 139) + "\u2026";
  }

  private static GitHubRepository repositoryOf(JsonNode r) {
    return new GitHubRepository(r.path("id").asLong(), r.path("full_name").asText(null),
        r.path("private").asBoolean(false), r.path("default_branch").asText(null), r.path("clone_url").asText(null),
        r.path("html_url").asText(null));
  }

  private static GitHubCommit commitOf(JsonNode c) {
    String sha = c.path("sha").asText("");
    if (!sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
      throw new HttpApiException(API, "GitHub described a commit without a valid SHA.");
    }
    JsonNode inner = c.path("commit");
    return new GitHubCommit(sha, inner.path("message").asText(""), inner.path("author").path("name").asText(""),
        c.path("html_url").asText(null));
  }

  @Override
  public String toString() {
    return "GitHubClient[" + baseUri + ", " + auth + "]";
  }

  /** Settings for a {@link GitHubClient}. */
  public static final class Builder extends ApiClientBuilder<Builder> {
    private GitHubAuth auth;
    private URI apiUri = DEFAULT_API_URI;
    private Duration tokenRefreshMargin = Duration.ofMinutes(5);

    private Builder() {
      super(3);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * @param auth a GitHub App installation or a personal access token (required)
     * @return this
     */
    public Builder auth(GitHubAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /**
     * @param apiUri the REST API's address: {@code https://api.github.com} (default), or
     *     {@code https://HOST/api/v3} for GitHub Enterprise Server
     * @return this
     */
    public Builder apiUri(URI apiUri) {
      if (apiUri == null || apiUri.getScheme() == null || !apiUri.getScheme().matches("https?")
          || apiUri.getHost() == null || apiUri.getRawQuery() != null) {
        throw new InvalidInputException("GitHub API address " + apiUri + " must be an http(s) URL without a query,"
            + " such as https://api.github.com or https://github.example.com/api/v3.");
      }
      this.apiUri = apiUri;
      return this;
    }






    /**
     * @param margin how long before its expiry an installation token is replaced (default 5 min)
     * @return this
     */
    public Builder tokenRefreshMargin(Duration margin) {
      if (margin == null || margin.isNegative() || margin.compareTo(Duration.ofMinutes(50)) > 0) {
        throw new InvalidInputException("tokenRefreshMargin must be between 0 and 50 minutes.");
      }
      this.tokenRefreshMargin = margin;
      return this;
    }




    /** @return the client */
    public GitHubClient build() {
      return new GitHubClient(this);
    }

  }
}
