package io.potions.digitalocean.sim;

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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful stand-in for the DigitalOcean API v2 on a local WireMock server, checked against the
 * published OpenAPI description as it runs.
 *
 * <ul>
 *   <li>State: SSH keys, droplets, actions, firewalls, domains and records live in memory. A new
 *       droplet is {@code new} with a {@code create} action {@code in-progress}; the action
 *       completes after {@link #actionPollsToComplete(int)} polls (or ends {@code errored} with
 *       {@link #failCreateActions(boolean)}), and the droplet then turns {@code active} with a public
 *       IPv4 after {@link #dropletPollsToActive(int)} more polls of it.
 *   <li>Hook: {@link #onDropletCreated(DropletBootListener)} is called, on a worker thread, with
 *       every accepted {@code POST /v2/droplets} (user data included) and decides the IPv4 the
 *       droplet reports; the create action stays in progress until it returns.
 *   <li>Lists are paginated like the real API ({@code page}, {@code per_page} up to 200, absolute
 *       {@code links.pages} URLs on the real host, {@code meta.total}).
 *   <li>Faults: {@link #failNext(String, String, int, ResponseDefinitionBuilder)} queues answers
 *       (429 bursts, 5xx bursts, stalls, dropped connections) with WireMock scenarios, ahead of the
 *       simulation.
 *   <li>Contract: every request is checked against the operation it calls, and every answer
 *       (simulated or queued) against the schema documented for its status. A request the
 *       description does not allow is answered 400 and recorded; {@link #contractViolations()}
 *       lists them, and as a JUnit extension the simulation fails the test after it.
 * </ul>
 *
 * <p>Use it as a JUnit 5 extension on a static field, which starts it lazily, resets it before
 * each test and stops it after the class:
 *
 * <pre>{@code
 * @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();
 * DigitalOceanClient client = DigitalOceanClient.builder()
 *     .token(Secret.of(sim.token())).baseUri(sim.baseUri()).build();
 * }</pre>
 */
public final class DigitalOceanSimulation extends ApiSimulation<DigitalOceanSimulation> {

  /** The host the real API uses in its pagination links. */
  public static final String PUBLIC_API = "https://api.digitalocean.com";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DROPLET = Pattern.compile("/v2/droplets/(\\d+)");
  private static final Pattern ACTION = Pattern.compile("/v2/actions/(\\d+)");
  private static final Pattern KEY = Pattern.compile("/v2/account/keys/([^/]+)");
  private static final Pattern FIREWALL = Pattern.compile("/v2/firewalls/([^/]+)");
  private static final Pattern FIREWALL_DROPLETS = Pattern.compile("/v2/firewalls/([^/]+)/droplets");
  private static final Pattern DOMAIN = Pattern.compile("/v2/domains/([^/]+)");
  private static final Pattern RECORDS = Pattern.compile("/v2/domains/([^/]+)/records");
  private static final Pattern RECORD = Pattern.compile("/v2/domains/([^/]+)/records/(\\d+)");

  private final String token = "dop_v1_sim" + UUID.randomUUID().toString().replace("-", "");
  private final List<CreatedDroplet> created = new CopyOnWriteArrayList<>();
  private final ExecutorService bootThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sim-droplet-boot");
    t.setDaemon(true);
    return t;
  });

  // state, guarded by this
  private final AtomicLong ids = new AtomicLong(3_000_000);
  private final AtomicInteger remaining = new AtomicInteger(5000);
  private final Map<Long, SimDroplet> droplets = new LinkedHashMap<>();
  private final Map<Long, SimAction> actions = new LinkedHashMap<>();
  private final Map<Long, SimKey> keys = new LinkedHashMap<>();
  private final Map<String, SimFirewall> firewalls = new LinkedHashMap<>();
  private final Map<String, Map<Long, ObjectNode>> domains = new LinkedHashMap<>();
  private int actionPollsToComplete;
  private int dropletPollsToActive;
  private boolean failCreateActions;
  private DropletBootListener bootListener;

  /** A simulation judged by DigitalOcean's whole published description. */
  public DigitalOceanSimulation() {
    this(OpenApiContract.digitalOcean());
  }

  /** @param contract the description requests and answers are checked against */
  public DigitalOceanSimulation(OpenApiContract contract) {
    super("DigitalOcean", contract);
    resetState();
  }

  /** @return the only token the simulation accepts */
  public String token() {
    return token;
  }

  // ---------------------------------------------------------------- settings

  /**
   * @param polls how many polls of a create action until it ends (default 2)
   * @return this
   */
  public synchronized DigitalOceanSimulation actionPollsToComplete(int polls) {
    this.actionPollsToComplete = polls;
    return this;
  }

  /**
   * @param polls how many polls of a droplet, once its create action completed, until it is active
   *     (default 2)
   * @return this
   */
  public synchronized DigitalOceanSimulation dropletPollsToActive(int polls) {
    this.dropletPollsToActive = polls;
    return this;
  }

  /**
   * @param fail whether create actions end {@code errored} (default false)
   * @return this
   */
  public synchronized DigitalOceanSimulation failCreateActions(boolean fail) {
    this.failCreateActions = fail;
    return this;
  }

  /**
   * @param listener told of every accepted droplet creation; decides its public IPv4
   * @return this
   */
  public synchronized DigitalOceanSimulation onDropletCreated(DropletBootListener listener) {
    this.bootListener = listener;
    return this;
  }

  // ---------------------------------------------------------------- faults

  /**
   * @param retryAfterSeconds the {@code retry-after} to send
   * @return a 429 as DigitalOcean sends it during a burst
   */
  public static ResponseDefinitionBuilder rateLimited(int retryAfterSeconds) {
    return rateLimited(retryAfterSeconds, Instant.now().getEpochSecond() + 60);
  }

  /**
   * @param retryAfterSeconds the {@code retry-after} to send, or {@code null} for none
   * @param resetEpochSeconds the {@code ratelimit-reset} to send
   * @return a 429 as DigitalOcean sends it
   */
  public static ResponseDefinitionBuilder rateLimited(Integer retryAfterSeconds, long resetEpochSeconds) {
    ResponseDefinitionBuilder b = error(429, "too_many_requests", "API Rate limit exceeded.")
        .withHeader("ratelimit-limit", "5000")
        .withHeader("ratelimit-remaining", "0")
        .withHeader("ratelimit-reset", String.valueOf(resetEpochSeconds));
    return retryAfterSeconds == null ? b : b.withHeader("retry-after", String.valueOf(retryAfterSeconds));
  }

  /**
   * @param status a 5xx status
   * @return a server error with DigitalOcean's error body
   */
  public static ResponseDefinitionBuilder serverError(int status) {
    return error(status, "server_error", "Server Error");
  }

  /**
   * @param delay how long to stall before answering (a 503)
   * @return an answer that arrives only after the delay, to make clients time out
   */
  public static ResponseDefinitionBuilder stalled(Duration delay) {
    return serverError(503).withFixedDelay((int) delay.toMillis());
  }

  /**
   * @param status HTTP status
   * @param id DigitalOcean's error id
   * @param message the message
   * @return an answer with DigitalOcean's error body
   */
  public static ResponseDefinitionBuilder error(int status, String id, String message) {
    ObjectNode body = JSON.createObjectNode().put("id", id).put("message", message)
        .put("request_id", UUID.randomUUID().toString());
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
        .withBody(body.toString());
  }

  // ---------------------------------------------------------------- seeding and inspection

  /**
   * Adds keys to the account.
   *
   * @param count how many
   * @return their public key lines
   */
  public synchronized List<String> addSshKeys(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String line = randomPublicKey("seed-" + i);
      SimKey key = new SimKey(ids.incrementAndGet(), "seed-" + i, line, md5(line));
      keys.put(key.id, key);
      lines.add(line);
    }
    return lines;
  }

  /**
   * Adds an active droplet.
   *
   * @param name its name
   * @param tags its tags
   * @return its id
   */
  public synchronized long addDroplet(String name, String... tags) {
    SimDroplet d = new SimDroplet(ids.incrementAndGet(), name, "fra1", "s-1vcpu-1gb", "ubuntu-24-04-x64",
        List.of(tags), null);
    d.status = "active";
    d.ip = "203.0.113." + (d.id % 250 + 1);
    d.bootDone = true;
    d.actionDone = true;
    droplets.put(d.id, d);
    return d.id;
  }

  /**
   * Makes a domain's DNS managed in the account.
   *
   * @param name the domain
   */
  public synchronized void addDomain(String name) {
    domains.putIfAbsent(name, new LinkedHashMap<>());
  }

  /**
   * Adds a DNS record.
   *
   * @param domain an added domain
   * @param type record type
   * @param name relative name
   * @param data value
   * @return its id
   */
  public synchronized long addRecord(String domain, String type, String name, String data) {
    long id = ids.incrementAndGet();
    domains.get(domain).put(id, record(id, type, name, data, 1800));
    return id;
  }

  /** @return the droplets as the API would show them */
  public synchronized List<JsonNode> droplets() {
    return droplets.values().stream().map(d -> (JsonNode) dropletJson(d)).toList();
  }

  /** @return the firewalls as the API would show them */
  public synchronized List<JsonNode> firewalls() {
    return firewalls.values().stream().map(f -> (JsonNode) firewallJson(f)).toList();
  }

  /** @return the account's SSH keys as the API would show them */
  public synchronized List<JsonNode> sshKeys() {
    return keys.values().stream().map(k -> (JsonNode) keyJson(k)).toList();
  }

  /**
   * @param domain a domain
   * @return its records
   */
  public synchronized List<JsonNode> records(String domain) {
    return List.copyOf(domains.getOrDefault(domain, Map.of()).values());
  }

  /** @return every droplet creation accepted since the last reset */
  public List<CreatedDroplet> createdDroplets() {
    return List.copyOf(created);
  }

  // ---------------------------------------------------------------- WireMock plumbing

  @Override
  protected synchronized void resetState() {
    created.clear();
    droplets.clear();
    actions.clear();
    keys.clear();
    firewalls.clear();
    domains.clear();
    actionPollsToComplete = 2;
    dropletPollsToActive = 2;
    failCreateActions = false;
    bootListener = null;
    remaining.set(5000);
  }

  @Override
  protected ResponseDefinition refuse(LoggedRequest r, List<String> broken) {
    return reply(new Reply(400, errorJson("bad_request", "Not allowed by the API description: " + broken)));
  }

  @Override
  protected ResponseDefinition answer(LoggedRequest r) {
    String auth = r.getHeader("Authorization");
    if (auth == null || !auth.equals("Bearer " + token)) {
      return reply(new Reply(401, errorJson("Unauthorized", "Unable to authenticate you")));
    }
    try {
      return reply(route(r.getMethod().getName(), r.getUrl(), r.getBodyAsString()));
    } catch (RuntimeException e) {
      return reply(new Reply(500, errorJson("server_error", "Simulation failed: " + e)));
    }
  }

  /** The answer as DigitalOcean sends it, rate-limit headers included. */
  private ResponseDefinition reply(Reply reply) {
    ResponseDefinitionBuilder b = aResponse().withStatus(reply.status)
        .withHeader("ratelimit-limit", "5000")
        .withHeader("ratelimit-remaining", String.valueOf(Math.max(0, remaining.decrementAndGet())))
        .withHeader("ratelimit-reset", String.valueOf(Instant.now().getEpochSecond() + 60));
    if (reply.body != null) {
      b.withHeader("Content-Type", "application/json; charset=utf-8").withBody(reply.body.toString());
    }
    return b.build();
  }

  // ---------------------------------------------------------------- the simulated API

  private record Reply(int status, JsonNode body) {}

  private synchronized Reply route(String method, String url, String body) {
    String path = path(url);
    Map<String, String> query = query(url);
    JsonNode json = null;
    if (body != null && !body.isBlank()) {
      try {
        json = JSON.readTree(body);
      } catch (java.io.IOException e) {
        return new Reply(400, errorJson("bad_request", "The request body is not valid JSON."));
      }
    }
    Matcher m;
    switch (method + " " + path) {
      case "GET /v2/account":
        return ok(JSON.createObjectNode().set("account", account()));
      case "GET /v2/regions":
        return ok(page(path, query, "regions", Catalog.regions()));
      case "GET /v2/sizes":
        return ok(page(path, query, "sizes", Catalog.sizes()));
      case "GET /v2/images": {
        String type = query.get("type");
        List<ObjectNode> images = Catalog.images().stream()
            .filter(i -> type == null || type.equals(i.path("x-kind").asText()))
            .map(i -> {
              ObjectNode copy = i.deepCopy();
              copy.remove("x-kind");
              return copy;
            }).toList();
        return ok(page(path, query, "images", images));
      }
      case "GET /v2/account/keys":
        return ok(page(path, query, "ssh_keys", keys.values().stream().map(this::keyJson).toList()));
      case "POST /v2/account/keys":
        return createKey(json);
      case "POST /v2/droplets":
        return createDroplet(json);
      case "GET /v2/droplets": {
        String tag = query.get("tag_name");
        String name = query.get("name");
        List<ObjectNode> list = droplets.values().stream()
            .filter(d -> tag == null || d.tags.contains(tag))
            .filter(d -> name == null || d.name.equals(name))
            .map(this::dropletJson).toList();
        return ok(page(path, query, "droplets", list));
      }
      case "GET /v2/firewalls":
        return ok(page(path, query, "firewalls", firewalls.values().stream().map(this::firewallJson).toList()));
      case "POST /v2/firewalls":
        return createFirewall(json);
      default:
        break;
    }
    if ((m = DROPLET.matcher(path)).matches()) {
      SimDroplet d = droplets.get(Long.parseLong(m.group(1)));
      if (d == null) {
        return notFound();
      }
      if (method.equals("GET")) {
        if (d.actionDone && d.status.equals("new") && ++d.pollsSinceAction >= dropletPollsToActive) {
          d.status = "active";
          d.ip = d.bootIp;
          d.locked = false;
        }
        return ok(JSON.createObjectNode().set("droplet", dropletJson(d)));
      }
      if (method.equals("DELETE")) {
        droplets.remove(d.id);
        firewalls.values().forEach(f -> f.dropletIds.remove(d.id));
        return new Reply(204, null);
      }
    }
    if ((m = ACTION.matcher(path)).matches() && method.equals("GET")) {
      SimAction a = actions.get(Long.parseLong(m.group(1)));
      if (a == null) {
        return notFound();
      }
      advance(a);
      return ok(JSON.createObjectNode().set("action", actionJson(a)));
    }
    if ((m = KEY.matcher(path)).matches()) {
      String ident = m.group(1);
      Optional<SimKey> key = keys.values().stream()
          .filter(k -> String.valueOf(k.id).equals(ident) || k.fingerprint.equals(ident)).findFirst();
      if (key.isEmpty()) {
        return notFound();
      }
      if (method.equals("GET")) {
        return ok(JSON.createObjectNode().set("ssh_key", keyJson(key.get())));
      }
      if (method.equals("DELETE")) {
        keys.remove(key.get().id);
        return new Reply(204, null);
      }
    }
    if ((m = FIREWALL_DROPLETS.matcher(path)).matches() && method.equals("POST")) {
      SimFirewall f = firewalls.get(m.group(1));
      if (f == null) {
        return notFound();
      }
      for (JsonNode id : json.path("droplet_ids")) {
        if (!droplets.containsKey(id.asLong())) {
          return unprocessable("Droplet " + id.asLong() + " does not exist.");
        }
        if (!f.dropletIds.contains(id.asLong())) {
          f.dropletIds.add(id.asLong());
        }
      }
      return new Reply(204, null);
    }
    if ((m = FIREWALL.matcher(path)).matches()) {
      SimFirewall f = firewalls.get(m.group(1));
      if (f == null) {
        return notFound();
      }
      if (method.equals("GET")) {
        return ok(JSON.createObjectNode().set("firewall", firewallJson(f)));
      }
      if (method.equals("DELETE")) {
        firewalls.remove(f.id);
        return new Reply(204, null);
      }
    }
    if ((m = RECORD.matcher(path)).matches()) {
      Map<Long, ObjectNode> records = domains.get(m.group(1));
      ObjectNode record = records == null ? null : records.get(Long.parseLong(m.group(2)));
      if (record == null) {
        return notFound();
      }
      if (method.equals("PUT")) {
        json.properties().forEach(e -> record.set(e.getKey(), e.getValue()));
        return ok(JSON.createObjectNode().set("domain_record", record));
      }
      if (method.equals("DELETE")) {
        records.remove(record.path("id").asLong());
        return new Reply(204, null);
      }
    }
    if ((m = RECORDS.matcher(path)).matches()) {
      String domain = m.group(1);
      Map<Long, ObjectNode> records = domains.get(domain);
      if (records == null) {
        return notFound();
      }
      if (method.equals("GET")) {
        String type = query.get("type");
        String fqdn = query.get("name");
        List<ObjectNode> list = records.values().stream()
            .filter(r -> type == null || type.equals(r.path("type").asText()))
            .filter(r -> fqdn == null || fqdn.equals(fqdn(r.path("name").asText(), domain)))
            .toList();
        return ok(page(path, query, "domain_records", list));
      }
      if (method.equals("POST")) {
        long id = ids.incrementAndGet();
        ObjectNode record = record(id, json.path("type").asText(), json.path("name").asText(),
            json.path("data").asText(), json.path("ttl").asInt(1800));
        records.put(id, record);
        return new Reply(201, JSON.createObjectNode().set("domain_record", record));
      }
    }
    if ((m = DOMAIN.matcher(path)).matches() && method.equals("GET")) {
      String domain = m.group(1);
      if (!domains.containsKey(domain)) {
        return notFound();
      }
      ObjectNode d = JSON.createObjectNode().put("name", domain).put("ttl", 1800)
          .put("zone_file", "$ORIGIN " + domain + ".\n");
      return ok(JSON.createObjectNode().set("domain", d));
    }
    return notFound();
  }

  private Reply createKey(JsonNode json) {
    String line = json.path("public_key").asText("").trim();
    String fingerprint;
    try {
      fingerprint = md5(line);
    } catch (IllegalArgumentException e) {
      return unprocessable("Key invalid type, we support 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp' and 'ssh-ed25519'");
    }
    if (keys.values().stream().anyMatch(k -> k.fingerprint.equals(fingerprint))) {
      return unprocessable("SSH Key is already in use on your account");
    }
    SimKey key = new SimKey(ids.incrementAndGet(), json.path("name").asText(), line, fingerprint);
    keys.put(key.id, key);
    return new Reply(201, JSON.createObjectNode().set("ssh_key", keyJson(key)));
  }

  private Reply createDroplet(JsonNode json) {
    if (!json.has("name")) {
      return unprocessable("Name is required (this simulation creates one droplet at a time).");
    }
    String region = json.path("region").asText();
    String size = json.path("size").asText();
    String image = json.path("image").asText();
    if (Catalog.region(region).isEmpty()) {
      return unprocessable("You specified an invalid region for Droplet creation.");
    }
    if (Catalog.size(size).isEmpty()) {
      return unprocessable("You specified an invalid size for Droplet creation.");
    }
    if (Catalog.image(image).isEmpty()) {
      return unprocessable("You specified an invalid image for Droplet creation.");
    }
    List<String> sshKeys = new ArrayList<>();
    for (JsonNode k : json.path("ssh_keys")) {
      String ident = k.asText();
      if (keys.values().stream().noneMatch(x -> String.valueOf(x.id).equals(ident) || x.fingerprint.equals(ident))) {
        return unprocessable("You specified an invalid SSH key ID or fingerprint: " + ident);
      }
      sshKeys.add(ident);
    }
    List<String> tags = new ArrayList<>();
    json.path("tags").forEach(t -> tags.add(t.asText()));
    String userData = json.path("user_data").asText(null);
    SimDroplet d = new SimDroplet(ids.incrementAndGet(), json.path("name").asText(), region, size, image, tags, userData);
    SimAction a = new SimAction(ids.incrementAndGet(), "create", d.id, region);
    d.actionId = a.id;
    droplets.put(d.id, d);
    actions.put(a.id, a);
    CreatedDroplet event = new CreatedDroplet(d.id, d.name, region, size, image, List.copyOf(tags), userData,
        List.copyOf(sshKeys));
    created.add(event);
    DropletBootListener listener = bootListener;
    String defaultIp = "203.0.113." + (d.id % 250 + 1);
    if (listener == null) {
      d.bootIp = defaultIp;
      d.bootDone = true;
    } else {
      bootThreads.submit(() -> {
        try {
          String ip = listener.onDropletCreated(event);
          synchronized (DigitalOceanSimulation.this) {
            d.bootIp = ip == null ? defaultIp : ip;
          }
        } catch (Exception | AssertionError e) {
          synchronized (DigitalOceanSimulation.this) {
            d.bootFailed = true;
          }
        } finally {
          synchronized (DigitalOceanSimulation.this) {
            d.bootDone = true;
          }
        }
      });
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("droplet", dropletJson(d));
    ObjectNode link = JSON.createObjectNode().put("id", a.id).put("rel", "create")
        .put("href", PUBLIC_API + "/v2/actions/" + a.id);
    answer.putObject("links").putArray("actions").add(link);
    return new Reply(202, answer);
  }

  private void advance(SimAction a) {
    if (!a.status.equals("in-progress")) {
      return;
    }
    a.polls++;
    SimDroplet d = droplets.get(a.dropletId);
    if (a.polls < actionPollsToComplete || (d != null && !d.bootDone)) {
      return;
    }
    a.completedAt = Instant.now();
    if (failCreateActions || (d != null && d.bootFailed)) {
      a.status = "errored";
      if (d != null) {
        d.locked = false;
      }
      return;
    }
    a.status = "completed";
    if (d != null) {
      d.actionDone = true;
    }
  }

  private Reply createFirewall(JsonNode json) {
    List<Long> dropletIds = new ArrayList<>();
    for (JsonNode id : json.path("droplet_ids")) {
      if (!droplets.containsKey(id.asLong())) {
        return unprocessable("Droplet " + id.asLong() + " does not exist.");
      }
      dropletIds.add(id.asLong());
    }
    List<String> tags = new ArrayList<>();
    json.path("tags").forEach(t -> tags.add(t.asText()));
    SimFirewall f = new SimFirewall(UUID.randomUUID().toString(), json.path("name").asText(),
        array(json.path("inbound_rules")), array(json.path("outbound_rules")), dropletIds, tags);
    firewalls.put(f.id, f);
    ObjectNode rendered = firewallJson(f);
    rendered.put("status", "waiting");
    return new Reply(202, JSON.createObjectNode().set("firewall", rendered));
  }

  // ---------------------------------------------------------------- rendering

  private ObjectNode page(String path, Map<String, String> query, String field, List<? extends JsonNode> all) {
    int page = Math.max(1, parseInt(query.get("page"), 1));
    int perPage = Math.min(200, Math.max(1, parseInt(query.get("per_page"), 20)));
    int pages = Math.max(1, (all.size() + perPage - 1) / perPage);
    int from = Math.min(all.size(), (page - 1) * perPage);
    int to = Math.min(all.size(), from + perPage);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode items = out.putArray(field);
    all.subList(from, to).forEach(items::add);
    ObjectNode links = out.putObject("links");
    ObjectNode p = JSON.createObjectNode();
    StringBuilder other = new StringBuilder();
    query.forEach((k, v) -> {
      if (!k.equals("page") && !k.equals("per_page")) {
        other.append(k).append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
      }
    });
    String prefix = PUBLIC_API + path + "?" + other;
    if (page > 1) {
      p.put("first", prefix + "page=1&per_page=" + perPage);
      p.put("prev", prefix + "page=" + (page - 1) + "&per_page=" + perPage);
    }
    if (page < pages) {
      p.put("next", prefix + "page=" + (page + 1) + "&per_page=" + perPage);
      p.put("last", prefix + "page=" + pages + "&per_page=" + perPage);
    }
    links.set("pages", p);
    out.putObject("meta").put("total", all.size());
    return out;
  }

  private ObjectNode account() {
    return JSON.createObjectNode().put("droplet_limit", 25).put("floating_ip_limit", 3)
        .put("email", "sammy@example.com").put("name", "Sammy").put("uuid", "b6fr89dbf6d9156cace5f3c78dc9851d957381ef")
        .put("email_verified", true).put("status", "active").put("status_message", "");
  }

  private ObjectNode keyJson(SimKey k) {
    return JSON.createObjectNode().put("id", k.id).put("fingerprint", k.fingerprint)
        .put("public_key", k.publicKey).put("name", k.name);
  }

  private ObjectNode dropletJson(SimDroplet d) {
    ObjectNode size = Catalog.size(d.size).orElseThrow();
    ObjectNode out = JSON.createObjectNode();
    out.put("id", d.id).put("name", d.name)
        .put("memory", size.path("memory").asInt()).put("vcpus", size.path("vcpus").asInt())
        .put("disk", size.path("disk").asInt()).put("locked", d.locked).put("status", d.status)
        .put("created_at", d.createdAt.toString());
    out.putArray("features").add("droplet_agent").add("private_networking");
    out.putArray("backup_ids");
    out.putNull("next_backup_window");
    out.putArray("snapshot_ids");
    ObjectNode image = Catalog.image(d.image).orElseThrow().deepCopy();
    image.remove("x-kind");
    out.set("image", image);
    out.putArray("volume_ids");
    out.set("size", size);
    out.put("size_slug", d.size);
    ObjectNode networks = out.putObject("networks");
    ArrayNode v4 = networks.putArray("v4");
    if (d.ip != null) {
      v4.addObject().put("ip_address", d.ip).put("netmask", "255.255.240.0").put("gateway", "203.0.113.1")
          .put("type", "public");
      v4.addObject().put("ip_address", "10.110.0." + (d.id % 250 + 2)).put("netmask", "255.255.240.0")
          .put("gateway", "10.110.0.1").put("type", "private");
    }
    networks.putArray("v6");
    out.set("region", Catalog.region(d.region).orElseThrow());
    ArrayNode tags = out.putArray("tags");
    d.tags.forEach(tags::add);
    out.put("vpc_uuid", "760e09ef-dc84-11e8-981e-3cfdfeaae000");
    return out;
  }

  private ObjectNode actionJson(SimAction a) {
    ObjectNode out = JSON.createObjectNode().put("id", a.id).put("status", a.status).put("type", a.type)
        .put("started_at", a.startedAt.toString());
    if (a.completedAt == null) {
      out.putNull("completed_at");
    } else {
      out.put("completed_at", a.completedAt.toString());
    }
    out.put("resource_id", a.dropletId).put("resource_type", "droplet");
    out.set("region", Catalog.region(a.region).orElseThrow());
    out.put("region_slug", a.region);
    return out;
  }

  private ObjectNode firewallJson(SimFirewall f) {
    ObjectNode out = JSON.createObjectNode().put("id", f.id).put("name", f.name).put("status", "succeeded")
        .put("created_at", f.createdAt.toString());
    out.putArray("pending_changes");
    out.set("inbound_rules", f.inbound.deepCopy());
    out.set("outbound_rules", f.outbound.deepCopy());
    ArrayNode ids = out.putArray("droplet_ids");
    f.dropletIds.forEach(ids::add);
    ArrayNode tags = out.putArray("tags");
    f.tags.forEach(tags::add);
    return out;
  }

  private static ObjectNode record(long id, String type, String name, String data, int ttl) {
    ObjectNode r = JSON.createObjectNode().put("id", id).put("type", type).put("name", name).put("data", data);
    r.putNull("priority");
    r.putNull("port");
    r.put("ttl", ttl);
    r.putNull("weight");
    r.putNull("flags");
    r.putNull("tag");
    return r;
  }

  private static String fqdn(String name, String domain) {
    return "@".equals(name) ? domain : name + "." + domain;
  }

  private static ArrayNode array(JsonNode node) {
    return node.isArray() ? (ArrayNode) node.deepCopy() : JSON.createArrayNode();
  }

  private static Reply ok(JsonNode body) {
    return new Reply(200, body);
  }

  private static Reply notFound() {
    return new Reply(404, errorJson("not_found", "The resource you were accessing could not be found."));
  }

  private static Reply unprocessable(String message) {
    return new Reply(422, errorJson("unprocessable_entity", message));
  }

  private static ObjectNode errorJson(String id, String message) {
    return JSON.createObjectNode().put("id", id).put("message", message)
        .put("request_id", UUID.randomUUID().toString());
  }

  private static int parseInt(String s, int fallback) {
    try {
      return s == null ? fallback : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /**
   * @param comment the key's comment
   * @return a fresh, well-formed ed25519 public key line (random key material)
   */
  public static String randomPublicKey(String comment) {
    byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] blob = new byte[4 + type.length + 4 + key.length];
    blob[3] = (byte) type.length;
    System.arraycopy(type, 0, blob, 4, type.length);
    blob[4 + type.length + 3] = (byte) key.length;
    System.arraycopy(key, 0, blob, 8 + type.length, key.length);
    return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + comment;
  }

  /**
   * @param publicKey an OpenSSH public key line
   * @return its MD5 fingerprint, computed independently of the SDK
   */
  static String md5(String publicKey) {
    String[] parts = publicKey.trim().split("\\s+");
    if (parts.length < 2) {
      throw new IllegalArgumentException("not a public key");
    }
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(Base64.getDecoder().decode(parts[1]));
      StringBuilder out = new StringBuilder();
      for (byte b : digest) {
        out.append(out.length() == 0 ? "" : ":").append(String.format(Locale.ROOT, "%02x", b));
      }
      return out.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- state classes

  private static final class SimDroplet {
    final long id;
    final String name;
    final String region;
    final String size;
    final String image;
    final List<String> tags;
    final String userData;
    final Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String status = "new";
    boolean locked = true;
    String ip;
    String bootIp;
    boolean bootDone;
    boolean bootFailed;
    boolean actionDone;
    int pollsSinceAction;
    long actionId;

    SimDroplet(long id, String name, String region, String size, String image, List<String> tags, String userData) {
      this.id = id;
      this.name = name;
      this.region = region;
      this.size = size;
      this.image = image;
      this.tags = List.copyOf(tags);
      this.userData = userData;
    }
  }

  private static final class SimAction {
    final long id;
    final String type;
    final long dropletId;
    final String region;
    final Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String status = "in-progress";
    Instant completedAt;
    int polls;

    SimAction(long id, String type, long dropletId, String region) {
      this.id = id;
      this.type = type;
      this.dropletId = dropletId;
      this.region = region;
    }
  }

  private record SimKey(long id, String name, String publicKey, String fingerprint) {}

  private static final class SimFirewall {
    final String id;
    final String name;
    final ArrayNode inbound;
    final ArrayNode outbound;
    final List<Long> dropletIds;
    final List<String> tags;
    final Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    SimFirewall(String id, String name, ArrayNode inbound, ArrayNode outbound, Collection<Long> dropletIds,
        List<String> tags) {
      this.id = id;
      this.name = name;
      this.inbound = inbound;
      this.outbound = outbound;
      this.dropletIds = new ArrayList<>(dropletIds);
      this.tags = List.copyOf(tags);
    }
  }
}
