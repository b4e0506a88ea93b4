package io.potions.examples;

import io.potions.Potions;
import io.potions.PotionsException;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.AppStatus;
import io.potions.app.DeployFailedException;
import io.potions.app.Deployment;
import io.potions.cloud.CloudServer;
import io.potions.provision.ProvisionReport;
import io.potions.provision.ServerFacts;
import io.potions.source.GitRepositorySource;
import io.potions.spi.SourceHost;
import io.potions.ssh.KnownHosts;
import io.potions.testkit.DockerUnavailableException;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerImages;
import io.potions.testkit.ThrowawayServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The quick start: on the local cloud (or DigitalOcean, when {@code DIGITALOCEAN_TOKEN} is set) it
 * provisions a server, creates the sample app, deploys it and shows it answering through Caddy,
 * deploys a change while requests keep coming (and counts them), rolls back, and says what it did.
 * Running it again reuses the server, the app and the repository. {@code cleanup} removes them.
 *
 * <p>Run it with {@code ./potions} from the repository's root, which builds the SDK and starts this
 * class; {@code ./potions help} lists the options.
 */
public final class QuickStart {
  /** The app the quick start creates. */
  public static final String APP = "sample";

  private static final int STEPS = 5;

  private QuickStart() {}

  /**
   * Runs a command and exits with its status.
   *
   * @param args {@code [quickstart|cleanup|help] [options]}
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.getenv()));
  }

  /**
   * Runs a command.
   *
   * @param args {@code [quickstart|cleanup|help] [options]}
   * @param out where to print
   * @param env the environment (decides the cloud: see {@link Clouds#fromEnvironment(Map)})
   * @return the exit status: 0 when it worked, 1 when it failed, 2 for a usage error
   */
  public static int run(String[] args, PrintStream out, Map<String, String> env) {
    Options options;
    try {
      options = Options.parse(args, ExampleConfig.fromSystemProperties());
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println();
      out.println(usage());
      return 2;
    }
    switch (options.command()) {
      case "help":
        out.println(usage());
        return 0;
      case "cleanup":
        return cleanup(options.config(), out, env);
      default:
        return quickstart(options.config(), out, env);
    }
  }

