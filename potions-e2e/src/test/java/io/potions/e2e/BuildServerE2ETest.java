package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.builder.BuildServerBuilder;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The build-server builder on two real servers: the sample app is built on a second provisioned
 * server and its release reaches the app server through the content-addressed transfer. The app
 * serves through Caddy; a one-line change reuses the build server's caches and sends under 5% of
 * the release; and no Mix or compiler process ever runs on the app server (its process list is
 * sampled throughout both builds, and the same sampler sees them on the build server).
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildServerE2ETest {
  private ServerFixture fixture;
  private ThrowawayServer appBox;
  private ThrowawayServer buildBox;
  private Server appServer;
  private SampleRepository repo;
  private App shop;
  private final List<String> buildLines = new ArrayList<>();
  private final List<String> seenOnApp = new ArrayList<>();
  private final List<String> seenOnBuilder = new ArrayList<>();
  private Deployment first;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("build-server");
    appBox = fixture.box();
    buildBox = fixture.alsoStart(ThrowawayServer.provisioned());
    Server buildServer = fixture.open(Potions.builder().build()).existingServer("builder-1", buildBox.sshTarget())
        .provision();
    appServer = fixture.connect(Potions.builder().releaseBuilder(BuildServerBuilder.on(buildServer))
        .progress(ServerFixture.printingBuildOutput(buildLines)).build()).provision();
    repo = fixture.repo();
    shop = fixture.app(appServer, "shop");
    shop.create(AppSettings.builder().addDomains("shop.test").https(false)
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
  void theAppIsBuiltOnTheBuildServerAndServesThroughCaddyOnTheAppServer() throws Exception {
    first = sampled(() -> shop.deploy("main"));
    assertThat(first.succeeded()).isTrue();
    assertThat(get("/version").body()).isEqualTo(repo.version());
    synchronized (buildLines) {
      assertThat(buildLines).anyMatch(l -> l.contains("building on build-server builder-1"));
      assertThat(buildLines).anyMatch(l -> l.contains("==> mix release"));
    }
    // The release is a real directory on the app server, assembled from its content store, while the
    // build tree and the toolchain's work stayed on the build server.
    String release = exec(appBox, "readlink -f /opt/potions/shop/slots/" + liveSlot() + "/release");
    assertThat(release).startsWith("/opt/potions/shop/releases/");
    assertThat(exec(appBox, "stat -c %U " + release + " " + release + "/bin/potions_sample")).isEqualTo("deploy\ndeploy");
    assertThat(exec(appBox, "test -e /var/lib/potions-build/shop/build && echo built-here || echo not-built-here"))
        .isEqualTo("not-built-here");
    assertThat(exec(buildBox, "test -d /var/lib/potions-build/shop/build/_build/prod && echo cached")).isEqualTo("cached");
    assertThat(exec(buildBox, "ls /var/lib/potions-build/shop/releases | wc -l")).as("sent releases leave the build server")
        .isEqualTo("0");
    assertThat(exec(appBox, "runuser -u potions -- test -r " + release + "/bin/potions_sample && echo readable"))
        .isEqualTo("readable");
  }

  @Test
  @Order(2)
  void aOneLineChangeReusesTheCachesAndSendsUnderFivePercentOfTheRelease() throws Exception {
    String version = repo.bumpVersion();
    Deployment second = sampled(() -> shop.deploy("main"));
    assertThat(second.succeeded()).isTrue();
    assertThat(get("/version").body()).isEqualTo(version);
    long transferred = transferBytes(second);
    System.out.printf("build server: release %d bytes; first deploy sent %d bytes to the app server, the one-line"
            + " change %d (%.2f%%); deploy times %d ms and %d ms%n", second.releaseBytes(), transferBytes(first),
        transferred, 100.0 * transferred / second.releaseBytes(), millis(first), millis(second));
    assertThat(transferBytes(first)).isGreaterThan(second.releaseBytes() / 4);
    assertThat(transferred).isLessThan(second.releaseBytes() / 20);
    // The deps/_build caches were used: Mix compiled only the app, not the dependencies again.
    synchronized (buildLines) {
      assertThat(buildLines).noneMatch(l -> l.contains("the previous build was interrupted"));
    }
  }

  @Test
  @Order(3)
  void noMixOrCompilerProcessEverRanOnTheAppServer() {
    assertThat(seenOnBuilder).as("the sampler sees a build where there is one").isNotEmpty();
    assertThat(seenOnApp).as("build processes seen on the app server").isEmpty();
  }

  @Test
  @Order(4)
  void aCancelledBuildIsStoppedOnTheBuildServerAndTheLiveAppKeepsServing() throws Exception {
    String live = get("/version").body();
    // Stopped, not run to its end: compiling the slow module alone takes five minutes.
    Deployment cancelled = ServerFixture.cancelledWhileCompiling(shop,
        repo.slowToCompileBranch("slow-build", Duration.ofMinutes(5)), buildLines);

    assertThat(cancelled.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(cancelled.log()).anyMatch(l -> l.startsWith("cancelled: the build was stopped on "));
    assertThat(exec(buildBox, "systemctl is-active potions-build-shop.service || true")).isNotEqualTo("active");
    assertThat(exec(buildBox, "pgrep -u pb-shop -c || true")).as("no process of the build user left").isEqualTo("0");
    assertThat(exec(buildBox, "ls /var/lib/potions-build/shop/releases | wc -l")).isEqualTo("0");
    assertThat(exec(appBox, "ls /opt/potions/shop/releases")).doesNotContain(cancelled.id());
    assertThat(get("/version").body()).isEqualTo(live);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Runs a deploy while sampling both servers' process lists every ~100 ms. */
  private Deployment sampled(java.util.concurrent.Callable<Deployment> deploy) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        String app = appBox.console(ServerFixture.BUILD_PROCESSES).getStdout().trim();
        String builder = buildBox.console(ServerFixture.BUILD_PROCESSES).getStdout().trim();
        synchronized (seenOnApp) {
          if (!app.isEmpty()) {
            seenOnApp.add(app);
          }
          if (!builder.isEmpty()) {
            seenOnBuilder.add(builder);
          }
        }
      }
    }, "process-sampler");
    sampler.start();
    try {
      return deploy.call();
    } finally {
      done.set(true);
      sampler.join();
    }
  }

  /** Bytes the transfer sent to the app server, from the build log (the bundle went to the build server). */
  private long transferBytes(Deployment d) {
    return d.log().stream().filter(l -> l.contains("sent ") && l.contains(" of manifest"))
        .map(l -> Long.parseLong(l.replaceAll("^.*sent (\\d+) bytes.*$", "$1"))).findFirst().orElseThrow();
  }

  private static long millis(Deployment d) {
    return Duration.between(d.startedAt(), d.finishedAt()).toMillis();
  }

  private String liveSlot() {
    return exec(appBox, "cat /etc/potions/routes/shop").endsWith("4001") ? "blue" : "green";
  }

  private HttpProbe.Response get(String path) throws Exception {
    return HttpProbe.send("127.0.0.1", appBox.httpPort(), "shop.test", "GET", path, null);
  }

  private static String exec(ThrowawayServer box, String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
