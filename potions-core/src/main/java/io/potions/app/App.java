package io.potions.app;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.internal.Names;
import io.potions.internal.engine.EnvFile;
import io.potions.internal.engine.ServerContext;
import io.potions.secret.Secret;
import io.potions.source.SourceCommit;
import io.potions.spi.AppRoute;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.SourceHost;
import io.potions.ssh.OutputListener;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app on one server: create it, set its environment, deploy commits to it, roll back, read its
 * status, history and logs, delete it. Obtain it with {@code server.app("shop")}; it holds no state
 * of its own beyond its name and source: the truth is on the server.
 *
 * <pre>{@code
 * App shop = server.app("shop").withSource(GitRepositorySource.local(Path.of("~/code/shop")));
 * shop.create(AppSettings.builder().addDomains("shop.example.com")
 *     .migrationCommand("Shop.Release.migrate()").build());
 * shop.env().set("MAILER_API_KEY", "...");
 * Deployment d = shop.deploy("main");
 * }</pre>
 */
public final class App {
  private static final Logger log = LoggerFactory.getLogger(App.class);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** First stable port; apps take blocks of ten (port, port+1 blue, port+2 green). */
  static final int FIRST_PORT = 4000;

  private final ServerContext ctx;
  private final String name;
  private final SourceHost source;

  /**
   * @param ctx the server
   * @param name the app name (validated)
   * @param source where its code comes from, or null
   */
  public App(ServerContext ctx, String name, SourceHost source) {
    this.ctx = Objects.requireNonNull(ctx);
    this.name = Names.app(name);
    this.source = source;
  }

  /** @return the app's name */
  public String name() {
    return name;
  }

  /**
   * @param source where the app's code comes from
   * @return a handle to the same app that deploys from {@code source}
   */
  public App withSource(SourceHost source) {
    return new App(ctx, name, Objects.requireNonNull(source, "source"));
  }

  /** @return where the app's code comes from, when this handle was given a source */
  public java.util.Optional<SourceHost> source() {
    return java.util.Optional.ofNullable(source);
  }

  private AppStore store() {
    return new AppStore(ctx.executor(), name, ctx.serverName());
  }

  private DeployLock lock(String what) {
    return DeployLock.acquire(ctx.executor(), DeploymentRun.initiator() + " " + what + " " + name, LOCK_WAIT,
        holder -> { });
  }

  /** @return true when the app exists on the server */
  public boolean exists() {
    return store().exists();
  }

  /**
   * @return the app's stored settings and port
   * @throws AppNotFoundException when it does not exist
   */
  public AppManifest manifest() {
    return store().manifest();
  }

  /**
   * Creates the app: its directory and storage, a PostgreSQL role and database with a random
   * password, generated env vars, and its route in the reverse proxy. Nothing is deployed yet.
   *
   * @param requested domains, health check, migration... (with a base domain set on the
   *     {@code Potions} instance, {@code <app>.<base>} is added after the app's own domains)
   * @return this app
   * @throws AppAlreadyExistsException when an app of that name exists (nothing is changed)
   */
  public App create(AppSettings requested) {
    // The instance's base domain gives every app its default URL, after the app's own domains.
    AppSettings settings = ctx.baseDomain()
        .map(base -> io.potions.app.domain.Domains.withDefaultDomain(requested, name, base)).orElse(requested);
    RemoteExecutor server = ctx.executor();
    AppStore store = store();
    try (DeployLock lock = lock("create")) {
      if (store.exists()) {
        throw new AppAlreadyExistsException("App '" + name + "' already exists on " + ctx.serverName()
            + "; nothing was changed. Use server.app(\"" + name + "\") to work with it, or delete it first.");
      }
      List<AppManifest> others = AppStore.listManifests(server);
      for (AppManifest other : others) {
        for (String domain : settings.domains()) {
          if (other.domains().contains(domain)) {
            throw new InvalidInputException("Domain " + domain + " is already routed to app '" + other.name()
                + "' on this server; nothing was changed.");
          }
        }
      }
      int port = FIRST_PORT;
      while (true) {
        int candidate = port;
        if (others.stream().noneMatch(m -> m.port() == candidate)) {
          break;
        }
        port += 10;
      }
      AppManifest manifest = AppManifest.of(name, port, settings);
      Secret dbPassword = Secret.of(randomToken(32));
      ctx.redactor().register(dbPassword);
      // A database kept by an earlier delete(false) is reused, and never dropped by this create's clean-up.
      boolean keptDatabase = server.run(RemoteCommand.of("Checking for a kept database",
          AppScripts.databaseExists(name))).ok();
      try {
        server.require(RemoteCommand.of("Creating the app's directories", AppScripts.createLayout(name, settings)));
        store.writeManifest(manifest);
        store.writeGeneratedEnv(generatedEnv(manifest, dbPassword));
        store.writeUserEnv(Map.of());
        server.require(RemoteCommand.of("Creating the app's database", AppScripts.createDatabase(name))
            .stdin((dbPassword.reveal() + "\n").getBytes(StandardCharsets.UTF_8)));
        ctx.proxy().applyRoute(new AppRoute(name, manifest.domains(), port, manifest.https()), server);
      } catch (RuntimeException e) {
        log.warn("[{}] creating app {} failed; removing what was created: {}", ctx.serverName(), name, e.toString());
        server.run(RemoteCommand.of("Removing the half-created app", AppScripts.delete(name, !keptDatabase)));
        throw e instanceof PotionsException pe ? pe
            : new PotionsException("Creating app " + name + " failed: " + e.getMessage(), e);
      }
      log.info("[{}] created app {} on port {} for {}", ctx.serverName(), name, port, manifest.domains());
      return this;
    }
  }

