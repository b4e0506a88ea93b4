package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.app.domain.DnsResolver;
import io.potions.app.domain.DomainCheck;
import io.potions.app.domain.DomainNotPointedException;
import io.potions.app.domain.Domains;
import io.potions.progress.ProgressEvent;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSockets through a switch, on a real server through Caddy: 240 clients (the JDK's WebSocket)
 * hold sockets to the live release during a deploy. None is dropped before the flip; after it the
 * old slot gets SIGTERM and closes its sockets in batches over its drain period (the sample app's
 * drainer, as Phoenix's does), every client reconnects to the new release, and the reconnects are
 * spread out: the busiest second stays under twice the even spread. HTTP during the same deploy: 0
 * failed. Needs {@code -Djdk.httpclient.allowRestrictedHeaders=host} (set in the module's pom) to
 * send the app's Host header to Caddy on 127.0.0.1.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebSocketSwitchE2ETest {
  private static final String DOMAIN = "live.test";
  private static final int CLIENTS = 240;
  /** The sample app's drain period (SAMPLE_WS_DRAIN_MS), inside the shutdown timeout. */
  private static final Duration APP_DRAIN = Duration.ofSeconds(3);
  private static final Duration SHUTDOWN = Duration.ofSeconds(4);
  /** Potions' spread; it ends before the sample app's listener gives up its own 10 s drain. */
  private static final Duration WINDOW = Duration.ofSeconds(3);

  private ServerFixture fixture;
  private ThrowawayServer box;
  private SampleRepository repo;
  private App app;
  private HttpClient http;
  private final List<Client> clients = new ArrayList<>();
  private volatile long flipNanos;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("ws");
    box = fixture.box();
    Server server = fixture.connect(Potions.builder().progress(e -> {
      if (e instanceof ProgressEvent.StepOutput o && o.line().startsWith("new connections now go to")) {
        flipNanos = System.nanoTime();
      }
      if (e instanceof ProgressEvent.StepOutput o && o.step().equals("switch")) {
        System.out.println("  [switch] " + o.line());
      }
    }).build()).provision();
    repo = fixture.repo();
    app = fixture.app(server, "live");
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stop() {
    clients.forEach(Client::close);
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void theFirstReleaseServesWebSocketsThroughCaddy() throws Exception {
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(120)).build())
        // Plain requests finish in milliseconds; the sockets are the app's drain's business.
        .drainTimeout(Duration.ofSeconds(2))
        .shutdownTimeout(SHUTDOWN)
        .reconnectWindow(WINDOW)
        .build());
    // The app's own drain (like Phoenix's drainer: shutdown period) fits in the shutdown timeout.
    app.env().set("SAMPLE_WS_DRAIN_MS", Long.toString(APP_DRAIN.toMillis()));
    assertThat(app.deploy("main").succeeded()).isTrue();
    assertThat(exec("cat /etc/systemd/system/potions-app@live-blue.service.d/stop.conf"))
        .contains("TimeoutStopSec=37");

    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new Client(i));
    }
    for (Client c : clients) {
      assertThat(c.firstHello.get(20, TimeUnit.SECONDS)).startsWith("hello 0.1.0 blue");
    }
    // An echo round trip through Caddy.
    assertThat(clients.get(0).echo("ping through caddy").get(10, TimeUnit.SECONDS)).isEqualTo("ping through caddy");
  }

  @Test
  @Order(2)
  void aDeployMovesEverySocketToTheNewReleaseSpreadOutByTheAppsDrainWithNoHttpFailure() throws Exception {
    repo.setVersion("0.2.0");
    // The old blue slot drains its own sockets (started with SAMPLE_WS_DRAIN_MS=3000); slots started
    // from now on do not (the env is read at start), so the last check needs no extra restart.
    app.env().set("SAMPLE_WS_DRAIN_MS", "0");
    Deployment second = measure("deploy, app's own drain", () -> app.deploy("main"), "hello 0.2.0 green", APP_DRAIN,
        List.of(1001), "0.1.0", "0.2.0");
    assertThat(second.log()).anyMatch(l -> l.contains("old blue slot stopped") && l.contains("closed its own connections"));
    assertThat(exec("systemctl is-active potions-app@live-blue || true")).isEqualTo("inactive");
    // The record is kept on the server with its traffic.
    assertThat(app.deployments()).anySatisfy(d -> {
      assertThat(d.id()).isEqualTo(second.id());
      assertThat(d.traffic()).isEqualTo(second.traffic());
    });
  }

  @Test
  @Order(3)
  void aDomainThatDoesNotResolveToTheServerIsRefusedWithTheRecordToCreate() throws Exception {
    java.net.InetAddress serverIp = java.net.InetAddress.getByName("203.0.113.10");
    // The real resolver: a .test name resolves nowhere.
    DomainCheck dns = new DomainCheck(DnsResolver.system());
    String before = exec("curl -fsS http://127.0.0.1:2019/config/apps/http/servers/potions/routes");
    assertThatThrownBy(() -> Domains.add(app, "nowhere.live.test", dns, List.of(serverIp)))
        .isInstanceOf(DomainNotPointedException.class)
        .hasMessageContaining("nowhere.live.test has no A or AAAA record")
        .hasMessageContaining("A  nowhere.live.test  ->  203.0.113.10");
    assertThat(app.manifest().domains()).containsExactly(DOMAIN);
    assertThat(exec("curl -fsS http://127.0.0.1:2019/config/apps/http/servers/potions/routes")).isEqualTo(before);

    // Once it resolves to the server (a resolver that answers like the DNS would), it is added and served.
    DomainCheck pointed = new DomainCheck(host -> host.equals("www.live.test") ? List.of(serverIp) : List.of());
    Domains.add(app, "www.live.test", pointed, List.of(serverIp));
    assertThat(app.manifest().domains()).containsExactly(DOMAIN, "www.live.test");
    assertThat(io.potions.testkit.HttpProbe.send("127.0.0.1", box.httpPort(), "www.live.test", "GET", "/version", null)
        .body()).isEqualTo("0.2.0");
  }

  @Test
  @Order(4)
  void anAppThatDoesNotDrainItsSocketsHasThemClosedByPotionsSpreadOverTheWindow() throws Exception {
    // Caddy's reload for the new domain closed every socket (1001); wait for all to be back.
    waitUntil(() -> clients.stream().allMatch(c -> c.open() && c.version().startsWith("hello 0.2.0 green")),
        Duration.ofSeconds(30));
    // The green slot was started with SAMPLE_WS_DRAIN_MS=0: on SIGTERM it keeps its sockets open.
    Deployment spread = measure("restart, Potions' spread", app::restart, "hello 0.2.0 blue", WINDOW,
        List.of(1006), "0.2.0", "0.2.0");
    // Every socket, and any proxy keep-alive connection that was quiet, was closed by Potions' spread.
    String stopLine = spread.log().stream().filter(l -> l.contains("old green slot stopped")).findFirst().orElseThrow();
    java.util.regex.Matcher closed = java.util.regex.Pattern.compile("Potions closed (\\d+) of them").matcher(stopLine);
    assertThat(closed.find()).as(stopLine).isTrue();
    assertThat(Integer.parseInt(closed.group(1))).as(stopLine).isGreaterThanOrEqualTo(CLIENTS);
  }

  /**
   * Runs a switch under HTTP load while every client holds a socket, and checks the figures: no socket
   * closed before the flip, every client back on the new slot, the busiest second of reconnects under
   * twice the even spread over {@code window}, no HTTP failure, and the record's own count agrees.
   */
  private Deployment measure(String what, java.util.concurrent.Callable<Deployment> action, String newHello,
      Duration window, List<Integer> closeCodes, String... versions) throws Exception {
    clients.forEach(Client::reset);
    flipNanos = 0;
    Deployment d;
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 10)) {
      Thread.sleep(500);
      d = action.call();
      waitUntil(() -> clients.stream().allMatch(c -> c.version().startsWith(newHello)), Duration.ofSeconds(30));
      load.close();
      System.out.println(what + ": HTTP during the WebSocket switch: " + load.summary());
      if (load.failures.get() > 0) {
        // What Caddy said about the failed requests (upstream errors), for whoever reads the failure.
        System.out.println("caddy errors: " + exec("journalctl -u caddy --since '-3min' --no-pager -o cat"
            + " | grep -E '\"level\":\"error\"' | tail -n 5 || true"));
      }
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.bodies).containsKeys(versions);
    }
    assertThat(d.succeeded()).isTrue();
    assertThat(flipNanos).isPositive();

    List<Long> closes = new ArrayList<>();
    List<Long> reconnects = new ArrayList<>();
    long failedReconnects = 0;
    for (Client c : clients) {
      closes.addAll(c.closedAt);
      reconnects.addAll(c.reconnectedAt);
      failedReconnects += c.failedAttempts.get();
    }
    Collections.sort(closes);
    Collections.sort(reconnects);
    // Every client was closed exactly once, by the old slot, after the flip; none before.
    assertThat(closes).hasSize(CLIENTS);
    assertThat(closes.get(0)).as("first close vs. the flip").isGreaterThan(flipNanos);
    assertThat(clients).allSatisfy(c -> assertThat(c.version()).startsWith(newHello));
    assertThat(clients).allSatisfy(c -> assertThat(c.closeCodes).hasSize(1).isSubsetOf(closeCodes));
    assertThat(reconnects).hasSize(CLIENTS);

    int peak = peakPerSecond(reconnects);
    double even = CLIENTS / (window.toMillis() / 1000.0);
    double spreadSeconds = (reconnects.get(reconnects.size() - 1) - reconnects.get(0)) / 1e9;
    System.out.printf("%s: %d clients, first close %.2f s after the flip, reconnects spread over %.2f s, peak %d"
            + " in one second (even spread over %d s: %.1f/s, limit %.1f), failed reconnect attempts %d%n",
        what, CLIENTS, (closes.get(0) - flipNanos) / 1e9, spreadSeconds, peak, window.toSeconds(), even, 2 * even,
        failedReconnects);
    assertThat(peak).as("peak reconnects in any one second").isLessThan((int) Math.ceil(2 * even));
    assertThat(failedReconnects).as("reconnect attempts refused").isZero();
    // The deployment record proves its own zero, from Caddy's access log for the app's domain.
    System.out.println(what + ": switch traffic in the deployment record: " + d.traffic().summary());
    assertThat(d.traffic().requests()).isGreaterThan(50);
    assertThat(d.traffic().failed()).as(d.traffic().summary()).isZero();
    return d;
  }

  /** The most events in any one-second window (sliding). */
  static int peakPerSecond(List<Long> sortedNanos) {
    int peak = 0;
    int from = 0;
    for (int to = 0; to < sortedNanos.size(); to++) {
      while (sortedNanos.get(to) - sortedNanos.get(from) >= 1_000_000_000L) {
        from++;
      }
      peak = Math.max(peak, to - from + 1);
    }
    return peak;
  }

  // ---- a WebSocket client that reconnects when the server closes it ----------------------------

  private final class Client implements WebSocket.Listener {
    final int id;
    final CompletableFuture<String> firstHello = new CompletableFuture<>();
    final List<Long> closedAt = new CopyOnWriteArrayList<>();
    final List<Long> reconnectedAt = new CopyOnWriteArrayList<>();
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    final AtomicLong failedAttempts = new AtomicLong();
    private final ConcurrentLinkedQueue<CompletableFuture<String>> echoes = new ConcurrentLinkedQueue<>();
    private volatile String version = "";
    private volatile boolean closing;
    private volatile WebSocket socket;
    private final StringBuilder text = new StringBuilder();

    Client(int id) {
      this.id = id;
      connect(false);
    }

    String version() {
      return version;
    }

    boolean open() {
      WebSocket ws = socket;
      return ws != null && !ws.isInputClosed() && !ws.isOutputClosed();
    }

    void reset() {
      closedAt.clear();
      reconnectedAt.clear();
      closeCodes.clear();
      failedAttempts.set(0);
    }

    CompletableFuture<String> echo(String message) {
      CompletableFuture<String> f = new CompletableFuture<>();
      echoes.add(f);
      socket.sendText(message, true);
      return f;
    }

    private void connect(boolean reconnect) {
      http.newWebSocketBuilder().header("Host", DOMAIN).connectTimeout(Duration.ofSeconds(5))
          .buildAsync(URI.create("ws://127.0.0.1:" + box.httpPort() + "/ws"), this)
          .whenComplete((ws, error) -> {
            if (error != null) {
              if (closing) {
                return;
              }
              failedAttempts.incrementAndGet();
              CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> connect(reconnect));
            } else {
              socket = ws;
              if (reconnect) {
                reconnectedAt.add(System.nanoTime());
              }
            }
          });
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        if (message.startsWith("hello ")) {
          version = message;
          firstHello.complete(message);
        } else {
          CompletableFuture<String> f = echoes.poll();
          if (f != null) {
            f.complete(message);
          }
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closedAt.add(System.nanoTime());
      closeCodes.add(statusCode);
      if (!closing) {
        connect(true);
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      // An abrupt end (no close frame): counted as a close with code 1006, then reconnect.
      closedAt.add(System.nanoTime());
      closeCodes.add(1006);
      if (!closing) {
        connect(true);
      }
    }

    void close() {
      closing = true;
      WebSocket ws = socket;
      if (ws != null) {
        ws.abort();
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static void waitUntil(java.util.function.BooleanSupplier condition, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(100);
    }
  }

  private String exec(String script) {
    var r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
