package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.app.Stage;
import io.potions.docker.BaseImage;
import io.potions.docker.LocalContainerBuilder;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ServerImages;
import io.potions.testkit.ThrowawayServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;

/**
 * The local-container builder against a real provisioned server: the sample app (a path dependency,
 * an assets/ build with npm ci) is built in a Docker container on this machine from the same Debian
 * 12 base the test servers are made of, and its release reaches the app server through the
 * content-addressed transfer. It serves through Caddy (the asset and the path dependency's route
 * too); a one-line change reuses the cache volume (the path dependency is not compiled again) and
 * sends under 5% of the release; and no Mix or compiler process ever runs on the app server (its
 * process list is sampled throughout both builds, and the same sampler sees them in the build container).
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalContainerBuilderE2ETest {
  private ServerFixture fixture;
  private ThrowawayServer appBox;
  private LocalContainerBuilder builder;
  private SampleRepository repo;
  private App shop;
  private DockerClient docker;
  private final List<String> buildLines = new ArrayList<>();
  private final List<String> seenOnApp = new ArrayList<>();
  private final List<String> seenInBuildContainer = new ArrayList<>();
  private Deployment first;
  private List<String> firstBuildLines;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("local-container");
    appBox = fixture.box();
    docker = DockerClientProviderStrategy.getClientForConfig(DockerClientFactory.instance().getTransportConfig());
    // The app servers' own image (the provisioned Debian 12 snapshot, built from Debian's packages):
    // the container matches them by construction, and it already has Erlang, Elixir, the C toolchain
    // and Node.js, so the build image adds nothing (from a bare Debian base it installs ~470
    // packages: 10 minutes here, once).
    builder = LocalContainerBuilder.builder(BaseImage.local(ServerImages.provisionedImage()))
        .memoryMib(1536).cpus(1.0)
        .cacheVolumePrefix("potions-e2e-" + UUID.randomUUID().toString().substring(0, 8) + "-").build();
    fixture.open(() -> System.out.println("removed cache volumes " + builder.removeCaches()));
    Server appServer = fixture.connect(Potions.builder().releaseBuilder(builder)
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
  void theAppIsBuiltInALocalContainerAndServesThroughCaddyWithItsAssetAndPathDependency() throws Exception {
    first = sampled(() -> shop.deploy("main"));
    assertThat(first.succeeded()).as("deploy: %s", first.error()).isTrue();
    firstBuildLines = snapshotBuildLines();
    assertThat(get("/version").body()).isEqualTo(repo.version());
    HttpProbe.Response asset = get("/assets/app.js");
    assertThat(asset.status()).isEqualTo(200);
    assertThat(asset.body()).startsWith("// built by assets/build.js with node v").contains("potionsSample");
    assertThat(get("/greeting?name=container").body()).isEqualTo("hello container from the greeting path dependency");
    assertThat(firstBuildLines).anyMatch(l -> l.contains("building in a local container (Debian GNU/Linux 12"));
    assertThat(firstBuildLines).anyMatch(l -> l.startsWith("==> npm ci (assets) with node v"));
    assertThat(firstBuildLines).anyMatch(l -> l.contains("==> mix assets.deploy"));
    assertThat(firstBuildLines).anyMatch(l -> l.contains("Generated greeting app"));
    // The release is a real directory on the app server, assembled from its content store; the app's
    // (empty) build area there has no work tree and no release: nothing was built on the server.
    String release = exec(appBox, "readlink -f /opt/potions/shop/slots/" + liveSlot() + "/release");
    assertThat(release).startsWith("/opt/potions/shop/releases/");
    assertThat(exec(appBox, "stat -c %U " + release + " " + release + "/bin/potions_sample")).isEqualTo("deploy\ndeploy");
    assertThat(exec(appBox, "test -e /var/lib/potions-build/shop/build && echo built-here || echo not-built-here"))
        .isEqualTo("not-built-here");
    assertThat(exec(appBox, "ls /var/lib/potions-build/shop/releases 2>/dev/null | wc -l")).isEqualTo("0");
    assertThat(exec(appBox, "test -f " + release + "/lib/potions_sample-0.1.0/priv/static/app.js && echo asset"))
        .isEqualTo("asset");
    // The build container is gone; the cache volume stays.
    assertThat(docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(List.of(LocalContainerBuilder.LABEL + "=local-container")).exec()).isEmpty();
  }

  @Test
  @Order(2)
  void aOneLineChangeReusesTheCacheVolumeAndSendsUnderFivePercentOfTheRelease() throws Exception {
    synchronized (buildLines) {
      buildLines.clear();
    }
    String version = repo.bumpVersion();
    Deployment second = sampled(() -> shop.deploy("main"));
    assertThat(second.succeeded()).as("deploy: %s", second.error()).isTrue();
    List<String> secondBuildLines = snapshotBuildLines();
    assertThat(get("/version").body()).isEqualTo(version);
    assertThat(get("/assets/app.js").status()).isEqualTo(200);
    long transferred = transferBytes(second);
    System.out.printf("local container: release %d bytes; first deploy sent %d bytes to the app server, the one-line"
            + " change %d (%.2f%%); build stage %d ms then %d ms; deploy times %d ms and %d ms%n",
        second.releaseBytes(), transferBytes(first), transferred, 100.0 * transferred / second.releaseBytes(),
        buildMillis(first), buildMillis(second), millis(first), millis(second));
    assertThat(transferBytes(first)).isGreaterThan(second.releaseBytes() / 4);
    assertThat(transferred).isLessThan(second.releaseBytes() / 20);
    // The cache volume held the work tree, deps and _build: the source came as a thin bundle, the
    // path dependency was not compiled again, and no full rebuild was forced.
    assertThat(secondBuildLines).anyMatch(l -> l.contains("-byte bundle (thin)"));
    assertThat(secondBuildLines).anyMatch(l -> l.contains("==> mix compile"));
    assertThat(secondBuildLines).noneMatch(l -> l.contains("Generated greeting app"));
    assertThat(secondBuildLines).noneMatch(l -> l.contains("the previous build was interrupted"));
  }

  @Test
  @Order(3)
  void noMixOrCompilerProcessEverRanOnTheAppServer() {
    assertThat(seenInBuildContainer).as("the sampler sees a build where there is one").isNotEmpty();
    assertThat(seenOnApp).as("build processes seen on the app server").isEmpty();
  }

  @Test
  @Order(4)
  void aCancelledBuildStopsItsContainerAndTheLiveAppKeepsServing() throws Exception {
    String live = get("/version").body();
    // Stopped, not run to its end: compiling the slow module alone takes five minutes.
    Deployment cancelled = ServerFixture.cancelledWhileCompiling(shop,
        repo.slowToCompileBranch("slow-build", Duration.ofMinutes(5)), buildLines);

    assertThat(cancelled.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(cancelled.log()).anyMatch(l -> l.startsWith("cancelled: the local build container "));
    assertThat(docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(List.of(LocalContainerBuilder.LABEL + "=local-container")).exec()).isEmpty();
    assertThat(exec(appBox, "ls /opt/potions/shop/releases")).doesNotContain(cancelled.id());
    assertThat(get("/version").body()).isEqualTo(live);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Runs a deploy while sampling the app server's and the build container's process lists. */
  private Deployment sampled(java.util.concurrent.Callable<Deployment> deploy) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        String app = appBox.console(ServerFixture.BUILD_PROCESSES).getStdout().trim();
        String inContainer = buildContainerProcesses();
        synchronized (seenOnApp) {
          if (!app.isEmpty()) {
            seenOnApp.add(app);
          }
          if (!inContainer.isEmpty()) {
            seenInBuildContainer.add(inContainer);
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

  /** The build processes in the running build container (the builder labels it), or empty. */
  private String buildContainerProcesses() {
    StringBuilder seen = new StringBuilder();
    for (var c : docker.listContainersCmd().withLabelFilter(List.of(LocalContainerBuilder.LABEL + "=local-container"))
        .exec()) {
      try {
        String execId = docker.execCreateCmd(c.getId()).withCmd("bash", "-c", ServerFixture.BUILD_PROCESSES)
            .withAttachStdout(true).withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
          @Override
          public void onNext(Frame frame) {
            synchronized (out) {
              out.writeBytes(frame.getPayload());
            }
          }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        synchronized (out) {
          seen.append(out.toString(StandardCharsets.UTF_8).trim());
        }
      } catch (RuntimeException e) {
        // the container ended between the listing and the exec
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return seen.toString().trim();
  }

  private List<String> snapshotBuildLines() {
    synchronized (buildLines) {
      return List.copyOf(buildLines);
    }
  }

  /** Bytes the transfer sent to the app server, from the build log. */
  private static long transferBytes(Deployment d) {
    return d.log().stream().filter(l -> l.contains("sent ") && l.contains(" of manifest"))
        .map(l -> Long.parseLong(l.replaceAll("^.*sent (\\d+) bytes.*$", "$1"))).findFirst().orElseThrow();
  }

  private static long buildMillis(Deployment d) {
    return d.stages().stream().filter(s -> s.name().equals("build")).map(Stage::duration).findFirst()
        .orElse(Duration.ZERO).toMillis();
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
