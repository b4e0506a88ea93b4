package io.potions.digitalocean;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.digitalocean.model.Account;
import io.potions.digitalocean.model.Action;
import io.potions.digitalocean.model.Domain;
import io.potions.digitalocean.model.DomainRecord;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.model.DropletCreateRequest;
import io.potions.digitalocean.model.DropletCreation;
import io.potions.digitalocean.model.Firewall;
import io.potions.digitalocean.model.FirewallRule;
import io.potions.digitalocean.model.Image;
import io.potions.digitalocean.model.Region;
import io.potions.digitalocean.model.Size;
import io.potions.digitalocean.model.SshKey;
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
import io.potions.internal.http.HttpTransport;
import io.potions.internal.http.Pagination;
import io.potions.internal.http.RetryAfter;
import io.potions.secret.Redactor;
import io.potions.secret.Secret;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the DigitalOcean API v2, usable on its own: account, regions, sizes, images,
 * SSH keys, droplets, actions, cloud firewalls and DNS records.
 *
 * <p>Every call has a timeout. Answers of 429 Too Many Requests are waited out as DigitalOcean
 * asks ({@code retry-after}, bounded by {@code ratelimit-reset} and by {@link
 * Builder#maxRateLimitWait(Duration)}): such a request was refused, not processed, so even a POST
 * is safe to repeat. 5xx answers, failed connections and timeouts are retried with exponential
 * backoff only for idempotent calls (GET, PUT, DELETE); a POST that may have gone through is never
 * repeated. Lists follow every page. The token never appears in logs, messages or
 * {@code toString()}.
 *
 * <pre>{@code
 * DigitalOceanClient client = DigitalOceanClient.builder()
 *     .token(Secret.of(System.getenv("DIGITALOCEAN_TOKEN")))
 *     .build();
 * List<Region> regions = client.regions();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class DigitalOceanClient {
  /** The public API's address. */
  public static final URI DEFAULT_BASE_URI = URI.create("https://api.digitalocean.com");

  /** The environment variable conventionally holding the token. */
  public static final String TOKEN_ENV = "DIGITALOCEAN_TOKEN";

  /** The largest page DigitalOcean serves. */
  public static final int MAX_PAGE_SIZE = 200;

  private static final Logger log = LoggerFactory.getLogger(DigitalOceanClient.class);
  private static final String API = "DigitalOcean";
  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern DOMAIN = Pattern.compile(
      "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");
  private static final Pattern RECORD_NAME = Pattern.compile(
      "@|(\\*\\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*");
  private static final Pattern UUID_LIKE = Pattern.compile("[0-9a-fA-F-]{1,64}");
  private static final Pattern KEY_ID = Pattern.compile("\\d+|([0-9a-f]{2}:){15}[0-9a-f]{2}");

  private final Secret token;
  private final String baseUri;
  private final Duration pollInterval;
  private final Duration maxPollInterval;
  private final Duration pollDeadline;
  private final int pageSize;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Redactor redactor = new Redactor();
  private final JsonMapper json;
  private final HttpTransport http;

  private DigitalOceanClient(Builder b) {
    if (b.token == null || b.token.reveal().isBlank()) {
      throw new InvalidInputException("No DigitalOcean API token given. Create a personal access token"
          + " in the DigitalOcean control panel (API > Tokens, with write scope), put it in "
          + TOKEN_ENV + " and pass it with DigitalOceanClient.builder().token(Secret.of(...)).");
    }
    this.token = b.token;
    redactor.register(token);
    this.pollInterval = b.pollInterval;
    this.maxPollInterval = b.maxPollInterval.compareTo(b.pollInterval) < 0 ? b.pollInterval : b.maxPollInterval;
    this.pollDeadline = b.pollDeadline;
    this.pageSize = b.pageSize;
    ApiClientSettings settings = b.apiSettings();
    this.clock = settings.clock();
    this.sleeper = settings.sleeper();
    this.json = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(
            JsonInclude.Include.NON_EMPTY, JsonInclude.Include.NON_EMPTY))
        .build();
    this.http = HttpTransport.builder(API, b.baseUri, this::errorFor)
        .settings(settings)
        .authorization(() -> "Bearer " + token.reveal())
        .requestIdHeader("x-request-id")
        .json(json).redactor(redactor)
        .log(log)
        .build();
    this.baseUri = http.baseUri();
  }

  /** @return a builder; only the token is required */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- account and catalog

  /**
   * Checks the token: {@code GET /v2/account}.
   *
   * @return the token's account
   * @throws AuthenticationFailedException when the token is refused
   */
  public Account account() {
    return convert(get("/v2/account").path("account"), Account.class);
  }

  /** @return every region ({@code GET /v2/regions}, all pages) */
  public List<Region> regions() {
    return listAll("/v2/regions", Map.of(), "regions", Region.class);
  }

  /** @return every droplet size ({@code GET /v2/sizes}, all pages) */
  public List<Size> sizes() {
    return listAll("/v2/sizes", Map.of(), "sizes", Size.class);
  }

  /**
   * Lists images ({@code GET /v2/images}, all pages).
   *
   * @param type {@code distribution} (plain operating systems), {@code application} (1-click
   *     apps), or {@code null} for all images including the account's snapshots
   * @return the images
   */
  public List<Image> images(String type) {
    if (type != null && !type.equals("distribution") && !type.equals("application")) {
      throw new InvalidInputException("Image type '" + type + "' is not valid: use distribution,"
          + " application, or null for all.");
    }
    return listAll("/v2/images", type == null ? Map.of() : Map.of("type", type), "images", Image.class);
  }

  // ---------------------------------------------------------------- SSH keys

  /** @return every SSH key in the account ({@code GET /v2/account/keys}, all pages) */
  public List<SshKey> sshKeys() {
    return listAll("/v2/account/keys", Map.of(), "ssh_keys", SshKey.class);
  }

  /**
   * Looks one SSH key up: {@code GET /v2/account/keys/{id or fingerprint}}.
   *
   * @param idOrFingerprint the key's id, or its MD5 fingerprint ({@link #md5Fingerprint(String)})
   * @return the key, or empty when the account has none such
   */
  public Optional<SshKey> sshKey(String idOrFingerprint) {
    String id = checked(idOrFingerprint, KEY_ID, "SSH key id or MD5 fingerprint");
    return getIfExists("/v2/account/keys/" + id).map(n -> convert(n.path("ssh_key"), SshKey.class));
  }

  /**
   * Registers a public key: {@code POST /v2/account/keys}.
   *
   * @param name its name in the account
   * @param publicKey an OpenSSH public key line
   * @return the registered key
   */
  public SshKey createSshKey(String name, String publicKey) {
    md5Fingerprint(publicKey); // refuses malformed keys before anything is sent
    ObjectNode body = json.createObjectNode().put("name", name).put("public_key", publicKey.trim());
    return convert(post("/v2/account/keys", body).path("ssh_key"), SshKey.class);
  }

  /**
   * Returns the account's key with the same fingerprint, or registers the key when the account does
   * not have it yet. Safe to call repeatedly and concurrently.
   *
   * @param name the name to give the key if it is registered now
   * @param publicKey an OpenSSH public key line
   * @return the key as the account has it
   */
  public SshKey ensureSshKey(String name, String publicKey) {
    String fingerprint = md5Fingerprint(publicKey);
    Optional<SshKey> existing = sshKey(fingerprint);
    if (existing.isPresent()) {
      log.debug("SSH key {} is already in the account as id {}", fingerprint, existing.get().id());
      return existing.get();
    }
    try {
      SshKey created = createSshKey(name, publicKey);
      log.info("Registered SSH key {} in the DigitalOcean account as '{}' (id {})", fingerprint, name, created.id());
      return created;
    } catch (RequestRejectedException e) {
      // Registered meanwhile by someone else ("SSH Key is already in use on your account").
      return sshKey(fingerprint).orElseThrow(() -> e);
    }
  }

  /**
   * Removes a key from the account: {@code DELETE /v2/account/keys/{id or fingerprint}}.
   *
   * @param idOrFingerprint the key's id or MD5 fingerprint
   * @return {@code false} when there was no such key
   */
  public boolean deleteSshKey(String idOrFingerprint) {
    String id = checked(idOrFingerprint, KEY_ID, "SSH key id or MD5 fingerprint");
    return deleteIfExists("/v2/account/keys/" + id);
  }

  /**
   * The fingerprint DigitalOcean identifies keys by: MD5 of the key's blob, as colon-separated hex.
   *
   * @param publicKey an OpenSSH public key line, such as {@code ssh-ed25519 AAAA... comment}
   * @return the fingerprint, such as {@code 3b:16:bf:...}
   */
  public static String md5Fingerprint(String publicKey) {
    String[] parts = publicKey == null ? new String[0] : publicKey.trim().split("\\s+");
    byte[] blob;
    try {
      blob = parts.length >= 2 ? Base64.getDecoder().decode(parts[1]) : null;
    } catch (IllegalArgumentException e) {
      blob = null;
    }
    if (blob == null || blob.length < 16) {
      throw new InvalidInputException("Not an OpenSSH public key line: expected '<type> <base64> [comment]',"
          + " as in a .pub file.");
    }
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(blob);
      StringBuilder out = new StringBuilder();
      for (byte b : digest) {
        if (out.length() > 0) {
          out.append(':');
        }
        out.append(String.format(Locale.ROOT, "%02x", b));
      }
      return out.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new PotionsException("This JVM has no MD5, which DigitalOcean key fingerprints need.", e);
    }
  }

  // ---------------------------------------------------------------- droplets and actions

  /**
   * Creates a droplet: {@code POST /v2/droplets}. Never retried on a 5xx answer or a lost
   * connection, since the droplet may exist all the same: look it up by tag before trying again.
   *
   * @param request what to create
   * @return the new droplet and its create action's id
   */
  public DropletCreation createDroplet(DropletCreateRequest request) {
    ObjectNode body = json.createObjectNode()
        .put("name", request.name())
        .put("region", request.region())
        .put("size", request.size())
        .put("image", request.image());
    ArrayNode keys = body.putArray("ssh_keys");
    request.sshKeys().forEach(keys::add);
    ArrayNode tags = body.putArray("tags");
    request.tags().forEach(tags::add);
    request.userData().ifPresent(u -> body.put("user_data", u));
    body.put("ipv6", request.ipv6());
    body.put("monitoring", request.monitoring());
    request.vpcUuid().ifPresent(v -> body.put("vpc_uuid", v));
    JsonNode answer = post("/v2/droplets", body);
    Droplet droplet = convert(answer.path("droplet"), Droplet.class);
    OptionalLong actionId = OptionalLong.empty();
    for (JsonNode link : answer.path("links").path("actions")) {
      if ("create".equals(link.path("rel").asText()) && link.path("id").canConvertToLong()) {
        actionId = OptionalLong.of(link.path("id").asLong());
      }
    }
    log.info("Created droplet '{}' (id {}) in {} ({}); create action {}", droplet.name(), droplet.id(),
        request.region(), request.size(), actionId.isPresent() ? actionId.getAsLong() : "not linked");
    return new DropletCreation(droplet, actionId);
  }

  /**
   * @param id a droplet id
   * @return the droplet ({@code GET /v2/droplets/{id}}), or empty when it does not exist
   */
  public Optional<Droplet> droplet(long id) {
    return getIfExists("/v2/droplets/" + positive(id, "droplet id"))
        .map(n -> convert(n.path("droplet"), Droplet.class));
  }

  /** @return every droplet in the account (all pages) */
  public List<Droplet> droplets() {
    return listAll("/v2/droplets", Map.of(), "droplets", Droplet.class);
  }

  /**
   * @param tag a tag
   * @return the droplets carrying it ({@code GET /v2/droplets?tag_name=...}, all pages)
   */
  public List<Droplet> dropletsByTag(String tag) {
    return listAll("/v2/droplets", Map.of("tag_name", tag), "droplets", Droplet.class);
  }

  /**
   * Destroys a droplet: {@code DELETE /v2/droplets/{id}}.
   *
   * @param id the droplet's id
   * @return {@code false} when it was already gone
   */
  public boolean deleteDroplet(long id) {
    boolean deleted = deleteIfExists("/v2/droplets/" + positive(id, "droplet id"));
    log.info(deleted ? "Destroyed droplet {}" : "Droplet {} was already gone", id);
    return deleted;
  }

  /**
   * @param id an action id
   * @return the action's current state ({@code GET /v2/actions/{id}})
   */
  public Action action(long id) {
    return convert(get("/v2/actions/" + positive(id, "action id")).path("action"), Action.class);
  }

  /**
   * Polls an action until it completes, with a growing interval, up to the poll deadline.
   *
   * @param id the action's id
   * @param onPoll told every state seen
   * @return the completed action
   * @throws ActionFailedException when it ends {@code errored}
   * @throws WaitTimedOutException when it is still running at the deadline
   */
  public Action waitForAction(long id, Consumer<Action> onPoll) {
    return poll("DigitalOcean action " + id, () -> action(id), a -> {
      if (a.isErrored()) {
        throw new ActionFailedException("DigitalOcean action " + id + " (" + a.type() + " on "
            + a.resourceType() + " " + a.resourceId() + ") ended with status errored.", id);
      }
      return a.isCompleted();
    }, onPoll, "It may still finish: check it with action(" + id + ").");
  }

  /**
   * Polls a droplet until it is {@code active} with a public IPv4 address, up to the poll deadline.
   *
   * @param id the droplet's id
   * @param onPoll told every state seen
   * @return the active droplet
   * @throws ResourceNotFoundException when the droplet disappears
   * @throws WaitTimedOutException when it is not active at the deadline
   */
  public Droplet waitForDropletActive(long id, Consumer<Droplet> onPoll) {
    return poll("Droplet " + id, () -> droplet(id).orElseThrow(() -> new ResourceNotFoundException(API,
            "Droplet " + id + " disappeared while the SDK waited for it to become active.", 404, null, null)),
        d -> d.isActive() && d.publicIpv4().isPresent(), onPoll,
        "It still exists: destroy it, or look at it in the DigitalOcean control panel.");
  }

  // ---------------------------------------------------------------- firewalls

  /**
   * Creates a cloud firewall: {@code POST /v2/firewalls}.
   *
   * @param name its name (letters, digits, dots and hyphens)
   * @param inbound what may come in (everything else is dropped)
   * @param outbound what may go out
   * @param dropletIds droplets to apply it to now
   * @param tags tags whose droplets it applies to (the tags must exist)
   * @return the firewall
   */
  public Firewall createFirewall(
      String name, List<FirewallRule> inbound, List<FirewallRule> outbound, List<Long> dropletIds,
      List<String> tags) {
    if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9.-]+")) {
      throw new InvalidInputException("Firewall name '" + name + "' is not valid: letters, digits, dots"
          + " and hyphens, starting with a letter or digit.");
    }
    ObjectNode body = json.createObjectNode().put("name", name);
    body.set("inbound_rules", json.valueToTree(inbound));
    body.set("outbound_rules", json.valueToTree(outbound));
    if (!dropletIds.isEmpty()) {
      body.set("droplet_ids", json.valueToTree(dropletIds));
    }
    if (!tags.isEmpty()) {
      body.set("tags", json.valueToTree(tags));
    }
    Firewall firewall = convert(post("/v2/firewalls", body).path("firewall"), Firewall.class);
    log.info("Created firewall '{}' (id {}) for droplets {} and tags {}", name, firewall.id(), dropletIds, tags);
    return firewall;
  }

  /** @return every cloud firewall in the account (all pages) */
  public List<Firewall> firewalls() {
    return listAll("/v2/firewalls", Map.of(), "firewalls", Firewall.class);
  }

  /**
   * @param id a firewall id
   * @return the firewall, or empty when it does not exist
   */
  public Optional<Firewall> firewall(String id) {
    return getIfExists("/v2/firewalls/" + checked(id, UUID_LIKE, "firewall id"))
        .map(n -> convert(n.path("firewall"), Firewall.class));
  }

  /**
   * Applies a firewall to more droplets: {@code POST /v2/firewalls/{id}/droplets}.
   *
   * @param id the firewall's id
   * @param dropletIds the droplets
   */
  public void addDropletsToFirewall(String id, List<Long> dropletIds) {
    ObjectNode body = json.createObjectNode();
    body.set("droplet_ids", json.valueToTree(dropletIds));
    post("/v2/firewalls/" + checked(id, UUID_LIKE, "firewall id") + "/droplets", body);
  }

  /**
   * Deletes a firewall: {@code DELETE /v2/firewalls/{id}}.
   *
   * @param id the firewall's id
   * @return {@code false} when it was already gone
   */
  public boolean deleteFirewall(String id) {
    boolean deleted = deleteIfExists("/v2/firewalls/" + checked(id, UUID_LIKE, "firewall id"));
    log.info(deleted ? "Deleted firewall {}" : "Firewall {} was already gone", id);
    return deleted;
  }

  // ---------------------------------------------------------------- DNS

  /**
   * @param name a domain name, such as {@code example.com}
   * @return the domain when its DNS is managed in this account, else empty
   */
  public Optional<Domain> domain(String name) {
    return getIfExists("/v2/domains/" + checked(name, DOMAIN, "domain name"))
        .map(n -> convert(n.path("domain"), Domain.class));
  }

  /**
   * Lists a domain's records (all pages).
   *
   * @param domain the domain, such as {@code example.com}
   * @param type only records of this type, such as {@code A}, or {@code null} for all
   * @param name only records of this relative name ({@code www}, {@code @}), or {@code null} for all
   * @return the records
   */
  public List<DomainRecord> domainRecords(String domain, String type, String name) {
    checked(domain, DOMAIN, "domain name");
    Map<String, String> query = new LinkedHashMap<>();
    if (type != null) {
      query.put("type", type);
    }
    if (name != null) {
      // DigitalOcean filters by the fully qualified name.
      query.put("name", "@".equals(name) ? domain : name + "." + domain);
    }
    List<DomainRecord> records = listAll("/v2/domains/" + domain + "/records", query, "domain_records",
        DomainRecord.class);
    return name == null ? records : records.stream().filter(r -> name.equals(r.name())).toList();
  }

  /**
   * Makes {@code name.domain} resolve to {@code ipv4}: creates the A record, or updates the one
   * that points elsewhere. Does nothing, and returns empty, when the domain's DNS is not managed in
   * this account (its records are then the user's business, at their DNS host).
   *
   * @param domain the domain, such as {@code example.com}
   * @param name the relative host name, such as {@code app}, or {@code @} for the domain itself
   * @param ipv4 the address
   * @return the record, or empty when the domain is not in this account
   */
  public Optional<DomainRecord> ensureARecord(String domain, String name, String ipv4) {
    return ensureARecord(domain, name, ipv4, 300);
  }

  /**
   * Like {@link #ensureARecord(String, String, String)}, with a TTL.
   *
   * @param domain the domain
   * @param name the relative host name, or {@code @}
   * @param ipv4 the address
   * @param ttlSeconds the record's TTL (30 or more)
   * @return the record, or empty when the domain is not in this account
   */
  public Optional<DomainRecord> ensureARecord(String domain, String name, String ipv4, int ttlSeconds) {
    checked(domain, DOMAIN, "domain name");
    checked(name, RECORD_NAME, "record name");
    checked(ipv4, IPV4, "IPv4 address");
    if (ttlSeconds < 30) {
      throw new InvalidInputException("A DNS TTL must be at least 30 seconds, not " + ttlSeconds + ".");
    }
    if (domain(domain).isEmpty()) {
      log.info("Domain {} is not managed in this DigitalOcean account: no A record made for {}", domain, name);
      return Optional.empty();
    }
    List<DomainRecord> existing = domainRecords(domain, "A", name);
    for (DomainRecord r : existing) {
      if (ipv4.equals(r.data())) {
        return Optional.of(r);
      }
    }
    ObjectNode body = json.createObjectNode().put("type", "A").put("name", name).put("data", ipv4)
        .put("ttl", ttlSeconds);
    if (!existing.isEmpty()) {
      DomainRecord first = existing.get(0);
      log.info("Pointing A record {}.{} at {} (was {})", name, domain, ipv4, first.data());
      return Optional.of(convert(put("/v2/domains/" + domain + "/records/" + first.id(), body)
          .path("domain_record"), DomainRecord.class));
    }
    log.info("Creating A record {}.{} -> {}", name, domain, ipv4);
    return Optional.of(convert(post("/v2/domains/" + domain + "/records", body).path("domain_record"),
        DomainRecord.class));
  }

  /**
   * Deletes a DNS record.
   *
   * @param domain the domain
   * @param recordId the record's id
   * @return {@code false} when it was already gone
   */
  public boolean deleteDomainRecord(String domain, long recordId) {
    return deleteIfExists("/v2/domains/" + checked(domain, DOMAIN, "domain name") + "/records/"
        + positive(recordId, "record id"));
  }

  @Override
  public String toString() {
    return "DigitalOceanClient[" + baseUri + ", token=" + Secret.MASK + "]";
  }

  // ---------------------------------------------------------------- HTTP

  private JsonNode get(String pathAndQuery) {
    return http.get(pathAndQuery).body();
  }

  private JsonNode post(String path, JsonNode body) {
    return http.send("POST", path, body).body();
  }

  private JsonNode put(String path, JsonNode body) {
    return http.send("PUT", path, body).body();
  }

  private Optional<JsonNode> getIfExists(String path) {
    try {
      return Optional.of(get(path));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  private boolean deleteIfExists(String path) {
    try {
      http.send("DELETE", path, null);
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  private <T> List<T> listAll(String path, Map<String, String> query, String field, Class<T> type) {
    Map<String, String> params = new LinkedHashMap<>(query);
    params.put("page", "1");
    params.put("per_page", String.valueOf(pageSize));
    StringBuilder first = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      first.append(sep).append(e.getKey()).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return Pagination.collect(API, path, first.toString(), next -> {
      JsonNode page = get(next);
      JsonNode items = page.path(field);
      if (!items.isArray()) {
        throw new HttpApiException(API, "DigitalOcean answered GET " + path + " without a '" + field + "' list.");
      }
      List<T> out = new java.util.ArrayList<>();
      items.forEach(item -> out.add(convert(item, type)));
      Optional<String> link = items.isEmpty() ? Optional.empty() : Pagination.bodyNext(page, "/links/pages/next");
      return new Pagination.Page<>(out, link.map(l -> sameOrigin(l, path)));
    });
  }

  /** Follows a next-page link on the configured API address only, never to another host. */
  private static String sameOrigin(String link, String path) {
    URI uri;
    try {
      uri = URI.create(link);
    } catch (IllegalArgumentException e) {
      throw new HttpApiException(API, "DigitalOcean sent a next-page link for " + path + " that is not a URL.");
    }
    String p = uri.getRawPath();
    if (p == null || !p.startsWith("/v2/")) {
      throw new HttpApiException(API, "DigitalOcean sent a next-page link for " + path
          + " outside the API (" + p + "); not following it.");
    }
    return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
  }

  /** DigitalOcean's failed answers in its own words: which token, which scope, what to fix. */
  private HttpApiException errorFor(ApiFailure failure) {
    String what = failure.what();
    int status = failure.status();
    String id = failure.field("id");
    String message = failure.field("message");
    String requestId = failure.field("request_id");
    if (requestId == null) {
      requestId = failure.requestId();
    }
    String said = status + (id == null ? "" : " " + id) + (message == null ? "" : ": " + message)
        + (requestId == null ? "" : "; request id " + requestId);
    if (status == 401) {
      return new AuthenticationFailedException(API, redactor.redact("DigitalOcean refused the API token for "
          + what + " (" + said + "). Check the token: set " + TOKEN_ENV + " (or the token given to the SDK) to a"
          + " valid, unexpired DigitalOcean personal access token with write scope (droplet, ssh_key, firewall,"
          + " actions, regions, sizes, image, account; domain for DNS)."), status, requestId, id);
    } else if (status == 403) {
      return new PermissionDeniedException(API, redactor.redact("The DigitalOcean API token may not " + what
          + " (" + said + "). Check the token's scopes (" + TOKEN_ENV + "): it needs write scope for droplet,"
          + " ssh_key and firewall, read for actions, regions, sizes, image and account, and domain for DNS."),
          status, requestId, id);
    } else if (status == 404) {
      return new ResourceNotFoundException(API, redactor.redact("DigitalOcean found nothing for " + what + " ("
          + said + ")."), status, requestId, id);
    } else if (status == 400 || status == 422) {
      return new RequestRejectedException(API, redactor.redact("DigitalOcean refused " + what + ": "
          + (message == null ? "no reason given" : message) + " (" + status + (id == null ? "" : " " + id)
          + (requestId == null ? "" : "; request id " + requestId) + "). Fix the value it names and try again."),
          status, requestId, id);
    } else if (status == 429) {
      Duration wait = rateLimitWait(failure);
      return new RateLimitedException(API, redactor.redact("DigitalOcean's rate limit stopped " + what + " ("
          + said + ")." + (wait == null ? "" : " It asked to wait " + RetryAfter.describe(wait) + ";")
          + " this client waits at most " + RetryAfter.describe(http.maxRateLimitWait()) + " (maxRateLimitWait), "
          + http.maxAttempts() + " attempts in all. DigitalOcean allows 250 requests a minute and 5,000 an hour"
          + " per token: slow down or try again later."), status, requestId, id, wait);
    } else if (status >= 500) {
      return new ServerErrorException(API, redactor.redact("DigitalOcean failed on " + what + " (" + said + ")."
          + " It is usually transient: try again in a moment; see status.digitalocean.com if it persists."),
          status, requestId, id);
    }
    return new HttpApiException(API, redactor.redact("DigitalOcean answered " + what + " with an unexpected "
        + said + "."), status, requestId, id, null, null);
  }

  /**
   * How long a 429 asks to wait: {@code retry-after} (seconds or an HTTP date) first, capped by
   * {@code ratelimit-reset} (epoch seconds) when that is sooner; {@code null} when neither says.
   */
  private static Duration rateLimitWait(ApiFailure failure) {
    Duration retryAfter = RetryAfter.header(failure.headers(), failure.receivedAt()).orElse(null);
    Duration untilReset = RetryAfter.untilEpochSecond(failure.headers(), "ratelimit-reset", failure.receivedAt())
        .filter(d -> !d.isNegative()).orElse(null);
    if (retryAfter != null && untilReset != null) {
      return retryAfter.compareTo(untilReset) <= 0 ? retryAfter : untilReset;
    }
    return retryAfter != null ? retryAfter : untilReset;
  }

  private <T> T poll(String what, Supplier<T> fetch, Predicate<T> done, Consumer<T> onPoll, String hint) {
    Instant start = clock.instant();
    Instant deadline = start.plus(pollDeadline);
    Duration interval = pollInterval;
    while (true) {
      T value = fetch.get();
      onPoll.accept(value);
      if (done.test(value)) {
        log.debug("{} done after {} ms", what, Duration.between(start, clock.instant()).toMillis());
        return value;
      }
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw new WaitTimedOutException(what + " was not done after " + seconds(pollDeadline)
            + " (the client's pollDeadline). " + hint);
      }
      Duration left = Duration.between(now, deadline);
      sleep(interval.compareTo(left) < 0 ? interval : left);
      long next = Math.min(interval.toMillis() * 3 / 2, maxPollInterval.toMillis());
      interval = Duration.ofMillis(Math.max(next, 1));
    }
  }

  private void sleep(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted while waiting on DigitalOcean.", e);
    }
  }

  private <T> T convert(JsonNode node, Class<T> type) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      throw new HttpApiException(API, "DigitalOcean's answer lacks the expected " + type.getSimpleName()
          + "; the API may have changed.");
    }
    try {
      return json.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new HttpApiException(API, "Could not read a " + type.getSimpleName() + " from DigitalOcean's"
          + " answer: " + e.getMessage(), 0, null, null, null, e);
    }
  }

  private static String seconds(Duration d) {
    return RetryAfter.describe(d);
  }

  private static String checked(String value, Pattern pattern, String what) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new InvalidInputException("'" + value + "' is not a valid " + what + ".");
    }
    return value;
  }

  private static long positive(long id, String what) {
    if (id <= 0) {
      throw new InvalidInputException("A " + what + " is a positive number, not " + id + ".");
    }
    return id;
  }

  /**
   * Configures a {@link DigitalOceanClient}. Defaults: the public API, 30 s per call, 4 attempts
   * for retryable failures with backoff from 500 ms to 8 s, 429 waits of up to 60 s, polls every 3
   * s growing to 15 s with a 10-minute deadline, pages of 200.
   */
  public static final class Builder extends ApiClientBuilder<Builder> {
    private Secret token;
    private URI baseUri = DEFAULT_BASE_URI;
    private Duration pollInterval = Duration.ofSeconds(3);
    private Duration maxPollInterval = Duration.ofSeconds(15);
    private Duration pollDeadline = Duration.ofMinutes(10);
    private int pageSize = MAX_PAGE_SIZE;

    private Builder() {
      super(4);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * @param token a DigitalOcean personal access token (required)
     * @return this builder
     */
    public Builder token(Secret token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Reads the token from the environment variable {@value #TOKEN_ENV}.
     *
     * @return this builder
     * @throws InvalidInputException when the variable is not set
     */
    public Builder tokenFromEnvironment() {
      String value = System.getenv(TOKEN_ENV);
      if (value == null || value.isBlank()) {
        throw new InvalidInputException(TOKEN_ENV + " is not set. Create a personal access token in the"
            + " DigitalOcean control panel (API > Tokens, with write scope) and export it as " + TOKEN_ENV + ".");
      }
      this.token = Secret.of(value.trim());
      return this;
    }

    /**
     * @param baseUri the API's root, such as {@code https://api.digitalocean.com} (tests point it at
     *     a simulation)
     * @return this builder
     */
    public Builder baseUri(URI baseUri) {
      this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
      return this;
    }






    /**
     * @param first the wait between the first polls of an action or droplet; it grows by half each
     *     time
     * @param max the longest wait between polls
     * @param deadline how long to wait in all before {@link WaitTimedOutException}
     * @return this builder
     */
    public Builder polling(Duration first, Duration max, Duration deadline) {
      this.pollInterval = positive(first, "pollInterval");
      this.maxPollInterval = positive(max, "maxPollInterval");
      this.pollDeadline = positive(deadline, "pollDeadline");
      return this;
    }

    /**
     * @param pageSize items per page when listing, 1 to {@value #MAX_PAGE_SIZE}
     * @return this builder
     */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw new InvalidInputException("pageSize must be 1 to " + MAX_PAGE_SIZE + ", not " + pageSize + ".");
      }
      this.pageSize = pageSize;
      return this;
    }




    /** @return the client */
    public DigitalOceanClient build() {
      return new DigitalOceanClient(this);
    }

  }
}