  private Map<String, String> generatedEnv(AppManifest manifest, Secret dbPassword) {
    String db = "app_" + name.replace('-', '_');
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DATABASE_URL", "postgres://" + db + ":" + dbPassword.reveal() + "@127.0.0.1:5432/" + db);
    String secretKeyBase = randomToken(64);
    String cookie = HexFormat.of().formatHex(randomBytes(32));
    ctx.redactor().register(secretKeyBase);
    ctx.redactor().register(cookie);
    env.put("SECRET_KEY_BASE", secretKeyBase);
    env.put("RELEASE_COOKIE", cookie);
    env.put("PHX_HOST", manifest.domains().get(0));
    env.put("PHX_SERVER", "true");
    env.put("POOL_SIZE", Integer.toString(manifest.poolSize()));
    env.put("STORAGE_DIR", io.potions.internal.provision.ServerLayout.storageDir(name));
    return env;
  }

  /**
   * Changes the app's domains (its route in the proxy; PHX_HOST follows on the next deploy).
   *
   * @param domains the new domains
   */
  public void setDomains(List<String> domains) {
    AppSettings.builder().from(manifest().settings()).domains(domains).build();  // refuse bad input unlocked
    try (DeployLock lock = lock("set domains of")) {
      AppManifest current = manifest();
      AppSettings settings = AppSettings.builder().from(current.settings()).domains(domains).build();
      AppManifest updated = AppManifest.of(name, current.port(), settings);
      ctx.proxy().applyRoute(new AppRoute(name, updated.domains(), updated.port(), updated.https()), ctx.executor());
      store().writeManifest(updated);
    }
  }

  /**
   * Deletes the app: its slots' units, its route, its env files, releases and storage.
   *
   * @param dropDatabase whether to drop its database and role too (an explicit choice: data is lost)
   */
  public void delete(boolean dropDatabase) {
    RemoteExecutor server = ctx.executor();
    try (DeployLock lock = lock("delete")) {
      manifest();
      ctx.proxy().removeRoute(name, server);
      server.require(RemoteCommand.of("Deleting app " + name, AppScripts.delete(name, dropDatabase)));
      log.info("[{}] deleted app {}{}", ctx.serverName(), name, dropDatabase ? " and its database" : "");
    }
  }

  /** @return the app's user environment variables, for reading and changing */
  public Environment env() {
    return new Environment();
  }

  /**
   * The user's environment variables of the app, in a 0600 file on the server. Changes take effect
   * on the next deploy, or at once with {@link App#restart()} (zero downtime).
   */
  public final class Environment {
    private Environment() {}

    /** @return the variables, values hidden until revealed */
    public AppEnv list() {
      Map<String, String> vars = read();
      vars.values().forEach(ctx.redactor()::register);
      return new AppEnv(vars);
    }

    /**
     * @param key the name (reserved names such as STORAGE_DIR are refused)
     * @param value the value (never logged)
     * @return this
     */
    public Environment set(String key, String value) {
      EnvFile.requireUserKey(key);
      Names.envValue(key, value);
      ctx.redactor().register(value);
      change(vars -> vars.put(key, value));
      return this;
    }

