package io.potions.github.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.InvalidInputException;
import io.potions.app.App;
import io.potions.secret.Redactor;
import io.potions.secret.Secret;
import io.potions.source.SourceCommit;
import io.potions.source.UnknownRefException;
import io.potions.spi.SourceHost;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto-deploy on push: a framework-neutral GitHub webhook handler. Raw headers and the raw body go
 * in, a status and a short text come out; plug it into any web framework (see the package
 * documentation) or use the built-in {@link WebhookServer}.
 *
 * <pre>{@code
 * WebhookHandler hooks = WebhookHandler.builder(Secret.of(System.getenv("GITHUB_WEBHOOK_SECRET"))).build();
 * hooks.autoDeploy(server.app("shop").withSource(githubSource), "octo-org/shop", "main");
 * WebhookServer endpoint = WebhookServer.builder(hooks).port(8787).start();
 * }</pre>
 *
 * <p>For each delivery it:
 * <ol>
 *   <li>refuses a body over the size limit (413);
 *   <li>checks {@code X-Hub-Signature-256}, the HMAC-SHA256 of the raw body with the webhook
 *       secret, in constant time; a missing or wrong signature is refused (401) and nothing else is
 *       looked at;
 *   <li>drops a delivery id ({@code X-GitHub-Delivery}) already handled (200 "duplicate"; the last
 *       {@link Builder#rememberedDeliveries(int) N} ids are kept in memory);
 *   <li>answers {@code ping} (200);
 *   <li>for {@code push}, finds the registrations for that repository ({@code full_name}) and
 *       branch ({@code refs/heads/X}) or tag, and queues a deploy of the pushed commit
 *       ({@code after}) with each, without waiting for it (202). Other branches, tags without a tag
 *       registration, deletions ({@code deleted: true}) and other events are answered 200 and
 *       ignored.
 * </ol>
 *
 * <p>The delivery id is not signed, so a captured delivery can be replayed under a fresh one, and
 * GitHub may redeliver an old push late. A push is therefore deployed only when:
 * <ul>
 *   <li>the same push (repository, ref, commit) was not handled already (the last N are kept;
 *       a push whose deploy failed is forgotten with its delivery id, so that a redelivery retries
 *       it);
 *   <li>the branch or tag still names the pushed commit, resolved again through the registration's
 *       {@linkplain DeployTrigger#source() source} (a newer push supersedes it);
 *   <li>the commit is not the {@linkplain DeployTrigger#liveCommit() live} one, nor, when the source
 *       can tell, {@linkplain SourceHost#isAncestor(String, String) older} than it.
 * </ul>
 * Otherwise the answer is 200 with the reason, and nothing is deployed. An app's registration
 * ({@link #autoDeploy(App, String, String)}) makes every check; a bare {@link DeployTrigger} only the
 * first, unless it names its source and live commit too.
 *
 * <p>Deploys go through {@link App#deployAsync(SourceCommit)}, so they wait in the server's queue
 * behind manual ones. Thread-safe.
 */
public final class WebhookHandler {
  /** The header naming the event. */
  public static final String EVENT_HEADER = "X-GitHub-Event";
  /** The header carrying the delivery's unique id. */
  public static final String DELIVERY_HEADER = "X-GitHub-Delivery";

  private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern ZEROS = Pattern.compile("0+");
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}");

  private final Secret secret;
  private final int maxBodyBytes;
  private final DeliveryLog deliveries;
  private final DeliveryLog pushes;
  private final AutoDeployListener listener;
  private final Redactor redactor = new Redactor();
  private final ObjectMapper json = new ObjectMapper();
  private final List<AutoDeployRule> rules = new CopyOnWriteArrayList<>();

  private WebhookHandler(Builder b) {
    this.secret = b.secret;
    this.maxBodyBytes = b.maxBodyBytes;
    this.deliveries = new DeliveryLog(b.rememberedDeliveries);
    this.pushes = new DeliveryLog(b.rememberedDeliveries);
    this.listener = b.listener;
    redactor.register(secret);
  }

  /**
   * @param secret the webhook secret set on GitHub (repository or app settings > Webhooks)
   * @return a builder
   */
  public static Builder builder(Secret secret) {
    return new Builder(secret);
  }

  // ---------------------------------------------------------------- registrations

  /**
   * Deploys every push to a branch of a repository to an app.
   *
   * @param app the app, with a source that fetches from that repository (a {@code GitHubSource})
   * @param repository {@code owner/name}
   * @param branch the branch's exact name, such as {@code main}
   * @return the registration, to {@link #remove(AutoDeployRule) remove} later
   */
  public AutoDeployRule autoDeploy(App app, String repository, String branch) {
    Objects.requireNonNull(app, "app");
    return autoDeploy(repository, branch, app.name(), DeployTrigger.of(app));
  }

  /**
   * Deploys every push to a branch of a repository with a trigger of the caller's.
   *
   * @param repository {@code owner/name}
   * @param branch the branch's exact name
   * @param target what deploys, for people and logs
   * @param trigger starts the deploy without blocking
   * @return the registration
   */
  public AutoDeployRule autoDeploy(String repository, String branch, String target, DeployTrigger trigger) {
    if (branch == null || branch.isBlank() || branch.startsWith("refs/") || branch.contains("..")
        || !branch.matches("[A-Za-z0-9._/@+-]+")) {
      throw new InvalidInputException("'" + branch + "' is not a branch name: give it without refs/heads/, such as main.");
    }
    return add(new AutoDeployRule(checkRepository(repository), false, branch, target,
        Objects.requireNonNull(trigger, "trigger")));
  }

  /**
   * Deploys every pushed tag matching a pattern to an app (tags are ignored without this).
   *
   * @param app the app, with a source that fetches from that repository
   * @param repository {@code owner/name}
   * @param tagPattern a tag name, where {@code *} matches anything, such as {@code v*}
   * @return the registration
   */
  public AutoDeployRule autoDeployTags(App app, String repository, String tagPattern) {
    Objects.requireNonNull(app, "app");
    return autoDeployTags(repository, tagPattern, app.name(), DeployTrigger.of(app));
  }

  /**
   * Deploys every pushed tag matching a pattern with a trigger of the caller's.
   *
   * @param repository {@code owner/name}
   * @param tagPattern a tag name, where {@code *} matches anything
   * @param target what deploys, for people and logs
   * @param trigger starts the deploy without blocking
   * @return the registration
   */
  public AutoDeployRule autoDeployTags(String repository, String tagPattern, String target, DeployTrigger trigger) {
    if (tagPattern == null || tagPattern.isBlank() || tagPattern.startsWith("refs/")
        || !tagPattern.matches("[A-Za-z0-9._/@+*-]+")) {
      throw new InvalidInputException("'" + tagPattern + "' is not a tag pattern: give a tag name, where * matches"
          + " anything, such as v*.");
    }
    return add(new AutoDeployRule(checkRepository(repository), true, tagPattern, target,
        Objects.requireNonNull(trigger, "trigger")));
  }

  /**
   * @param rule a registration
   * @return true when it was registered (and is now removed)
   */
  public boolean remove(AutoDeployRule rule) {
    return rules.remove(rule);
  }

  /** @return the registrations, in the order they were made */
  public List<AutoDeployRule> rules() {
    return List.copyOf(rules);
  }

  private AutoDeployRule add(AutoDeployRule rule) {
    if (rule.target() == null || rule.target().isBlank()) {
      throw new InvalidInputException("Name the auto-deploy target (such as the app's name).");
    }
    rules.add(rule);
    log.info("auto-deploy: {}", rule);
    return rule;
  }

  private static String checkRepository(String repository) {
    if (repository == null || !FULL_NAME.matcher(repository).matches()) {
      throw new InvalidInputException("'" + repository + "' is not a GitHub repository: give it as owner/name.");
    }
    return repository;
  }

  // ---------------------------------------------------------------- handling

  /**
   * Handles one delivery with headers as a map (names in any case), as the JDK's HttpServer and
   * Spring's {@code HttpHeaders} give them.
   *
   * @param headers the request headers
   * @param body the raw body, exactly as received (not re-encoded JSON)
   * @return what to answer
   */
  public WebhookResponse handle(Map<String, List<String>> headers, byte[] body) {
    return handle(name -> {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }, body);
  }

  /**
   * Handles one delivery.
   *
   * @param header looks a request header up by name, without regard to case (such as a servlet
   *     request's {@code getHeader}); returns {@code null} when absent
   * @param body the raw body, exactly as received (not re-encoded JSON)
   * @return what to answer
   */
  public WebhookResponse handle(Function<String, String> header, byte[] body) {
    byte[] raw = body == null ? new byte[0] : body;
    if (raw.length > maxBodyBytes) {
      return answer(413, "payload larger than " + maxBodyBytes + " bytes");
    }
    String signature = header.apply(WebhookSignatures.HEADER);
    if (signature == null || signature.isBlank()) {
      log.warn("refused a webhook delivery without {}", WebhookSignatures.HEADER);
      return answer(401, "missing " + WebhookSignatures.HEADER);
    }
    if (!WebhookSignatures.matches(secret, raw, signature)) {
      log.warn("refused a webhook delivery whose signature does not match the secret (delivery {})",
          printable(header.apply(DELIVERY_HEADER)));
      return answer(401, "signature does not match");
    }
    String event = header.apply(EVENT_HEADER);
    String delivery = header.apply(DELIVERY_HEADER);
    if (event == null || event.isBlank() || event.length() > 100) {
      return answer(400, "missing " + EVENT_HEADER);
    }
    if (delivery == null || delivery.isBlank() || delivery.length() > 200) {
      return answer(400, "missing " + DELIVERY_HEADER);
    }
    if (!deliveries.add(delivery)) {
      log.info("dropped repeated webhook delivery {} ({})", printable(delivery), printable(event));
      return answer(200, "duplicate delivery " + printable(delivery) + ", already handled");
    }
    WebhookResponse response;
    try {
      response = switch (event) {
        case "ping" -> answer(200, "pong");
        case "push" -> push(delivery, header.apply("Content-Type"), raw);
        default -> answer(200, "ignored event " + printable(event));
      };
    } catch (RuntimeException e) {
      log.warn("webhook delivery {} failed: {}", printable(delivery), redactor.redact(e.toString()));
      response = answer(500, "could not handle the push: " + redactor.redact(String.valueOf(e.getMessage())));
    }
    if (response.status() >= 300) {
      deliveries.remove(delivery); // not handled: a redelivery should be
    }
    return response;
  }

  private WebhookResponse push(String delivery, String contentType, byte[] raw) {
    JsonNode payload;
    try {
      payload = json.readTree(jsonOf(contentType, raw));
    } catch (IOException | IllegalArgumentException e) {
      return answer(400, "push payload is not JSON");
    }
    if (payload == null || !payload.isObject()) {
      return answer(400, "push payload is not a JSON object");
    }
    String ref = payload.path("ref").asText("");
    String after = payload.path("after").asText("");
    String repository = payload.path("repository").path("full_name").asText("");
    if (ref.isEmpty() || repository.isEmpty()) {
      return answer(400, "push payload without ref or repository.full_name");
    }
    if (payload.path("deleted").asBoolean(false) || ZEROS.matcher(after).matches()) {
      return answer(200, "ignored: " + printable(ref) + " of " + printable(repository) + " was deleted");
    }
    boolean tag;
    String name;
    if (ref.startsWith("refs/heads/")) {
      tag = false;
      name = ref.substring("refs/heads/".length());
    } else if (ref.startsWith("refs/tags/")) {
      tag = true;
      name = ref.substring("refs/tags/".length());
    } else {
      return answer(200, "ignored: " + printable(ref) + " is neither a branch nor a tag");
    }
    if (!SHA.matcher(after).matches()) {
      return answer(400, "push payload's 'after' is not a commit SHA");
    }
    List<AutoDeployRule> matching = new ArrayList<>();
    for (AutoDeployRule rule : rules) {
      if (rule.matches(repository, tag, name)) {
        matching.add(rule);
      }
    }
    if (matching.isEmpty()) {
      return answer(200, "ignored: nothing auto-deploys " + (tag ? "tag " : "branch ") + printable(name) + " of "
          + printable(repository));
    }
    // What was pushed, not the delivery id (which is not signed): a replay under a fresh id is a repeat.
    String pushKey = repository.toLowerCase(Locale.ROOT) + " " + ref + " " + after;
    if (!pushes.add(pushKey)) {
      log.info("dropped a repeated push of {} to {} {}", after.substring(0, 7), printable(repository), printable(ref));
      return answer(200, "duplicate push: " + after.substring(0, 7) + " to " + printable(ref) + " of "
          + printable(repository) + " was already handled");
    }
    JsonNode head = payload.path("head_commit");
    String message = head.path("message").asText("");
    int nl = message.indexOf('\n');
    String subject = nl < 0 ? message : message.substring(0, nl);
    String author = head.path("author").path("name").asText(payload.path("pusher").path("name").asText(""));
    SourceCommit commit = new SourceCommit(after, name, subject, author);
    List<String> queued = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (AutoDeployRule rule : matching) {
      try {
        String stale = staleReason(rule, commit, tag);
        if (stale != null) {
          skipped.add(rule.target() + ": " + stale);
          log.info("push to {} {}: not deploying {} to {}: {}", repository, ref, commit.shortSha(), rule.target(), stale);
          continue;
        }
        CompletableFuture<?> deployment = Objects.requireNonNull(rule.trigger().deploy(commit),
            "the deploy trigger returned no future");
        queued.add(rule.target());
        log.info("push to {} {} ({}): queued a deploy of {} to {}", repository, ref, printable(subject),
            commit.shortSha(), rule.target());
        deployment.whenComplete((done, error) -> {
          if (error != null) {
            // a failed deploy may be retried: GitHub's "Redeliver" (same id) is handled again
            pushes.remove(pushKey);
            deliveries.remove(delivery);
            log.warn("auto-deploy of {} to {} failed: {}", commit.shortSha(), rule.target(),
                redactor.redact(String.valueOf(rootCause(error).getMessage())));
          } else {
            log.info("auto-deploy of {} to {} finished", commit.shortSha(), rule.target());
          }
        });
        try {
          listener.deployQueued(rule, commit, deployment);
        } catch (RuntimeException e) {
          log.warn("auto-deploy listener failed: {}", e.toString());
        }
      } catch (RuntimeException e) {
        failed.add(rule.target() + ": " + redactor.redact(String.valueOf(e.getMessage())));
        log.warn("could not queue a deploy of {} to {}: {}", commit.shortSha(), rule.target(),
            redactor.redact(e.toString()));
      }
    }
    String notDeployed = skipped.isEmpty() ? "" : "; not deployed to " + String.join("; ", skipped);
    if (queued.isEmpty() && !failed.isEmpty()) {
      pushes.remove(pushKey); // not handled: a redelivery should be
      return answer(500, "could not queue the deploy: " + String.join("; ", failed) + notDeployed);
    }
    if (queued.isEmpty()) {
      return answer(200, "nothing deployed: " + commit.shortSha() + " to " + String.join("; ", skipped));
    }
    return answer(202, "queued deploy of " + commit.shortSha() + " to " + String.join(", ", queued)
        + notDeployed + (failed.isEmpty() ? "" : "; failed: " + String.join("; ", failed)));
  }

  /**
   * Why a push must not deploy (a replay or a late delivery), or {@code null} when it may: the
   * branch or tag must still name the pushed commit, and the commit must be neither the live one
   * nor older than it.
   */
  private String staleReason(AutoDeployRule rule, SourceCommit commit, boolean tag) {
    Optional<SourceHost> source = rule.trigger().source();
    String kind = tag ? "tag " : "branch ";
    if (source.isPresent()) {
      SourceCommit now;
      try {
        now = source.get().resolve(commit.ref());
      } catch (UnknownRefException e) {
        return kind + commit.ref() + " no longer exists in " + source.get().describe();
      }
      if (!now.sha().equalsIgnoreCase(commit.sha())) {
        return kind + commit.ref() + " is now at " + now.shortSha() + " (a newer push supersedes this one)";
      }
    }
    Optional<String> live;
    try {
      live = rule.trigger().liveCommit();
    } catch (RuntimeException e) {
      // The branch still names this commit (checked above), and a deploy needs the server that just
      // failed to answer anyway: go on, as a manual deploy of the branch would.
      log.warn("could not read the live commit of {} ({}); deploying the branch head {}", rule.target(),
          redactor.redact(e.toString()), commit.shortSha());
      return null;
    }
    if (live.isEmpty()) {
      return null;
    }
    String liveSha = live.get();
    if (liveSha.equalsIgnoreCase(commit.sha())) {
      return commit.shortSha() + " is already live";
    }
    if (source.isPresent() && source.get().isAncestor(commit.sha(), liveSha)) {
      return commit.shortSha() + " is older than the live commit "
          + liveSha.substring(0, Math.min(7, liveSha.length())) + " (a webhook never deploys an older commit)";
    }
    return null;
  }

  /** GitHub sends JSON, or {@code payload=<url-encoded JSON>} when the hook's content type is form. */
  private static String jsonOf(String contentType, byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      for (String pair : text.split("&")) {
        if (pair.startsWith("payload=")) {
          return URLDecoder.decode(pair.substring("payload=".length()), StandardCharsets.UTF_8);
        }
      }
      throw new IllegalArgumentException("no payload field");
    }
    return text;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  private static WebhookResponse answer(int status, String body) {
    return new WebhookResponse(status, body);
  }

  /** Caller-controlled text, cut short and stripped of control characters before it is logged or echoed. */
  private static String printable(String s) {
    if (s == null) {
      return "-";
    }
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }

  /** @return the maximum body size accepted, in bytes */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  @Override
  public String toString() {
    return "WebhookHandler[" + rules.size() + " auto-deploy rule(s), secret " + Secret.MASK + "]";
  }

  /** Settings for a {@link WebhookHandler}. */
  public static final class Builder {
    private final Secret secret;
    private int maxBodyBytes = 5 * 1024 * 1024;
    private int rememberedDeliveries = 10_000;
    private AutoDeployListener listener = AutoDeployListener.NONE;

    private Builder(Secret secret) {
      if (secret == null || secret.reveal().isEmpty()) {
        throw new InvalidInputException("No webhook secret given: set a secret on the GitHub webhook and pass the"
            + " same value here; unsigned deliveries are never accepted.");
      }
      this.secret = secret;
    }

    /**
     * @param bytes the largest body accepted (default 5 MiB; GitHub caps payloads at 25 MB)
     * @return this
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1024) {
        throw new InvalidInputException("maxBodyBytes must be at least 1024.");
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * @param count how many delivery ids, and how many pushes (repository, ref, commit), are
     *     remembered to drop repeats (default 10,000 each)
     * @return this
     */
    public Builder rememberedDeliveries(int count) {
      if (count < 1 || count > 10_000_000) {
        throw new InvalidInputException("rememberedDeliveries must be between 1 and 10,000,000.");
      }
      this.rememberedDeliveries = count;
      return this;
    }

    /**
     * @param listener told of every deploy a push queued
     * @return this
     */
    public Builder listener(AutoDeployListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** @return the handler */
    public WebhookHandler build() {
      return new WebhookHandler(this);
    }
  }
}
