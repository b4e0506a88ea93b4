package io.potions.github.sim;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.potions.contract.ApiSimulation;
import io.potions.contract.OpenApiContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A stateful stand-in for the parts of GitHub's REST API the SDK uses, on a local WireMock server,
 * checked against GitHub's published description as it runs.
 *
 * <ul>
 *   <li>Auth: a GitHub App (an RSA key pair made here, {@link #appId()}, {@link #installationId()})
 *       whose JWTs are verified like GitHub does (RS256 signature with the public key, {@code iss},
 *       {@code iat}, {@code exp} at most 10 minutes ahead), exchanged for installation tokens of a
 *       configurable format and lifetime; and personal access tokens. Tokens can be revoked.
 *   <li>Repositories: each backed by a real bare git repository, so commits, branches and tags
 *       resolve to what git serves.
 *   <li>Records commit statuses, deployments and deployment statuses.
 *   <li>Faults: {@link #failNext(String, String, int, ResponseDefinitionBuilder)} queues answers
 *       (rate limits, 5xx, stalls) ahead of the simulation.
 *   <li>Contract: every request is checked against the operation it calls and every answer against
 *       the schema documented for its status; as a JUnit extension it fails the test after it when
 *       anything broke the contract.
 * </ul>
 */
public final class GitHubSimulation extends ApiSimulation<GitHubSimulation> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String DOCS = "https://docs.github.com/rest";
  private static final Pattern REPO = Pattern.compile("/repos/([^/]+)/([^/]+)(/.*)?");

  /** A recorded commit status. */
  public record CommitStatus(String repository, String sha, String state, String context, String description,
      String targetUrl) {}

  /** A recorded deployment. */
  public record Deployment(long id, String repository, String ref, String environment, String description,
      JsonNode request) {}

  /** A recorded deployment status. */
  public record DeploymentStatus(String repository, long deploymentId, String state, String description,
      String environmentUrl) {}

  private record Issued(String token, Instant expires) {}

  private record SimRepo(long id, String fullName, Path gitDir) {}

  private final KeyPair appKey;
  private final String appId = "Iv23li" + Long.toHexString(RANDOM.nextLong());
  private final long installationId = 40_000_000L + RANDOM.nextInt(1_000_000);
  private final List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
  private final List<Deployment> deployments = new CopyOnWriteArrayList<>();
  private final List<DeploymentStatus> deploymentStatuses = new CopyOnWriteArrayList<>();
  private final List<Map<String, Object>> jwtClaims = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong(7_000_000);
  private final AtomicInteger remaining = new AtomicInteger(5000);

  // state, guarded by this
  private final Map<String, SimRepo> repos = new LinkedHashMap<>();
  private final List<Issued> installationTokens = new ArrayList<>();
  private final List<String> everIssued = new ArrayList<>();
  private final List<String> personalTokens = new ArrayList<>();
  private Duration tokenLifetime;
  private Supplier<String> tokenFormat;
  private int maxPageSize;

  /** A simulation judged by GitHub's published description (shared/specs). */
  public GitHubSimulation() {
    this(OpenApiContract.github());
  }

  /** @param contract the description requests and answers are checked against */
  public GitHubSimulation(OpenApiContract contract) {
    super("GitHub", contract);
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      this.appKey = gen.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    resetState();
  }

  // ---------------------------------------------------------------- settings and state

  /** @return the app's id (the JWT issuer GitHub expects) */
  public String appId() {
    return appId;
  }

  /** @return the installation's id */
  public long installationId() {
    return installationId;
  }

  /** @return the app's private key pair (the public half verifies JWTs) */
  public KeyPair appKey() {
    return appKey;
  }

  /**
   * Adds a repository, accessible to the installation and to personal tokens.
   *
   * @param fullName {@code owner/name}
   * @param gitDir the bare repository behind it
   * @return this
   */
  public synchronized GitHubSimulation addRepository(String fullName, Path gitDir) {
    repos.put(fullName.toLowerCase(Locale.ROOT), new SimRepo(ids.incrementAndGet(), fullName, gitDir));
    return this;
  }

  /**
   * @param token a personal access token to accept
   * @return this
   */
  public synchronized GitHubSimulation acceptPersonalToken(String token) {
    personalTokens.add(token);
    return this;
  }

  /**
   * @param lifetime how long installation tokens live (default one hour, as on GitHub)
   * @return this
   */
  public synchronized GitHubSimulation tokenLifetime(Duration lifetime) {
    this.tokenLifetime = lifetime;
    return this;
  }

  /**
   * @param format makes the installation tokens (default {@code ghs_} and 36 characters)
   * @return this
   */
  public synchronized GitHubSimulation tokenFormat(Supplier<String> format) {
    this.tokenFormat = format;
    return this;
  }

  /**
   * @param size the largest page served whatever {@code per_page} asks (default 100)
   * @return this
   */
  public synchronized GitHubSimulation maxPageSize(int size) {
    this.maxPageSize = size;
    return this;
  }

  /** Revokes every installation token issued so far. */
  public synchronized void revokeInstallationTokens() {
    installationTokens.clear();
  }

  /**
   * @param token a token
   * @return whether the simulation (and so the git server) accepts it now
   */
  public synchronized boolean accepts(String token) {
    if (personalTokens.contains(token)) {
      return true;
    }
    Instant now = Instant.now();
    return installationTokens.stream().anyMatch(t -> t.token().equals(token) && t.expires().isAfter(now));
  }

  /** @return every installation token issued since the last reset (revoked ones too), oldest first */
  public synchronized List<String> issuedTokens() {
    return List.copyOf(everIssued);
  }

  /** @return the claims of every JWT the simulation accepted */
  public List<Map<String, Object>> jwtClaims() {
    return List.copyOf(jwtClaims);
  }

  /** @return recorded commit statuses */
  public List<CommitStatus> commitStatuses() {
    return List.copyOf(statuses);
  }

  /** @return recorded deployments */
  public List<Deployment> deployments() {
    return List.copyOf(deployments);
  }

  /** @return recorded deployment statuses */
  public List<DeploymentStatus> deploymentStatuses() {
    return List.copyOf(deploymentStatuses);
  }

  /**
   * @param status 403 or 429
   * @param retryAfterSeconds the {@code retry-after} value, or -1 for none
   * @param remaining the {@code x-ratelimit-remaining} value
   * @param resetEpochSeconds the {@code x-ratelimit-reset} value
   * @return a rate-limit answer as GitHub sends it
   */
  public static ResponseDefinitionBuilder rateLimited(int status, long retryAfterSeconds, long remaining,
      long resetEpochSeconds) {
    ResponseDefinitionBuilder b = aResponse().withStatus(status)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ratelimit-limit", "5000")
        .withHeader("x-ratelimit-remaining", String.valueOf(remaining))
        .withHeader("x-ratelimit-used", String.valueOf(5000 - remaining))
        .withHeader("x-ratelimit-reset", String.valueOf(resetEpochSeconds))
        .withHeader("x-ratelimit-resource", "core")
        .withHeader("x-github-request-id", "F00D:1234:5678")
        .withBody(remaining == 0
            ? "{\"message\":\"API rate limit exceeded for installation ID 1.\",\"documentation_url\":\""
                + DOCS + "/overview/rate-limits-for-the-rest-api\"}"
            : "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try"
                + " again.\",\"documentation_url\":\"" + DOCS + "/overview/rate-limits-for-the-rest-api\"}");
    if (retryAfterSeconds >= 0) {
      b.withHeader("retry-after", String.valueOf(retryAfterSeconds));
    }
    return b;
  }

  /** Forgets tokens and records; repositories stay. */
  @Override
  protected synchronized void resetState() {
    statuses.clear();
    deployments.clear();
    deploymentStatuses.clear();
    jwtClaims.clear();
    installationTokens.clear();
    everIssued.clear();
    personalTokens.clear();
    tokenLifetime = Duration.ofHours(1);
    tokenFormat = () -> "ghs_" + randomAlnum(36);
    maxPageSize = 100;
    remaining.set(5000);
  }

  private static String randomAlnum(int n) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  // ---------------------------------------------------------------- WireMock plumbing

  private record Reply(int status, JsonNode body, Map<String, String> headers) {
    Reply(int status, JsonNode body) {
      this(status, body, Map.of());
    }
  }

  @Override
  protected ResponseDefinition refuse(LoggedRequest r, List<String> broken) {
    return reply(new Reply(422, error("Invalid request. " + broken)));
  }

  @Override
  protected ResponseDefinition answer(LoggedRequest r) {
    try {
      return reply(route(r.getMethod().getName(), r.getUrl(), r));
    } catch (RuntimeException e) {
      return reply(new Reply(500, error("Simulation failed: " + e)));
    }
  }

  /** The answer as GitHub sends it, rate-limit and request-id headers included. */
  private ResponseDefinition reply(Reply reply) {
    int left = Math.max(0, remaining.decrementAndGet());
    ResponseDefinitionBuilder b = aResponse().withStatus(reply.status())
        .withHeader("x-ratelimit-limit", "5000")
        .withHeader("x-ratelimit-remaining", String.valueOf(left))
        .withHeader("x-ratelimit-used", String.valueOf(5000 - left))
        .withHeader("x-ratelimit-reset", String.valueOf(Instant.now().plus(1, ChronoUnit.HOURS).getEpochSecond()))
        .withHeader("x-ratelimit-resource", "core")
        .withHeader("x-github-request-id", "SIM:" + Long.toHexString(ids.incrementAndGet()))
        .withHeader("X-GitHub-Api-Version-Selected", "2022-11-28");
    reply.headers().forEach(b::withHeader);
    if (reply.body() != null) {
      b.withHeader("Content-Type", "application/json; charset=utf-8").withBody(reply.body().toString());
    }
    return b.build();
  }

  // ---------------------------------------------------------------- the simulated API

  private Reply route(String method, String url, LoggedRequest r) {
    String path = path(url);
    Map<String, String> query = query(url);
    String auth = r.getHeader("Authorization");
    String bearer = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
    if (path.equals("/app") || path.startsWith("/app/")) {
      Optional<String> why = verifyJwt(bearer);
      if (why.isPresent()) {
        return new Reply(401, error(why.get()));
      }
      if (method.equals("GET") && path.equals("/app")) {
        ObjectNode app = example("integration");
        app.put("id", 424242).put("slug", "potions-sim").put("name", "Potions Simulation").put("client_id", appId);
        return new Reply(200, app);
      }
      Matcher m = Pattern.compile("/app/installations/(\\d+)/access_tokens").matcher(path);
      if (method.equals("POST") && m.matches()) {
        if (Long.parseLong(m.group(1)) != installationId) {
          return new Reply(404, error("Not Found"));
        }
        return issueToken();
      }
      return new Reply(404, error("Not Found"));
    }
    if (bearer == null || !accepts(bearer)) {
      return new Reply(401, error("Bad credentials"));
    }
    if (method.equals("GET") && path.equals("/installation/repositories")) {
      if (!isInstallationToken(bearer)) {
        return new Reply(403, error("You must authenticate with an installation access token in order to list"
            + " repositories for an installation."));
      }
      return listRepositories(query);
    }
    Matcher m = REPO.matcher(path);
    if (!m.matches()) {
      return new Reply(404, error("Not Found"));
    }
    String fullName = decode(m.group(1)) + "/" + decode(m.group(2));
    SimRepo repo;
    synchronized (this) {
      repo = repos.get(fullName.toLowerCase(Locale.ROOT));
    }
    if (repo == null) {
      return new Reply(404, error("Not Found"));
    }
    String rest = m.group(3) == null ? "" : m.group(3);
    JsonNode body = readBody(r);
    if (method.equals("GET") && rest.isEmpty()) {
      return new Reply(200, fullRepository(repo));
    }
    if (method.equals("GET") && rest.startsWith("/commits/")) {
      String ref = decode(rest.substring("/commits/".length()));
      return commit(repo, ref, false).map(c -> new Reply(200, c))
          .orElseGet(() -> new Reply(422, validation("No commit found for SHA: " + ref)));
    }
    if (method.equals("GET") && rest.startsWith("/branches/")) {
      String branch = decode(rest.substring("/branches/".length()));
      return commit(repo, branch, true).map(c -> {
        ObjectNode b = example("branch-get");
        b.put("name", branch).set("commit", c);
        ObjectNode links = b.putObject("_links");
        links.put("html", "https://github.com/" + repo.fullName() + "/tree/" + branch);
        links.put("self", baseUri() + "/repos/" + repo.fullName() + "/branches/" + branch);
        return new Reply(200, b);
      }).orElseGet(() -> new Reply(404, error("Branch not found")));
    }
    Matcher status = Pattern.compile("/statuses/([0-9a-f]{40})").matcher(rest);
    if (method.equals("POST") && status.matches()) {
      CommitStatus s = new CommitStatus(repo.fullName(), status.group(1), body.path("state").asText(),
          body.path("context").asText("default"), body.path("description").asText(null),
          body.path("target_url").asText(null));
      statuses.add(s);
      ObjectNode out = example("status");
      out.put("id", ids.incrementAndGet()).put("state", s.state()).put("context", s.context())
          .put("description", s.description()).put("target_url", s.targetUrl())
          .put("url", baseUri() + "/repos/" + repo.fullName() + "/statuses/" + s.sha());
      return new Reply(201, out, Map.of("Location", baseUri() + "/repos/" + repo.fullName() + "/statuses/" + s.sha()));
    }
    if (method.equals("POST") && rest.equals("/deployments")) {
      String ref = body.path("ref").asText();
      Optional<ObjectNode> c = commit(repo, ref, false);
      if (c.isEmpty()) {
        return new Reply(422, validation("No ref found for: " + ref));
      }
      long id = ids.incrementAndGet();
      String env = body.path("environment").asText("production");
      Deployment d = new Deployment(id, repo.fullName(), ref, env, body.path("description").asText(null), body);
      deployments.add(d);
      ObjectNode out = example("deployment-simple-example");
      out.put("id", id).put("sha", c.get().path("sha").asText()).put("ref", ref).put("environment", env)
          .put("original_environment", env).put("description", d.description())
          .put("url", baseUri() + "/repos/" + repo.fullName() + "/deployments/" + id)
          .put("statuses_url", baseUri() + "/repos/" + repo.fullName() + "/deployments/" + id + "/statuses");
      return new Reply(201, out);
    }
    Matcher ds = Pattern.compile("/deployments/(\\d+)/statuses").matcher(rest);
    if (method.equals("POST") && ds.matches()) {
      long id = Long.parseLong(ds.group(1));
      if (deployments.stream().noneMatch(d -> d.id() == id)) {
        return new Reply(404, error("Not Found"));
      }
      DeploymentStatus s = new DeploymentStatus(repo.fullName(), id, body.path("state").asText(),
          body.path("description").asText(null), body.path("environment_url").asText(null));
      deploymentStatuses.add(s);
      ObjectNode out = example("deployment-status");
      out.put("id", ids.incrementAndGet()).put("state", s.state()).put("description", s.description() == null ? "" : s.description())
          .put("environment_url", s.environmentUrl() == null ? "" : s.environmentUrl())
          .put("deployment_url", baseUri() + "/repos/" + repo.fullName() + "/deployments/" + id);
      return new Reply(201, out, Map.of("Location", baseUri() + "/repos/" + repo.fullName() + "/deployments/" + id
          + "/statuses/" + out.path("id").asLong()));
    }
    if (method.equals("POST") && rest.equals("/hooks")) {
      ObjectNode out = example("hook");
      long id = ids.incrementAndGet();
      out.put("id", id);
      out.set("events", body.path("events"));
      ObjectNode config = out.putObject("config");
      config.put("content_type", body.path("config").path("content_type").asText("json"))
          .put("insecure_ssl", "0").put("url", body.path("config").path("url").asText());
      return new Reply(201, out, Map.of("Location", baseUri() + "/repos/" + repo.fullName() + "/hooks/" + id));
    }
    return new Reply(404, error("Not Found"));
  }

  private synchronized Reply issueToken() {
    String token = tokenFormat.get();
    Instant expires = Instant.now().plus(tokenLifetime).truncatedTo(ChronoUnit.SECONDS);
    installationTokens.add(new Issued(token, expires));
    everIssued.add(token);
    ObjectNode out = JSON.createObjectNode();
    out.put("token", token).put("expires_at", expires.toString());
    out.putObject("permissions").put("contents", "read").put("statuses", "write").put("deployments", "write")
        .put("metadata", "read");
    out.put("repository_selection", "selected");
    return new Reply(201, out);
  }

  private synchronized boolean isInstallationToken(String token) {
    return installationTokens.stream().anyMatch(t -> t.token().equals(token));
  }

  private Reply listRepositories(Map<String, String> query) {
    List<SimRepo> all;
    int pageSize;
    synchronized (this) {
      all = new ArrayList<>(repos.values());
      pageSize = maxPageSize;
    }
    int perPage = Math.min(pageSize, Integer.parseInt(query.getOrDefault("per_page", "30")));
    int page = Integer.parseInt(query.getOrDefault("page", "1"));
    int from = Math.min(all.size(), (page - 1) * perPage);
    int to = Math.min(all.size(), from + perPage);
    ObjectNode out = JSON.createObjectNode();
    out.put("total_count", all.size());
    ArrayNode list = out.putArray("repositories");
    for (SimRepo repo : all.subList(from, to)) {
      list.add(repository(repo, "repository-paginated-2"));
    }
    out.put("repository_selection", "selected");
    Map<String, String> headers = new LinkedHashMap<>();
    if (to < all.size()) {
      String base = baseUri() + "/installation/repositories?per_page=" + perPage + "&page=";
      int last = (all.size() + perPage - 1) / perPage;
      headers.put("Link", "<" + base + (page + 1) + ">; rel=\"next\", <" + base + last + ">; rel=\"last\"");
    }
    return new Reply(200, out, headers);
  }

  /** A repository object as GitHub's lists carry it, from the published example. */
  private ObjectNode repository(SimRepo repo, String exampleName) {
    JsonNode ex = exampleNode(exampleName);
    ObjectNode r = (ObjectNode) ex.path("repositories").get(0).deepCopy();
    fill(r, repo);
    r.remove("subscribers_count"); // only the full repository has these
    r.remove("network_count");
    return r;
  }

  private ObjectNode fullRepository(SimRepo repo) {
    ObjectNode r = example("full-repository-default-response");
    fill(r, repo);
    r.put("language", "Elixir");
    return r;
  }

  private void fill(ObjectNode r, SimRepo repo) {
    String owner = repo.fullName().substring(0, repo.fullName().indexOf('/'));
    String name = repo.fullName().substring(repo.fullName().indexOf('/') + 1);
    r.remove("template_repository");
    r.remove("parent"); // not a fork
    r.remove("source");
    r.put("fork", false);
    r.put("id", repo.id()).put("name", name).put("full_name", repo.fullName()).put("private", true)
        .put("default_branch", "main")
        .put("html_url", "https://github.com/" + repo.fullName())
        .put("clone_url", "https://github.com/" + repo.fullName() + ".git")
        .put("url", baseUri() + "/repos/" + repo.fullName());
    ((ObjectNode) r.path("owner")).put("login", owner);
  }

  private Optional<ObjectNode> commit(SimRepo repo, String ref, boolean branchOnly) {
    try (Repository git = new FileRepositoryBuilder().setGitDir(repo.gitDir().toFile()).setMustExist(true).build();
         RevWalk walk = new RevWalk(git)) {
      ObjectId id = null;
      for (String candidate : branchOnly ? List.of("refs/heads/" + ref) : List.of("refs/heads/" + ref, "refs/tags/" + ref)) {
        var found = git.exactRef(candidate);
        if (found != null) {
          id = found.getObjectId();
          break;
        }
      }
      if (id == null && !branchOnly && ref.matches("[0-9a-f]{7,40}")) {
        id = git.resolve(ref + "^{commit}");
      }
      if (id == null) {
        return Optional.empty();
      }
      RevCommit c = walk.parseCommit(id);
      ObjectNode out = example("commit");
      String sha = c.getName();
      out.put("sha", sha).put("url", baseUri() + "/repos/" + repo.fullName() + "/commits/" + sha)
          .put("html_url", "https://github.com/" + repo.fullName() + "/commit/" + sha);
      ObjectNode inner = (ObjectNode) out.path("commit");
      inner.put("message", c.getFullMessage());
      ((ObjectNode) inner.path("author")).put("name", c.getAuthorIdent().getName())
          .put("email", c.getAuthorIdent().getEmailAddress());
      ((ObjectNode) inner.path("tree")).put("sha", c.getTree().getName());
      out.putArray("files");
      ArrayNode parents = out.putArray("parents");
      for (RevCommit p : c.getParents()) {
        parents.addObject().put("sha", p.getName()).put("url", baseUri() + "/repos/" + repo.fullName() + "/commits/"
            + p.getName()).put("html_url", "https://github.com/" + repo.fullName() + "/commit/" + p.getName());
      }
      return Optional.of(out);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Verifies an app JWT as GitHub does; returns why it is refused, if it is. */
  private Optional<String> verifyJwt(String jwt) {
    if (jwt == null) {
      return Optional.of("A JSON web token could not be decoded");
    }
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return Optional.of("A JSON web token could not be decoded");
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      JsonNode header = JSON.readTree(b64.decode(parts[0]));
      JsonNode claims = JSON.readTree(b64.decode(parts[1]));
      if (!"RS256".equals(header.path("alg").asText())) {
        return Optional.of("'alg' must be RS256");
      }
      PublicKey key = appKey.getPublic();
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(key);
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!rsa.verify(b64.decode(parts[2]))) {
        return Optional.of("A JSON web token could not be decoded");
      }
      long now = Instant.now().getEpochSecond();
      long iat = claims.path("iat").asLong(-1);
      long exp = claims.path("exp").asLong(-1);
      if (!appId.equals(claims.path("iss").asText())) {
        return Optional.of("'Issuer' claim ('iss') must be an Integer or the app's client ID");
      }
      if (iat < 0 || iat > now + 5) {
        return Optional.of("'Issued at' claim ('iat') must be an Integer representing a time in the past.");
      }
      if (exp <= now) {
        return Optional.of("'Expiration time' claim ('exp') must be a numeric value representing the future time"
            + " at which the assertion expires.");
      }
      if (exp - now > 600 || exp <= iat) {
        return Optional.of("'Expiration time' claim ('exp') is too far in the future");
      }
      Map<String, Object> seen = new LinkedHashMap<>();
      seen.put("alg", header.path("alg").asText());
      seen.put("iss", claims.path("iss").asText());
      seen.put("iat", iat);
      seen.put("exp", exp);
      seen.put("receivedAt", now);
      jwtClaims.add(seen);
      return Optional.empty();
    } catch (IOException | IllegalArgumentException | java.security.GeneralSecurityException e) {
      return Optional.of("A JSON web token could not be decoded");
    }
  }

  private static JsonNode readBody(LoggedRequest r) {
    String text = r.getBodyAsString();
    if (text == null || text.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private ObjectNode example(String name) {
    return (ObjectNode) exampleNode(name).deepCopy();
  }

  private JsonNode exampleNode(String name) {
    return JSON.valueToTree(contract().api().getComponents().getExamples().get(name).getValue());
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("message", message).put("documentation_url", DOCS);
  }

  private static ObjectNode validation(String message) {
    return JSON.createObjectNode().put("message", message).put("documentation_url", DOCS);
  }
}