    /**
     * @param values several variables at once
     * @return this
     */
    public Environment setAll(Map<String, String> values) {
      values.forEach((k, v) -> {
        EnvFile.requireUserKey(k);
        Names.envValue(k, v);
        ctx.redactor().register(v);
      });
      change(vars -> vars.putAll(values));
      return this;
    }

    /**
     * @param key the name to remove (no error when absent)
     * @return this
     */
    public Environment unset(String key) {
      Names.envKey(key);
      change(vars -> vars.remove(key));
      return this;
    }

    private Map<String, String> read() {
      manifest();
      return new LinkedHashMap<>(store().userEnv());
    }

    /** Read, change, write back under the deploy lock, so two writers never lose each other's change. */
    private void change(java.util.function.Consumer<Map<String, String>> edit) {
      manifest();
      try (DeployLock lock = lock("change the environment of")) {
        Map<String, String> vars = read();
        Map<String, String> before = new LinkedHashMap<>(vars);
        edit.accept(vars);
        if (!vars.equals(before)) {
          EnvFile.requireUserVariablesFit(vars);
          store().writeUserEnv(vars);
        }
      }
    }

    @Override
    public String toString() {
      return "Environment[" + name + "]";
    }
  }

  /**
   * Deploys a branch, tag or commit: build on the server, start in the standby slot, health-check,
   * switch. Waits in the server's queue behind other deploys.
   *
   * @param ref branch, tag or SHA
   * @return the succeeded deployment
   * @throws DeployFailedException when it failed (the live app is untouched)
   * @throws io.potions.source.UnknownRefException when the ref names nothing (nothing is queued)
   */
  public Deployment deploy(String ref) {
    return join(deployAsync(ref));
  }

  /**
   * @param ref branch, tag or SHA
   * @return the deployment's future; cancel it to give up while it waits in the queue
   */
  public DeploymentFuture deployAsync(String ref) {
    if (source == null) {
      throw new InvalidInputException("App " + name + " has no source to deploy from: use"
          + " server.app(\"" + name + "\").withSource(GitRepositorySource.local(path)) (or a GitHub source).");
    }
    SourceCommit commit = source.resolve(ref);
    // The disk guard runs on the queue's thread, not the caller's (a webhook handler or a web page
    // must not wait on SSH), and a refusal is reported to the source host like any failed deploy.
    return enqueue(Deployment.Kind.DEPLOY, commit.ref(), commit.sha(),
        engine -> engine.deploy(source, commit, this::requireDiskSpace));
  }

  /**
   * Deploys a commit that was already resolved (for auto-deploy, where the push names the commit).
   *
   * @param commit the commit
   * @return the deployment's future
   */
  public DeploymentFuture deployAsync(SourceCommit commit) {
    if (source == null) {
      throw new InvalidInputException("App " + name + " has no source to deploy from.");
    }
    // The disk guard runs on the queue's thread, not the caller's (a webhook handler or a web page
    // must not wait on SSH), and a refusal is reported to the source host like any failed deploy.
    return enqueue(Deployment.Kind.DEPLOY, commit.ref(), commit.sha(),
        engine -> engine.deploy(source, commit, this::requireDiskSpace));
  }

  /**
   * Returns to the release before the live one, without building, with the same zero-downtime switch.
   * When the previous release is still running warm ({@link #keepWarmStandby(Duration)}), this is a
   * route flip with no restart. To go back further, deploy an earlier commit by its SHA (full or
   * short): {@code app.deploy("3f2a9c1")}.
   *
   * @return the deployment
   */
  public Deployment rollback() {
    return join(rollbackAsync());
  }

  /**
   * Like {@link #rollback()}, without blocking: queued like a deploy, and cancellable until it switches.
   *
   * @return the rollback under way
   */
  public DeploymentFuture rollbackAsync() {
    return enqueue(Deployment.Kind.ROLLBACK, null, null, DeployEngine::rollback);
  }

