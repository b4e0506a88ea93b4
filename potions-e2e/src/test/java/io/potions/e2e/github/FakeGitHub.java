package io.potions.e2e.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.potions.digitalocean.contract.OpenApiContract;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitHub on WireMock for the end-to-end test: a GitHub App whose RS256 JWTs are verified (signature
 * with the app's public key, issuer, issue and expiry times) and exchanged for an installation
 * token, and the commit status, deployment and deployment status endpoints, which it records. Every
 * request and answer is checked against GitHub's published description (shared/specs).
 */
final class FakeGitHub implements AutoCloseable {
  static final String APP_ID = "Iv23liE2eTestApp";
  static final long INSTALLATION = 61_234_567L;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRANSFORMER = "fake-github";
  private static final Pattern REPO = Pattern.compile("/repos/([^/]+)/([^/]+)(/.*)");

  /** A recorded commit status or deployment status. */
  record Status(String kind, String sha, long deploymentId, String state, String description) {}

  private final OpenApiContract contract;
  private final KeyPair appKey;
  private final String repository;
  private final String token = "ghs_e2e" + UUID.randomUUID().toString().replace("-", "");
  private final WireMockServer server;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Status> statuses = new CopyOnWriteArrayList<>();
  private final Map<Long, String> deployments = new LinkedHashMap<>();
  private final AtomicLong ids = new AtomicLong(900);
  private volatile int tokensIssued;

  FakeGitHub(String repository) {
    this.repository = repository;
    String dir = System.getProperty("potions.specs.dir");
    if (dir == null) {
      throw new AssertionError("System property potions.specs.dir is not set (GitHub's API description).");
    }
    this.contract = OpenApiContract.load(java.nio.file.Path.of(dir, "github-rest-subset.json"));
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      this.appKey = gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
        .extensions(new Answers(), new ContractCheck()));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  KeyPair appKey() {
    return appKey;
  }

  /** @return whether git should accept this password */
  boolean accepts(String password) {
    return token.equals(password) && tokensIssued > 0;
  }

  String token() {
    return token;
  }

  int tokensIssued() {
    return tokensIssued;
  }

  List<Status> statuses() {
    return List.copyOf(statuses);
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  @Override
  public void close() {
    server.stop();
  }

  private record Reply(int status, JsonNode body) {}

  private final class Answers implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return TRANSFORMER;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      LoggedRequest r = event.getRequest();
      Reply reply;
      List<String> broken = contract.validateRequest(r.getMethod().getName(), r.getUrl(), headers(r), r.getBodyAsString());
      if (!broken.isEmpty()) {
        reply = new Reply(422, error("Invalid request. " + broken));
      } else {
        try {
          reply = route(r);
        } catch (IOException | RuntimeException e) {
          reply = new Reply(500, error("fake GitHub failed: " + e));
        }
      }
      ResponseDefinitionBuilder b = aResponse().withStatus(reply.status())
          .withHeader("Content-Type", "application/json; charset=utf-8")
          .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-remaining", "4990")
          .withHeader("x-ratelimit-used", "10").withHeader("x-ratelimit-resource", "core")
          .withHeader("x-ratelimit-reset", String.valueOf(Instant.now().plus(1, ChronoUnit.HOURS).getEpochSecond()))
          .withBody(reply.body().toString());
      return b.build();
    }
  }

  private Reply route(LoggedRequest r) throws IOException {
    String method = r.getMethod().getName();
    String path = r.getUrl().contains("?") ? r.getUrl().substring(0, r.getUrl().indexOf('?')) : r.getUrl();
    String auth = r.getHeader("Authorization");
    String bearer = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
    if (method.equals("POST") && path.equals("/app/installations/" + INSTALLATION + "/access_tokens")) {
      String why = verifyJwt(bearer);
      if (why != null) {
        return new Reply(401, error(why));
      }
      tokensIssued++;
      ObjectNode out = JSON.createObjectNode().put("token", token)
          .put("expires_at", Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString());
      out.putObject("permissions").put("contents", "read").put("statuses", "write").put("deployments", "write");
      out.put("repository_selection", "selected");
      return new Reply(201, out);
    }
    if (!accepts(bearer)) {
      return new Reply(401, error("Bad credentials"));
    }
    Matcher m = REPO.matcher(path);
    if (!m.matches() || !(m.group(1) + "/" + m.group(2)).equalsIgnoreCase(repository)) {
      return new Reply(404, error("Not Found"));
    }
    String rest = m.group(3);
    JsonNode body = JSON.readTree(r.getBodyAsString());
    Matcher status = Pattern.compile("/statuses/([0-9a-f]{40})").matcher(rest);
    if (method.equals("POST") && status.matches()) {
      statuses.add(new Status("commit", status.group(1), 0, body.path("state").asText(), body.path("description").asText()));
      ObjectNode out = example("status");
      out.put("state", body.path("state").asText()).put("context", body.path("context").asText("default"))
          .put("description", body.path("description").asText()).put("id", ids.incrementAndGet());
      return new Reply(201, out);
    }
    if (method.equals("POST") && rest.equals("/deployments")) {
      long id = ids.incrementAndGet();
      synchronized (deployments) {
        deployments.put(id, body.path("ref").asText());
      }
      ObjectNode out = example("deployment-simple-example");
      out.put("id", id).put("sha", body.path("ref").asText()).put("ref", body.path("ref").asText())
          .put("environment", body.path("environment").asText("production"));
      return new Reply(201, out);
    }
    Matcher ds = Pattern.compile("/deployments/(\\d+)/statuses").matcher(rest);
    if (method.equals("POST") && ds.matches()) {
      long id = Long.parseLong(ds.group(1));
      String sha;
      synchronized (deployments) {
        sha = deployments.get(id);
      }
      if (sha == null) {
        return new Reply(404, error("Not Found"));
      }
      statuses.add(new Status("deployment", sha, id, body.path("state").asText(), body.path("description").asText()));
      ObjectNode out = example("deployment-status");
      out.put("id", ids.incrementAndGet()).put("state", body.path("state").asText())
          .put("description", body.path("description").asText(""));
      return new Reply(201, out);
    }
    return new Reply(404, error("Not Found"));
  }

  /** GitHub's checks of an app JWT: RS256 signed by the app's key, right issuer, issued in the past, at most 10 min to live. */
  private String verifyJwt(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return "A JSON web token could not be decoded";
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      JsonNode header = JSON.readTree(b64.decode(parts[0]));
      JsonNode claims = JSON.readTree(b64.decode(parts[1]));
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(appKey.getPublic());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      long now = Instant.now().getEpochSecond();
      if (!"RS256".equals(header.path("alg").asText()) || !rsa.verify(b64.decode(parts[2]))) {
        return "A JSON web token could not be decoded";
      }
      if (!APP_ID.equals(claims.path("iss").asText())) {
        return "'Issuer' claim ('iss') must be an Integer or the app's client ID";
      }
      long iat = claims.path("iat").asLong(Long.MAX_VALUE);
      long exp = claims.path("exp").asLong(0);
      if (iat > now + 5 || exp <= now || exp - now > 600) {
        return "'Expiration time' or 'Issued at' claim is invalid";
      }
      return null;
    } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
      return "A JSON web token could not be decoded";
    }
  }

  private ObjectNode example(String name) {
    return (ObjectNode) JSON.valueToTree(contract.api().getComponents().getExamples().get(name).getValue());
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("message", message).put("documentation_url", "https://docs.github.com/rest");
  }

  private static Map<String, String> headers(LoggedRequest r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HttpHeader h : r.getHeaders().all()) {
      out.put(h.key(), h.firstValue());
    }
    return out;
  }

  /** Checks every request and answer against GitHub's description. */
  private final class ContractCheck implements ServeEventListener {
    @Override
    public String getName() {
      return "fake-github-contract";
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public void beforeResponseSent(ServeEvent event, Parameters parameters) {
      LoggedRequest r = event.getRequest();
      violations.addAll(contract.validateRequest(r.getMethod().getName(), r.getUrl(), headers(r), r.getBodyAsString()));
      LoggedResponse response = event.getResponse();
      if (response != null && response.getFault() == null) {
        violations.addAll(contract.validateResponse(r.getMethod().getName(), r.getUrl(), response.getStatus(),
            response.getHeaders().getContentTypeHeader().mimeTypePart(), response.getBodyAsString()));
      }
    }
  }
}