  /**
   * The command line: a command and the examples' configuration.
   *
   * @param command {@code quickstart}, {@code cleanup} or {@code help}
   * @param config the configuration, defaults overridden by options
   */
  public record Options(String command, ExampleConfig config) {
    /**
     * @param args the arguments
     * @param defaults the configuration before options
     * @return the parsed command line
     * @throws IllegalArgumentException for an unknown command or option, or a missing value
     */
    public static Options parse(String[] args, ExampleConfig defaults) {
      String command = null;
      Path home = defaults.home();
      Path workDir = null;
      String server = defaults.server();
      Path sampleApp = defaults.sampleApp();
      boolean verbose = defaults.verbose();
      boolean workDirDefault = defaults.workDir().equals(defaults.home().resolve("examples"));
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "-v", "--verbose" -> verbose = true;
          case "-h", "--help" -> command = "help";
          case "--server" -> server = value(args, ++i, a);
          case "--home" -> home = Path.of(value(args, ++i, a));
          case "--work-dir" -> workDir = Path.of(value(args, ++i, a));
          case "--sample-app" -> sampleApp = Path.of(value(args, ++i, a));
          default -> {
            if (a.startsWith("-")) {
              throw new IllegalArgumentException("Unknown option " + a + ".");
            }
            if (command != null && !command.equals("help")) {
              throw new IllegalArgumentException("One command at a time (got " + command + " and " + a + ").");
            }
            if (!List.of("quickstart", "cleanup", "help").contains(a)) {
              throw new IllegalArgumentException("Unknown command '" + a + "'.");
            }
            command = command == null ? a : command;
          }
        }
      }
      if (workDir == null) {
        workDir = workDirDefault ? home.resolve("examples") : defaults.workDir();
      }
      return new Options(command == null ? "quickstart" : command,
          new ExampleConfig(home, server, workDir, sampleApp, verbose));
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length || args[i].startsWith("-")) {
        throw new IllegalArgumentException(option + " needs a value.");
      }
      return args[i];
    }
  }

  /** @return the usage text */
  public static String usage() {
    return String.join("\n",
        "Usage: ./potions [quickstart|cleanup|help] [options]",
        "  quickstart          provision a server, create the sample app, deploy it, deploy a change",
        "                      with zero downtime, then roll back (the default command)",
        "  cleanup             remove what the quick start and the examples created: the server and",
        "                      the examples' git repositories",
        "  (./potions also has: jshell, to run src/main/jshell/deploy.jsh; example fluent|directory,",
        "  to run FluentApiExample or DirectorySourceExample; classpath, to print the class path)",
        "Options:",
        "  -v, --verbose       print every step's output, the build log included",
        "  --server NAME       the server's name (default " + ExampleConfig.DEFAULT_SERVER + ")",
        "  --home DIR          the SDK's home: its SSH key, the pinned host keys (default ~/.potions)",
        "  --work-dir DIR      where the examples' git repositories go (default <home>/examples)",
        "  --sample-app DIR    the sample app's sources (default potions-examples/sample-app)",
        "Environment:",
        "  DIGITALOCEAN_TOKEN  run on DigitalOcean instead of the local cloud (creates a billed droplet)",
        "  POTIONS_DOMAIN      on DigitalOcean: a domain whose DNS points at the droplet, served over HTTPS");
  }

  private static int quickstart(ExampleConfig c, PrintStream out, Map<String, String> env) {
    long started = System.nanoTime();
    Clouds.Choice cloud = Clouds.fromEnvironment(env);
    out.println("Potions quick start on " + cloud.description() + ".");
    out.println("  SDK home: " + c.home() + " (its SSH key and the servers' pinned host keys)");
    out.println("  Work dir: " + c.workDir() + " (the sample app's git repository)");
    if (Clouds.gitHubConfigured(env) && Clouds.gitHubSource(env).isEmpty()) {
      out.println("  Note: GitHub credentials are set, but the quick start cannot deploy from GitHub yet;"
          + " it deploys the local sample repository.");
    }
    ConsoleProgress progress = new ConsoleProgress(out, c.verbose());
    List<String> did = new ArrayList<>();
    String url = null;
    Endpoint endpoint = null;
    String domain = null;
    try (Potions potions = Potions.builder().cloud(cloud.provider()).home(c.home()).progress(progress).build()) {
      heading(out, 1, "Server \"" + c.server() + "\" on " + (cloud.local() ? "the local cloud" : "DigitalOcean"));
      if (cloud.local()) {
        ThrowawayServer.requireDocker();
      }
      boolean reused = findUsableServer(cloud, c, progress);
      if (!reused && cloud.local()) {
        progress.note("Preparing the local server image (built and cached by the first run: a few minutes) ...");
        long t = System.nanoTime();
        String image = ServerImages.provisionedImage();
        progress.note("Server image " + image + " ready (" + ConsoleProgress.duration(since(t)) + ")");
      }
      progress.resetCounts();
      long t = System.nanoTime();
      Server server = (cloud.local() ? potions.server(c.server()).region("local").size("container")
          : potions.server(c.server())).provision();
      ProvisionReport report = server.lastProvision().orElseThrow();
      progress.note("Ready in " + ConsoleProgress.duration(since(t)) + ": " + report.changedSteps().size()
          + " step(s) changed, " + (report.steps().size() - report.changedSteps().size())
          + " already in place (provisioning is idempotent).");
      progress.note(describe(server.facts()));
      did.add((reused ? "reused server " : "created and provisioned server ") + c.server() + " on "
          + (cloud.local() ? "the local cloud" : "DigitalOcean"));
      CloudServer described = potions.cloudServers().stream().filter(s -> s.name().equals(c.server())).findFirst()
          .orElseThrow(() -> new PotionsException("Server " + c.server() + " vanished from the cloud."));
      endpoint = Endpoint.of(described, cloud.local());

      heading(out, 2, "App \"" + APP + "\"");
      boolean https = !cloud.local() && notBlank(env.get("POTIONS_DOMAIN"));
      domain = cloud.local() ? APP + ".localhost"
          : https ? env.get("POTIONS_DOMAIN").trim() : APP + "." + endpoint.address() + ".nip.io";
      url = (https ? "https://" : "http://") + domain + (endpoint.port() == (https ? 443 : 80) ? "" : ":" + endpoint.port()) + "/";
      try (SampleRepository repo = SampleRepository.openOrCreate(c.work(APP), c.sampleApp())) {
        SourceHost source = Clouds.gitHubSource(env).orElse(GitRepositorySource.local(repo.dir()));
        App app = server.app(APP).withSource(source);
        t = System.nanoTime();
        if (app.exists()) {
          AppStatus status = app.status();
          progress.note("App " + APP + " already exists: reusing it (live: "
              + status.liveCommit().map(sha -> "commit " + sha.substring(0, 7)).orElse("nothing yet")
              + status.liveSlot().map(s -> " in the " + s.id() + " slot").orElse("") + ")");
          did.add("reused app " + APP);
        } else {
          app.create(AppSettings.builder().addDomains(domain).https(https)
              .migrationCommand("PotionsSample.Release.migrate()").build());
          progress.note("Created app " + APP + " in " + ConsoleProgress.duration(since(t)) + ": its PostgreSQL"
              + " database, generated env (0600), storage, and a Caddy route for " + domain
              + (https ? " (HTTPS)" : " (plain HTTP)"));
          did.add("created app " + APP + " (database app_" + APP + ", env, storage, Caddy route for " + domain + ")");
        }

        heading(out, 3, "Deploy the sample app, version " + repo.version() + " (commit "
            + repo.head().substring(0, 7) + "): build on the server, start in the standby slot, health-check, switch");
        Deployment first = app.deploy(SampleRepository.BRANCH);
        progress.note(deployed(first));
        showAnswer(progress, endpoint, domain, url);
        did.add("deployed " + repo.version() + " to the " + first.slot() + " slot in "
            + ConsoleProgress.duration(first.duration()));

        String before = repo.version();
        String after = repo.bumpVersion();
        heading(out, 4, "Deploy a change with zero downtime: VERSION " + before + " -> " + after
            + " (commit " + repo.head().substring(0, 7) + "), while requests keep coming");
        Deployment second;
        TrafficWatch watch = new TrafficWatch(endpoint.address(), endpoint.port(), domain, "/version");
        try {
          pause(Duration.ofMillis(500));
          second = app.deploy(SampleRepository.BRANCH);
          pause(Duration.ofSeconds(1));
        } finally {
          watch.close();
        }
        progress.note(deployed(second));
        progress.note("Requests during the deploy: " + watch.summary());
        for (String failure : watch.failures().stream().limit(5).toList()) {
          progress.note("  failed: " + failure);
        }
        showAnswer(progress, endpoint, domain, url);
        did.add("deployed " + after + " to the " + second.slot() + " slot (sent " + ConsoleProgress.size(second.bytesSent())
            + " of source: only what changed) while " + watch.requests() + " requests came in, "
            + watch.failures().size() + " failed");

        heading(out, 5, "Roll back to the previous release (no build; the same switch)");
        Deployment back = app.rollback();
        progress.note("Rolled back in " + ConsoleProgress.duration(back.duration()) + " to commit "
            + back.commit().substring(0, 7) + " in the " + back.slot() + " slot");
        showAnswer(progress, endpoint, domain, url);
        did.add("rolled back to " + before + " in " + ConsoleProgress.duration(back.duration()));
      }
    } catch (DockerUnavailableException e) {
      out.println();
      out.println("Cannot start: " + e.getMessage());
      out.println("The local cloud runs servers as Docker containers. Install Docker and start it:");
      out.println("  Debian/Ubuntu, as root:  bash scripts/test-prerequisites.sh   (installs docker.io and debootstrap, starts dockerd)");
      out.println("  elsewhere:               install Docker Engine or Docker Desktop, start it, and make sure");
      out.println("                           'docker info' works for this user");
      out.println("Or set DIGITALOCEAN_TOKEN to run on DigitalOcean instead.");
      return 1;
    } catch (DeployFailedException e) {
      out.println();
      out.println("The deploy failed (" + e.reason() + "); the live app was not touched.");
      out.println(e.getMessage());
      Deployment d = e.deployment();
      if (d != null && d.log() != null && !d.log().isEmpty()) {
        out.println("Last lines of its log:");
        d.log().stream().skip(Math.max(0, d.log().size() - 30)).forEach(l -> out.println("  | " + l));
      }
      out.println("Run ./potions quickstart --verbose to see the whole build log; docs/troubleshooting.md lists every error.");
      return 1;
    } catch (PotionsException | UncheckedIOException e) {
      out.println();
      out.println("The quick start failed: " + e.getMessage());
      out.println("See docs/troubleshooting.md. Run ./potions cleanup to start over from a new server.");
      return 1;
    }
    out.println();
    out.println("Done in " + ConsoleProgress.duration(since(started)) + ". What happened:");
    did.forEach(line -> out.println("  - " + line));
    out.println();
    out.println("Try next:");
    out.println("  curl " + url + (endpoint.address().equals("127.0.0.1") ? "" : "   (or: curl -H 'Host: " + domain
        + "' http://" + endpoint.address() + ":" + endpoint.port() + "/)"));
    if (endpoint.address().equals("127.0.0.1")) {
      out.println("  curl -H 'Host: " + domain + "' http://127.0.0.1:" + endpoint.port()
          + "/     (if your curl does not resolve *.localhost)");
    }
    out.println("  ./potions quickstart --verbose    run it again with the build log: it reuses the server and the app");
    out.println("  ./potions jshell                  the same SDK from JShell (potions-examples/src/main/jshell/deploy.jsh)");
    out.println("  ./potions example fluent          the fluent API in a plain Java program (FluentApiExample.java)");
    out.println("  docs/getting-started.md           what just happened, and how to use the SDK in your own program");
    out.println("Clean up: ./potions cleanup         removes the server " + c.server() + " and " + c.workDir());
    return 0;
  }

  /**
   * Checks for a server of that name left by an earlier run: reuses it when it runs and this home
   * pinned its host key; on the local cloud a stopped or unpinned one is replaced.
   */
  private static boolean findUsableServer(Clouds.Choice cloud, ExampleConfig c, ConsoleProgress progress) {
    Optional<CloudServer> found = cloud.provider().find(c.server());
    if (found.isEmpty()) {
      return false;
    }
    CloudServer s = found.get();
    boolean active = "active".equals(s.status());
    boolean pinned = s.publicIpv4() != null && s.sshPort() > 0
        && new KnownHosts(c.home().resolve("known_hosts")).policyFor(s.publicIpv4(), s.sshPort()).isPresent();
    if (active && pinned) {
      progress.note("Found server " + c.server() + " from an earlier run (" + s.id() + ", SSH on "
          + s.publicIpv4() + ":" + s.sshPort() + "): reusing it");
      return true;
    }
    String why = !active ? "it is " + s.status() : "this SDK home (" + c.home() + ") has no pinned host key for it";
    if (!cloud.local()) {
      throw new PotionsException("Server " + c.server() + " exists on DigitalOcean but " + why
          + ". Use the SDK home that created it (--home), or run ./potions cleanup to delete it.");
    }
    progress.note("Server " + c.server() + " exists but " + why + ": replacing it with a new one");
    cloud.provider().destroy(s);
    return false;
  }

  private static int cleanup(ExampleConfig c, PrintStream out, Map<String, String> env) {
    Clouds.Choice cloud = Clouds.fromEnvironment(env);
    out.println("Potions cleanup on " + cloud.description() + ".");
    int status = 0;
    try (Potions potions = Potions.builder().cloud(cloud.provider()).home(c.home()).build()) {
      if (cloud.local()) {
        ThrowawayServer.requireDocker();
      }
      out.println(potions.destroy(c.server()) ? "  removed server " + c.server()
          : "  no server " + c.server() + " (nothing to remove)");
    } catch (DockerUnavailableException e) {
      out.println("  no Docker engine answers, so there is no local server to remove");
    } catch (PotionsException e) {
      out.println("  could not remove server " + c.server() + ": " + e.getMessage());
      status = 1;
    }
    if (Files.exists(c.workDir())) {
      deleteTree(c.workDir());
      out.println("  removed " + c.workDir() + " (the examples' git repositories)");
    } else {
      out.println("  no " + c.workDir() + " (nothing to remove)");
    }
    out.println("  kept " + c.home().resolve("id_ed25519") + " (the SDK's SSH key; delete " + c.home()
        + " to forget it too)");
    if (cloud.local()) {
      out.println("  kept the cached server images; remove them with:"
          + " docker rmi $(docker images -q 'potions-testkit/*')");
    }
    return status;
  }

  private static void showAnswer(ConsoleProgress progress, Endpoint endpoint, String domain, String url) {
    try {
      HttpProbe.Response answer = HttpProbe.get(endpoint.address(), endpoint.port(), domain, "/");
      progress.note("Through Caddy: GET " + url + " -> " + answer.status() + " " + answer.body().strip());
    } catch (IOException e) {
      throw new PotionsException("The app did not answer through Caddy at " + endpoint.address() + ":"
          + endpoint.port() + " (Host: " + domain + "): " + e.getMessage(), e);
    }
  }

  private static String deployed(Deployment d) {
    StringBuilder s = new StringBuilder("Deployed in " + ConsoleProgress.duration(d.duration()) + " to the "
        + d.slot() + " slot: sent " + ConsoleProgress.size(d.bytesSent()) + " of source");
    if (d.releaseBytes() > 0) {
      s.append(", release ").append(ConsoleProgress.size(d.releaseBytes()));
    }
    s.append(" (").append(String.join(", ", d.stages().stream()
        .map(st -> st.name() + " " + ConsoleProgress.duration(st.duration())).toList())).append(')');
    return s.toString();
  }

  private static String describe(ServerFacts facts) {
    return "Runs " + facts.os() + ", Erlang/OTP " + facts.erlang() + ", Elixir " + facts.elixir()
        + ", PostgreSQL " + facts.postgresql() + ", Caddy " + facts.proxy();
  }

  private static void heading(PrintStream out, int step, String title) {
    out.println();
    out.println("[" + step + "/" + STEPS + "] " + title);
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted");
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where a server's port 80 is reachable from here.
   *
   * @param address the address to connect to
   * @param port the port that reaches the server's port 80
   */
  record Endpoint(String address, int port) {
    static Endpoint of(CloudServer server, boolean local) {
      if (local) {
        String port = server.labels().get("httpPort");
        if (port == null || Integer.parseInt(port) <= 0) {
          throw new PotionsException("The local server " + server.name() + " publishes no HTTP port; run"
              + " ./potions cleanup and try again.");
        }
        return new Endpoint(server.publicIpv4(), Integer.parseInt(port));
      }
      return new Endpoint(server.publicIpv4(), 80);
    }
  }
}