  /**
   * Keeps the previous release running warm in the standby slot for {@code window} after each
   * deploy, so that {@link #rollback()} within the window is a route flip (well under a second, no
   * start, no health check) instead of a restart. The cost is memory: the app runs twice during the
   * window. After it, a systemd timer on the server stops the warm slot (unless traffic went back to
   * it); the next deploy reuses the slot either way. {@link Duration#ZERO} turns it off. Takes
   * effect from the next deploy.
   *
   * @param window how long to keep the previous release warm (0 to 7 days)
   * @throws InvalidInputException when negative or over 7 days (nothing is changed)
   */
  public void keepWarmStandby(Duration window) {
    if (window == null || window.isNegative() || window.compareTo(WarmStandby.MAX_WINDOW) > 0) {
      throw new InvalidInputException("The warm standby window must be between 0 and 7 days, not " + window
          + "; nothing was changed.");
    }
    try (DeployLock lock = lock("set the warm standby of")) {
      manifest();
      if (window.isZero()) {
        ctx.executor().require(RemoteCommand.of("Turning the warm standby off",
            "rm -f " + io.potions.internal.shell.Shell.quote(WarmStandby.settingFile(name))));
      } else {
        ctx.executor().upload((Math.max(1, window.toSeconds()) + "\n").getBytes(StandardCharsets.UTF_8),
            WarmStandby.settingFile(name), 0644);
      }
    }
  }

  /**
   * Starts the live release again in the standby slot and switches to it: picks up env changes
   * with zero downtime.
   *
   * @return the deployment
   */
  public Deployment restart() {
    return join(restartAsync());
  }

  /**
   * Like {@link #restart()}, without blocking.
   *
   * @return the restart under way
   */
  public DeploymentFuture restartAsync() {
    return enqueue(Deployment.Kind.RESTART, null, null, DeployEngine::restart);
  }

  /**
   * Like {@link #create(AppSettings)}, on a thread of the SDK.
   *
   * @param settings domains, health check, migration...
   * @return completes with this app once created
   */
  public CompletableFuture<App> createAsync(AppSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return io.potions.internal.engine.Async.supply(() -> create(settings));
  }

  /**
   * Like {@link #delete(boolean)}, on a thread of the SDK.
   *
   * @param dropDatabase whether to drop its database and role too
   * @return completes once deleted
   */
  public CompletableFuture<Void> deleteAsync(boolean dropDatabase) {
    return io.potions.internal.engine.Async.supply(() -> {
      delete(dropDatabase);
      return null;
    });
  }

  /**
   * Queues an operation. Its id is fixed now, so the queued stage, the events and the record share it.
   */
  /**
   * Refuses a deploy when its turn comes, before anything is built or changed, when the build area
   * or the app's directory would keep less than {@link DiskGuard#DEFAULT_MARGIN_BYTES} free after a release the size of the last one.
   */
  private void requireDiskSpace() {
    AppManifest manifest = manifest();
    long estimate = store().liveState(manifest).releases().stream().mapToLong(ReleaseRecord::bytes)
        .filter(b -> b > 0).findFirst().orElse(DiskGuard.FIRST_RELEASE_ESTIMATE_BYTES);
    DiskGuard.require(ctx.executor(), "deploy of " + name,
        List.of(io.potions.internal.provision.ServerLayout.BUILDS + "/" + name, AppScripts.dir(name)),
        estimate, DiskGuard.DEFAULT_MARGIN_BYTES);
  }

  private DeploymentFuture enqueue(Deployment.Kind kind, String ref, String sha,
      java.util.function.Function<DeployEngine, Deployment> work) {
    Operation op = new Operation(ctx, name, kind, ref, sha);
    DeploymentFuture future = new DeploymentFuture(op);
    ctx.queue().submit(future, () -> {
      if (!op.start()) {
        throw new java.util.concurrent.CancellationException("cancelled while queued");
      }
      try {
        Deployment done = work.apply(new DeployEngine(ctx, name, op));
        op.settled.complete(done);
        return done;
      } catch (DeployFailedException e) {
        op.settled.complete(e.deployment());
        throw e;
      } catch (RuntimeException | Error e) {
        op.settled.completeExceptionally(e);
        throw e;
      } finally {
        op.ended();
      }
    }, op::queued, op::queued);
    return future;
  }

