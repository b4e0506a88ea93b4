package io.potions.portal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.PotionsException;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppAlreadyExistsException;
import io.potions.app.AppManifest;
import io.potions.app.AppNotFoundException;
import io.potions.app.AppSettings;
import io.potions.app.AppStatus;
import io.potions.app.Deployment;
import io.potions.app.DeploymentFuture;
import io.potions.event.EventFilter;
import io.potions.event.EventStream;
import io.potions.event.PotionsEvent;
import io.potions.github.webhook.WebhookHandler;
import io.potions.github.webhook.WebhookResponse;
import io.potions.progress.ProgressEvent;
import io.potions.secret.Secret;
import io.potions.source.GitRepositorySource;
import io.potions.source.UnknownRefException;
import io.potions.spi.RemoteProcess;
import io.potions.spi.SourceHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small web portal on the SDK: servers, apps, env vars, domains, deploys with the build log and
 * the stages live, history, rollback, the app's log, auto-deploy on push. Everything long runs
 * through the SDK's async API; everything live is the SDK's {@link EventStream} relayed as
 * server-sent events (with {@code Last-Event-ID}, so a reconnecting page misses nothing). The
 * portal keeps no database: servers hold the truth; it remembers only which servers it opened and
 * where each app's code comes from.
 */
public final class Portal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Portal.class);
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final Potions potions;
  private final Function<String, SourceHost> sources;
  private final WebhookHandler webhooks;
  private final Map<String, Server> servers = new ConcurrentHashMap<>();
  private final Map<String, String> serverState = new ConcurrentHashMap<>();
  private final Map<String, SourceHost> appSources = new ConcurrentHashMap<>();
  private final Map<String, DeploymentFuture> deployments = new ConcurrentHashMap<>();
  private final Map<String, String> autoDeploy = new ConcurrentHashMap<>();
  private final Map<String, LogFollower> logFollowers = new java.util.HashMap<>();
  private Javalin web;

  /**
   * @param potions the SDK instance (with a cloud provider, to create servers)
   * @param sources turns what a user types as an app's source (a local path, {@code github:owner/repo})
   *     into a source
   * @param webhookSecret the secret GitHub signs pushes with (auto-deploy)
   */
  public Portal(Potions potions, Function<String, SourceHost> sources, Secret webhookSecret) {
    this.potions = potions;
    this.sources = sources;
    this.webhooks = WebhookHandler.builder(webhookSecret).build();
  }

  /** @return the default source resolver: a local git repository path */
  public static Function<String, SourceHost> localSources() {
    return text -> {
      Path path = Path.of(text.trim());
      if (!Files.isDirectory(path.resolve(".git")) && !Files.isDirectory(path.resolve("objects"))) {
        throw new InvalidInputException("Source '" + text + "' is not a git repository on this machine;"
            + " give the path of a clone (or github:owner/repo when a GitHub token is configured).");
      }
      return GitRepositorySource.local(path);
    };
  }

  /**
   * Adds a server the portal did not provision (already provisioned elsewhere).
   *
   * @param server the server
   * @return this portal
   */
  public Portal addServer(Server server) {
    servers.put(server.name(), server);
    serverState.put(server.name(), "ready");
    return this;
  }

  /**
   * @param port the port to listen on (0: any free port)
   * @return this portal, serving
   */
  public Portal start(int port) {
    web = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.staticFiles.add("/portal", Location.CLASSPATH);
      config.jsonMapper(new JavalinJackson(JSON, false));
    });
    routes(web);
    web.start("127.0.0.1", port);
    log.info("portal on http://127.0.0.1:{}/", web.port());
    return this;
  }

  /**
   * @param name a server's name
   * @return the server, once the portal has it ready
   */
  public Optional<Server> server(String name) {
    return Optional.ofNullable(servers.get(name));
  }

  /** @return the port it listens on */
  public int port() {
    return web.port();
  }

  private void routes(Javalin app) {
    app.exception(InvalidInputException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e));
    app.exception(UnknownRefException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e));
    app.exception(AppAlreadyExistsException.class, (e, ctx) -> error(ctx, HttpStatus.CONFLICT, e));
    app.exception(AppNotFoundException.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e));
    app.exception(PotionsException.class, (e, ctx) -> error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, e));

    app.get("/api/servers", ctx -> ctx.json(serverList()));
    app.post("/api/servers", ctx -> {
      String name = body(ctx).getOrDefault("name", "");
      if (servers.containsKey(name) || "provisioning".equals(serverState.get(name))) {
        throw new InvalidInputException("Server " + name + " is already in the portal.");
      }
      CompletableFuture<Server> provisioning = potions.server(name).provisionAsync();
      serverState.put(name, "provisioning");
      provisioning.whenComplete((server, failure) -> {
        if (failure == null) {
          servers.put(name, server);
          serverState.put(name, "ready");
        } else {
          Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
          serverState.put(name, "failed: " + cause.getMessage());
          log.warn("provisioning {} failed: {}", name, cause.toString());
        }
      });
      ctx.status(HttpStatus.ACCEPTED).json(Map.of("server", name, "operation", "provision-" + name));
    });
    app.get("/api/servers/{server}/apps", ctx -> ctx.json(server(ctx).apps().stream().map(this::appSummary).toList()));
    app.post("/api/servers/{server}/apps", ctx -> {
      Map<String, String> body = body(ctx);
      App created = server(ctx).app(body.getOrDefault("name", ""));
      String domain = body.getOrDefault("domain", "").trim();
      AppSettings settings = AppSettings.builder().addDomains(domain.isEmpty() ? created.name() + ".localhost" : domain)
          .https(false).build();
      SourceHost source = blank(body.get("source")) ? null : sources.apply(body.get("source"));
      created.create(settings);
      if (source != null) {
        appSources.put(key(ctx.pathParam("server"), created.name()), source);
      }
      ctx.status(HttpStatus.CREATED).json(Map.of("app", created.name()));
    });
    app.get("/api/servers/{server}/apps/{app}", ctx -> ctx.json(appDetail(ctx)));
    app.put("/api/servers/{server}/apps/{app}/domains", ctx -> {
      List<String> domains = List.of(body(ctx).getOrDefault("domains", "").split("[,\\s]+")).stream()
          .filter(d -> !d.isBlank()).toList();
      app(ctx).setDomains(domains);
      ctx.json(Map.of("domains", domains));
    });
    app.put("/api/servers/{server}/apps/{app}/source", ctx -> {
      SourceHost source = sources.apply(body(ctx).getOrDefault("source", ""));
      app(ctx).manifest();
      appSources.put(key(ctx.pathParam("server"), ctx.pathParam("app")), source);
      ctx.json(Map.of("source", source.describe()));
    });
    app.post("/api/servers/{server}/apps/{app}/env", ctx -> {
      Map<String, String> body = body(ctx);
      app(ctx).env().set(body.getOrDefault("key", ""), body.getOrDefault("value", ""));
      ctx.json(Map.of("keys", app(ctx).env().list().keys()));
    });
    app.delete("/api/servers/{server}/apps/{app}/env/{key}", ctx -> {
      app(ctx).env().unset(ctx.pathParam("key"));
      ctx.json(Map.of("keys", app(ctx).env().list().keys()));
    });
    app.post("/api/servers/{server}/apps/{app}/deploy", ctx -> {
      String ref = body(ctx).getOrDefault("ref", "").trim();
      if (ref.isEmpty()) {
        throw new InvalidInputException("Give a branch, tag or commit SHA to deploy.");
      }
      started(ctx, sourcedApp(ctx).deployAsync(ref));
    });
    app.post("/api/servers/{server}/apps/{app}/rollback", ctx -> started(ctx, app(ctx).rollbackAsync()));
    app.post("/api/servers/{server}/apps/{app}/restart", ctx -> started(ctx, app(ctx).restartAsync()));
    app.post("/api/deployments/{id}/cancel", ctx -> {
      DeploymentFuture future = deployments.get(ctx.pathParam("id"));
      if (future == null) {
        throw new InvalidInputException("No deployment " + ctx.pathParam("id") + " is queued or running here.");
      }
      ctx.json(Map.of("cancelled", future.cancel(true)));
    });
    app.get("/api/servers/{server}/apps/{app}/deployments/{id}", ctx -> {
      String id = ctx.pathParam("id");
      Optional<Deployment> stored = app(ctx).deployments().stream().filter(d -> d.id().equals(id)).findFirst();
      ctx.json(stored.orElseThrow(() -> new InvalidInputException("No deployment " + id + " on the server.")));
    });
    app.post("/api/servers/{server}/apps/{app}/github", ctx -> {
      Map<String, String> body = body(ctx);
      String repository = body.getOrDefault("repository", "").trim();
      String branch = body.getOrDefault("branch", "").trim();
      App target = sourcedApp(ctx);
      webhooks.autoDeploy(target, repository, branch);
      autoDeploy.put(key(ctx.pathParam("server"), target.name()), repository + "@" + branch);
      ctx.json(Map.of("autoDeploy", repository + "@" + branch, "webhook", "/webhooks/github"));
    });
    app.post("/webhooks/github", ctx -> {
      WebhookResponse response = webhooks.handle(ctx::header, ctx.bodyAsBytes());
      // A push becomes a deploy in the server's queue; the portal tracks it like one started here.
      ctx.status(response.status()).contentType(WebhookResponse.CONTENT_TYPE).result(response.body());
    });

    app.sse("/api/events", this::events);
    app.sse("/api/deployments/{id}/events", this::deploymentEvents);
    app.sse("/api/servers/{server}/apps/{app}/logs", this::appLogs);
  }

  private void started(Context ctx, DeploymentFuture future) {
    deployments.put(future.id(), future);
    future.settled().whenComplete((d, e) -> deployments.remove(future.id()));
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", future.id(), "stage", future.stage().id()));
  }

  /** Events of the stream, filtered by server/app, resumed after Last-Event-ID. */
  private void events(SseClient client) {
    Context ctx = client.ctx();
    EventFilter filter = new EventFilter(ctx.queryParam("server"), ctx.queryParam("app"), ctx.queryParam("operation"));
    boolean stagesOnly = "true".equals(ctx.queryParam("stages"));
    long after = lastEventId(ctx, potions.events().lastId());
    client.keepAlive();
    EventStream.Subscription sub = potions.events().subscribe(filter, after, e -> {
      if (!stagesOnly || e.event() instanceof ProgressEvent.StageChanged) {
        send(client, e);
      }
    });
    client.onClose(sub::close);
  }

  /** One deployment from its first event (or after Last-Event-ID), then live. */
  private void deploymentEvents(SseClient client) {
    Context ctx = client.ctx();
    String id = ctx.pathParam("id");
    client.keepAlive();
    EventStream.Subscription sub = potions.events().followOperation(id, lastEventId(ctx, 0), e -> send(client, e));
    client.onClose(sub::close);
  }

  /**
   * The app's log, live. One follower per app, shared by every page showing it: each follower holds
   * an SSH channel, and sshd allows only so many per connection (MaxSessions: 64 on a provisioned
   * server), which deploys need too.
   */
  private void appLogs(SseClient client) {
    Context ctx = client.ctx();
    App app = app(ctx);
    String key = key(ctx.pathParam("server"), app.name());
    client.keepAlive();
    LogFollower follower;
    synchronized (logFollowers) {
      follower = logFollowers.get(key);
      if (follower == null) {
        follower = new LogFollower();
        LogFollower f = follower;
        follower.process = app.followLogs((stream, line) -> f.send(line));
        logFollowers.put(key, follower);
      }
      follower.clients.add(client);
    }
    LogFollower f = follower;
    client.onClose(() -> {
      synchronized (logFollowers) {
        f.clients.remove(client);
        if (f.clients.isEmpty() && logFollowers.remove(key, f)) {
          f.process.close();
        }
      }
    });
  }

  /** One app's log follower and the pages it feeds. */
  private static final class LogFollower {
    final java.util.Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    RemoteProcess process;

    void send(String line) {
      for (SseClient c : clients) {
        if (c.terminated()) {
          clients.remove(c);
        } else {
          c.sendEvent("line", line);
        }
      }
    }
  }

  private static long lastEventId(Context ctx, long otherwise) {
    String header = ctx.header("Last-Event-ID");
    try {
      return header == null || header.isBlank() ? otherwise : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static void send(SseClient client, PotionsEvent e) {
    if (!client.terminated()) {
      client.sendEvent("event", EventJson.of(e), Long.toString(e.id()));
    }
  }

  private List<Map<String, Object>> serverList() {
    List<String> names = new ArrayList<>(serverState.keySet());
    names.sort(Comparator.naturalOrder());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String name : names) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", name);
      s.put("state", serverState.get(name));
      Server server = servers.get(name);
      s.put("host", server == null ? null : server.target().host());
      out.add(s);
    }
    return out;
  }

  private Map<String, Object> appSummary(AppManifest m) {
    return Map.of("name", m.name(), "domains", m.domains(), "port", m.port());
  }

  private Map<String, Object> appDetail(Context ctx) {
    App app = app(ctx);
    AppManifest manifest = app.manifest();
    AppStatus status = app.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", app.name());
    out.put("domains", manifest.domains());
    Map<String, Object> live = new LinkedHashMap<>();
    live.put("slot", status.liveSlot().map(s -> s.id()).orElse(null));
    live.put("release", status.liveRelease().orElse(null));
    live.put("running", status.running());
    live.put("healthy", status.healthy());
    out.put("status", live);
    // Values never leave the server side: the page sees names and a mask.
    Map<String, String> env = new LinkedHashMap<>();
    app.env().list().keys().stream().sorted().forEach(k -> env.put(k, "••••••"));
    out.put("env", env);
    SourceHost source = appSources.get(key(ctx.pathParam("server"), app.name()));
    out.put("source", source == null ? null : source.describe());
    out.put("autoDeploy", autoDeploy.get(key(ctx.pathParam("server"), app.name())));
    List<Deployment> history = new ArrayList<>(app.deployments());
    java.util.Collections.reverse(history);
    out.put("deployments", history.stream().limit(30).map(Portal::deploymentRow).toList());
    out.put("active", deployments.values().stream().filter(f -> f.app().equals(app.name()))
        .sorted(Comparator.comparing(DeploymentFuture::id)).map(f -> Map.of("id", f.id(), "stage", f.stage().id())).toList());
    return out;
  }

  private static Map<String, Object> deploymentRow(Deployment d) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", d.id());
    row.put("kind", d.kind().id());
    row.put("ref", d.ref());
    row.put("commit", d.commit() == null ? null : d.commit().substring(0, Math.min(7, d.commit().length())));
    row.put("status", d.status().id());
    row.put("startedAt", d.startedAt());
    row.put("seconds", d.duration().toMillis() / 1000.0);
    row.put("timeline", d.timeline());
    row.put("error", d.error());
    return row;
  }

  private Server server(Context ctx) {
    String name = ctx.pathParam("server");
    Server server = servers.get(name);
    if (server == null) {
      throw new InvalidInputException("No server named " + name + " is ready in the portal.");
    }
    return server;
  }

  private App app(Context ctx) {
    return server(ctx).app(ctx.pathParam("app"));
  }

  private App sourcedApp(Context ctx) {
    App app = app(ctx);
    SourceHost source = appSources.get(key(ctx.pathParam("server"), app.name()));
    if (source == null) {
      app.manifest();
      throw new InvalidInputException("App " + app.name() + " has no source in this portal yet: set its source"
          + " (a local git repository, or github:owner/repo) first.");
    }
    return app.withSource(source);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> body(Context ctx) {
    if (ctx.body().isBlank()) {
      return Map.of();
    }
    try {
      Map<String, Object> raw = JSON.readValue(ctx.body(), Map.class);
      Map<String, String> out = new LinkedHashMap<>();
      raw.forEach((k, v) -> out.put(k, v == null ? "" : v.toString()));
      return out;
    } catch (java.io.IOException e) {
      throw new InvalidInputException("The request body is not JSON: " + e.getMessage());
    }
  }

  private static void error(Context ctx, HttpStatus status, Exception e) {
    ctx.status(status).json(Map.of("error", String.valueOf(e.getMessage())));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String key(String server, String app) {
    return server + "/" + app;
  }

  /** Stops serving (the SDK instance is the caller's to close). */
  @Override
  public void close() {
    if (web != null) {
      web.stop();
    }
    synchronized (logFollowers) {
      logFollowers.values().forEach(f -> f.process.close());
      logFollowers.clear();
    }
  }
}