  private static Deployment join(CompletableFuture<Deployment> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new PotionsException("Interrupted while waiting for the deploy; it was cancelled if it had not started.");
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new PotionsException("Deploy failed: " + cause, cause);
    }
  }

  /**
   * @return the app's backups: create, list, download, restore, verify, import
   */
  public io.potions.app.backup.Backups backups() {
    return new io.potions.app.backup.Backups(ctx, name, new io.potions.app.backup.Backups.AppHooks() {
      @Override
      public java.util.Optional<String> liveRelease() {
        AppStore store = store();
        return store.liveState(store.manifest()).liveRelease();
      }

      @Override
      public Deployment activate(String releaseId) {
        // Queued like any deploy: a restore's switch never overlaps another deploy of the server.
        return join(enqueue(Deployment.Kind.ROLLBACK, null, null, engine -> engine.activate(releaseId)));
      }

      @Override
      public Deployment restart() {
        return App.this.restart();
      }
    });
  }

  /** @return what is live now, and whether it is healthy */
  public AppStatus status() {
    AppStore store = store();
    AppManifest manifest = store.manifest();
    RemoteExecutor server = ctx.executor();
    AppStore.LiveState state = store.liveState(manifest);
    boolean running = false;
    boolean healthy = false;
    if (state.liveSlot().isPresent()) {
      Slot slot = state.liveSlot().get();
      running = server.run(RemoteCommand.of("Checking the live slot",
          AppScripts.helper("unit", "is-active", name, slot.id()))).ok();
      HealthCheck check = HealthCheck.builder().from(manifest.settings().healthCheck())
          .deadline(Duration.ofSeconds(5)).interval(Duration.ofMillis(500)).settle(Duration.ZERO).build();
      healthy = running && server.run(RemoteCommand.of("Health-checking the live slot", AppScripts.healthCheck(
          name, slot, manifest.slotPort(slot), check, check.host().orElse(manifest.domains().get(0))))).ok();
    }
    String commit = state.liveRecord().map(ReleaseRecord::commit).orElse(null);
    return new AppStatus(name, state.liveSlot(), state.liveRelease(), java.util.Optional.ofNullable(commit),
        running, healthy, manifest.domains());
  }

  /** @return past deployments, oldest first, as kept on the server */
  public List<Deployment> deployments() {
    return store().deployments();
  }

  /**
   * @param lines how many of the last lines
   * @return the app's log (both slots, from journald)
   */
  public List<String> logs(int lines) {
    if (lines < 1 || lines > 100_000) {
      throw new InvalidInputException("lines must be between 1 and 100000.");
    }
    return new ArrayList<>(ctx.executor().run(RemoteCommand.of("Reading the app's log",
        AppScripts.logs(name, null, lines))).stdout());
  }

  /**
   * Follows the app's log as it is written.
   *
   * @param listener receives each line
   * @return close it to stop following
   */
  public io.potions.spi.RemoteProcess followLogs(OutputListener listener) {
    return ctx.executor().hold(RemoteCommand.of("Following the app's log",
        AppScripts.helper("logs", name, "all", "20", "follow")).limit(Duration.ofDays(7)), listener);
  }

  /**
   * Evaluates an Elixir expression in the app's running release ({@code bin/<release> rpc}), as
   * the app's own user with its environment, and returns what it printed. The expression reaches
   * the server on standard input and the release as one argument: no shell parses it.
   *
   * <pre>{@code String out = shop.eval("IO.puts(Shop.Repo.aggregate(Shop.Order, :count))");}</pre>
   *
   * @param expression Elixir code; print what you want back ({@code IO.puts}, {@code IO.inspect})
   * @return its standard output (secrets the SDK knows are redacted)
   * @throws InvalidInputException when the expression is empty or over 64 KiB
   * @throws AppNotRunningException when nothing is deployed or the live slot is not running
   * @throws EvalFailedException when the expression raised (the message holds its error)
   */
  public String eval(String expression) {
    byte[] bytes = Objects.requireNonNull(expression, "expression").getBytes(StandardCharsets.UTF_8);
    if (expression.isBlank()) {
      throw new InvalidInputException("The expression to evaluate is empty.");
    }
    if (bytes.length > LiveNode.MAX_EXPRESSION_BYTES) {
      throw new InvalidInputException("The expression is " + bytes.length + " bytes; the limit is "
          + LiveNode.MAX_EXPRESSION_BYTES + ". Put longer code in a module of the app and call it.");
    }
    Slot slot = liveSlot();
    var result = ctx.executor().run(RemoteCommand.of("Evaluating an expression in " + name,
        LiveNode.rpc(name, slot)).stdin(bytes).limit(Duration.ofMinutes(10)));
    if (result.ok()) {
      return String.join("\n", result.stdout());
    }
    String output = ctx.redactor().redact(result.tail(40));
    if (output.contains("is not running in slot")) {
      throw new AppNotRunningException("App " + name + " is not running (its live " + slot.id()
          + " slot is stopped); nothing was evaluated. Check app.status() and app.logs(100), then restart or deploy.");
    }
    throw new EvalFailedException("The expression failed in app " + name + " (exit " + result.exitStatus()
        + "):\n" + output, output);
  }

  /**
   * Attaches an interactive remote IEx shell ({@code bin/<release> remote}) to the running release,
   * over SSH with a pseudo-terminal, as the app's own user. Keystrokes are read from {@code in} and
   * the terminal's output written to {@code out}; when {@code in} ends the console is closed, and
   * the app keeps running.
   *
   * <pre>{@code try (Console c = shop.console(System.in, System.out)) { c.waitFor(Duration.ofHours(8)); }}</pre>
   *
   * @param in keystrokes (a terminal in raw mode gives the best experience)
   * @param out receives the shell's output
   * @return the attached console
   * @throws AppNotRunningException when nothing is deployed
   */
  public Console console(java.io.InputStream in, java.io.OutputStream out) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Slot slot = liveSlot();
    if (!ctx.executor().run(RemoteCommand.of("Checking the live slot",
        AppScripts.helper("unit", "is-active", name, slot.id()))).ok()) {
      throw new AppNotRunningException("App " + name + " is not running (its live " + slot.id()
          + " slot is stopped); no console was opened. Check app.status() and app.logs(100).");
    }
    return new Console(ctx.executor().terminal(RemoteCommand.of("Console into " + name,
        LiveNode.remote(name, slot)).limit(Duration.ofDays(1)), in, out), name + " " + slot.id());
  }

  /**
   * Turns maintenance mode on or off. While on, the proxy answers every request for the app's
   * domains with status 503, a page showing {@code message} and {@code Retry-After: 300}; the app
   * keeps running behind it (eval, console, deploys and migrations work as usual), and deploys and
   * restarts keep the mode. Off brings traffic back to the app. Each change is one proxy config
   * change: requests in flight finish, none fails.
   *
   * @param on true to start maintenance, false to end it
   * @param message what visitors read (plain text; required when turning it on, ignored when off)
   * @throws InvalidInputException when the message is empty or too long (nothing is changed)
   */
  public void maintenance(boolean on, String message) {
    maintenance(on, message, Maintenance.DEFAULT_RETRY_AFTER);
  }

  /**
   * As {@link #maintenance(boolean, String)}, with the {@code Retry-After} value chosen.
   *
   * @param on true to start maintenance, false to end it
   * @param message what visitors read (required when turning it on)
   * @param retryAfter when clients should try again (1 s to 1 day)
   */
  public void maintenance(boolean on, String message, Duration retryAfter) {
    String checked = on ? Maintenance.checkMessage(message) : null;
    int seconds = Maintenance.checkRetryAfter(retryAfter);
    try (DeployLock lock = lock(on ? "start maintenance of" : "end maintenance of")) {
      AppManifest manifest = manifest();
      AppRoute route = new AppRoute(name, manifest.domains(), manifest.port(), manifest.https());
      RemoteExecutor server = ctx.executor();
      if (on) {
        ctx.proxy().applyMaintenance(route, java.util.Optional.of(Maintenance.page(name, checked, seconds)), server);
        server.upload((checked + "\n").getBytes(StandardCharsets.UTF_8), Maintenance.stateFile(name), 0644);
      } else {
        // The record goes first: if the proxy change then fails, a retry still finds work to do.
        server.require(RemoteCommand.of("Clearing the maintenance record",
            "rm -f " + io.potions.internal.shell.Shell.quote(Maintenance.stateFile(name))));
        ctx.proxy().applyMaintenance(route, java.util.Optional.empty(), server);
      }
      log.info("[{}] app {} maintenance {}", ctx.serverName(), name, on ? "on" : "off");
    }
  }

  /** @return the maintenance message while the app is in maintenance, empty otherwise */
  public java.util.Optional<String> maintenance() {
    manifest();
    return ctx.executor().read(List.of(Maintenance.stateFile(name))).get(0).map(String::strip)
        .filter(m -> !m.isEmpty());
  }

  private Slot liveSlot() {
    AppManifest manifest = manifest();
    return store().liveState(manifest).liveSlot().orElseThrow(() -> new AppNotRunningException(
        "App " + name + " has nothing deployed yet; deploy it first (app.deploy(\"main\"))."));
  }

  /**
   * @param ctx the server
   * @return every app's manifest on the server
   */
  public static List<AppManifest> list(ServerContext ctx) {
    return AppStore.listManifests(ctx.executor());
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String randomToken(int bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
  }

  @Override
  public String toString() {
    return "App[" + name + " on " + ctx.serverName() + (source == null ? "" : ", from " + source.describe()) + "]";
  }
}
