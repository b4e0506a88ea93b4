package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.AppStatus;
import io.potions.app.DeployFailedException;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.app.Slot;
import io.potions.progress.ProgressEvent;
import io.potions.source.GitRepositorySource;
import io.potions.source.UnknownRefException;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.Tee;
import io.potions.testkit.ThrowawayServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * The heart of the product, end to end on a real server: create an app, deploy the sample Elixir
 * app built with mix on the server, switch under load with zero failed requests, keep storage across
 * deploys and rollbacks, refuse bad releases without touching the live one, queue deploys.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppDeployE2ETest {
  private static final String DOMAIN = "shop.test";
  private static final String USER_SECRET = "user-secret-value-9d81c";

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Server server;
  private SampleRepository repo;
  private App app;
  private final RecordingListener progress = new RecordingListener();
  private Tee capturedErr;
  private PrintStream originalErr;
  private Deployment first;
  private Deployment second;

  @BeforeAll
  void start() throws Exception {
    originalErr = System.err;
    capturedErr = Tee.to(originalErr);
    System.setErr(capturedErr.out());
    fixture = ServerFixture.start("app");
    box = fixture.box();
    server = fixture.connect(Potions.builder().progress(progress.andThen(ServerFixture.printingBuildOutput(null)))
        .build()).provision();
    repo = fixture.repo();
    app = fixture.app(server, "shop");
  }

  @AfterAll
  void stop() {
    System.setErr(originalErr);
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void badInputIsRefusedBeforeAnythingChanges() {
    assertThatThrownBy(() -> server.app("Shop; rm -rf /")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("App name");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("not a domain").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("Domain");
    assertThatThrownBy(() -> app.deploy("main")).hasMessageContaining("does not exist");
    assertThat(exec("ls /opt/potions")).isEmpty();
  }

  @Test
  @Order(2)
  void createGivesTheAppADatabaseStorageAndGeneratedEnv() {
    app.create(AppSettings.builder().addDomains(DOMAIN, "www.shop.test").https(false)
        .migrationCommand("PotionsSample.Release.migrate()")
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build())
        .build());
    assertThat(server.apps()).extracting(m -> m.name()).containsExactly("shop");
    assertThat(exec("stat -c '%a %U' /opt/potions/shop/secrets/generated.env /opt/potions/shop/secrets/env"))
        .isEqualTo("600 deploy\n600 deploy");
    // Storage lives under root-owned parents, owned by the app's own user only.
    assertThat(exec("stat -c '%U %a' /var/lib/potions/storage/shop")).isEqualTo("p-shop 700");
    assertThat(exec("stat -c '%U %a' /var/lib/potions /var/lib/potions/storage")).isEqualTo("root 711\nroot 711");
    assertThat(exec("runuser -u postgres -- psql -tAc \"select count(*) from pg_database where datname = 'app_shop'\""))
        .isEqualTo("1");
    String generated = exec("cat /opt/potions/shop/secrets/generated.env");
    assertThat(generated).contains("DATABASE_URL=\"postgres://app_shop:", "PHX_HOST=\"shop.test\"",
        "STORAGE_DIR=\"/var/lib/potions/storage/shop\"", "PHX_SERVER=\"true\"");
    String secretKeyBase = generated.replaceAll("(?s).*SECRET_KEY_BASE=\"([^\"]+)\".*", "$1");
    assertThat(secretKeyBase).hasSizeGreaterThanOrEqualTo(64);
    assertThatThrownBy(() -> app.create(AppSettings.builder().addDomains("other.test").build()))
        .hasMessageContaining("already exists");
  }

  @Test
  @Order(3)
  void userEnvIsSetAndReservedKeysAreRefused() {
    app.env().set("SAMPLE_EXPOSED_ENV", "GREETING").set("GREETING", USER_SECRET);
    assertThat(app.env().list().keys()).containsExactly("GREETING", "SAMPLE_EXPOSED_ENV");
    assertThat(app.env().list().toString()).doesNotContain(USER_SECRET);
    assertThatThrownBy(() -> app.env().set("STORAGE_DIR", "/tmp")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("STORAGE_DIR");
    assertThatThrownBy(() -> app.env().set("DATABASE_URL", "x")).hasMessageContaining("DATABASE_URL");
    assertThatThrownBy(() -> app.env().set("BAD KEY", "x")).isInstanceOf(InvalidInputException.class);
    assertThat(exec("stat -c '%a' /opt/potions/shop/secrets/env")).isEqualTo("600");
  }

  @Test
  @Order(4)
  void anUnknownRefIsAClearErrorAndQueuesNothing() {
    assertThatThrownBy(() -> app.deploy("no-such-branch")).isInstanceOf(UnknownRefException.class)
        .hasMessageContaining("no-such-branch").hasMessageContaining("main");
  }

  @Test
  @Order(5)
  void theFirstDeployServesV1ThroughCaddy() throws Exception {
    first = app.deploy("main");
    report("deploy.first", first);
    assertThat(first.succeeded()).isTrue();
    assertThat(first.stages()).extracting(s -> s.name()).containsExactly("build", "verify", "switch");
    assertThat(get("/").body()).startsWith("potions-sample 0.1.0 slot=blue");
    assertThat(get("/env/GREETING").body()).isEqualTo(USER_SECRET);
    assertThat(get("/db").body().trim()).isEqualTo("app_shop:app_shop");
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    // The on-server build ran npm ci and mix assets.deploy (the asset exists only if they did), and
    // compiled the path dependency.
    HttpProbe.Response asset = get("/assets/app.js");
    assertThat(asset.status()).isEqualTo(200);
    assertThat(asset.body()).startsWith("// built by assets/build.js with node v").contains("potionsSample");
    assertThat(first.log()).anyMatch(l -> l.contains("==> npm ci (assets)"));
    assertThat(first.log()).anyMatch(l -> l.contains("==> mix assets.deploy"));
    assertThat(get("/greeting?name=shop").body()).isEqualTo("hello shop from the greeting path dependency");
    assertThat(HttpProbe.send("127.0.0.1", box.httpPort(), "www.shop.test", "GET", "/version", null).body()).isEqualTo("0.1.0");
    assertThat(HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "POST", "/storage/kept.txt", "written by v1").status())
        .isEqualTo(200);
    AppStatus status = app.status();
    assertThat(status.liveSlot()).contains(Slot.BLUE);
    assertThat(status.healthy()).isTrue();
    assertThat(status.liveCommit()).contains(first.commit());
    // The app listens on loopback only.
    assertThat(exec("ss -Hltn | awk '{print $4}' | grep -E ':400[0-9]$' || true")).doesNotContain("0.0.0.0", "*:");
  }

  @Test
  @Order(6)
  void aSecondDeployUnderLoadFailsNoRequestAndMovesTrafficToV2() throws Exception {
    repo.setVersion("0.2.0");
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 3, 3, 5)) {
      Thread.sleep(1000);
      second = app.deploy("main");
      Thread.sleep(1500);
      load.close();
      System.out.println("switch under load: " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.keepAliveRequests.get()).isGreaterThan(100);
      assertThat(load.bodies).containsKeys("0.1.0", "0.2.0");
    }
    report("deploy.second", second);
    assertThat(second.bytesSent()).isLessThan(first.bytesSent());
    assertThat(get("/version").body()).isEqualTo("0.2.0");
    assertThat(get("/").body()).contains("slot=green");
    assertThat(get("/storage/kept.txt").body()).isEqualTo("written by v1");
    assertThat(get("/storage-link/kept.txt").body()).isEqualTo("written by v1");
    assertThat(exec("systemctl is-active potions-app@shop-blue || true")).isEqualTo("inactive");
  }

  @Test
  @Order(7)
  void aReleaseThatFailsItsHealthCheckIsStoppedAndV2KeepsServing() throws Exception {
    repo.branch("broken");
    repo.write("FAIL_HEALTH", "yes\n", "a release that fails its health check");
    repo.checkout("main");
    App strict = server.app("shop").withSource(GitRepositorySource.local(repo.dir()));
    assertThatThrownBy(() -> strict.deploy("broken"))
        .isInstanceOf(DeployFailedException.class)
        .satisfies(e -> {
          DeployFailedException d = (DeployFailedException) e;
          assertThat(d.reason()).isEqualTo(DeployFailedException.Reason.HEALTH_CHECK_FAILED);
          assertThat(d.getMessage()).contains("did not answer GET /health").contains("live app");
          assertThat(d.getMessage()).contains("potions-sample");  // the slot's log lines
          assertThat(d.deployment().status()).isEqualTo(Deployment.Status.FAILED);
        });
    assertThat(get("/version").body()).isEqualTo("0.2.0");
    assertThat(exec("systemctl is-active potions-app@shop-blue || true")).isEqualTo("inactive");
    assertThat(app.status().liveSlot()).contains(Slot.GREEN);
  }

  @Test
  @Order(8)
  void rollbackReturnsV1WithoutABuildAndStorageSurvives() throws Exception {
    Deployment rollback;
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 5)) {
      Thread.sleep(500);
      rollback = app.rollback();
      Thread.sleep(1000);
      load.close();
      System.out.println("rollback under load: " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
    }
    System.out.printf("rollback.total_s=%.2f stages=%s%n", rollback.duration().toMillis() / 1000.0, rollback.stages());
    assertThat(rollback.stages().get(0).status()).isEqualTo(io.potions.app.Stage.Outcome.SKIPPED);
    assertThat(rollback.commit()).isEqualTo(first.commit());
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    assertThat(get("/storage/kept.txt").body()).isEqualTo("written by v1");
  }

  @Test
  @Order(9)
  void twoDeploysRequestedAtOnceRunOneAfterTheOther() throws Exception {
    repo.setVersion("0.3.0");
    CompletableFuture<Deployment> a = app.deployAsync("main");
    CompletableFuture<Deployment> b = app.deployAsync("main");
    Deployment da = a.get();
    Deployment db = b.get();
    assertThat(da.succeeded()).isTrue();
    assertThat(db.succeeded()).isTrue();
    assertThat(db.startedAt()).isAfterOrEqualTo(da.finishedAt().minusMillis(1));
    assertThat(progress.of(ProgressEvent.DeployQueued.class)).anyMatch(q -> q.position() >= 1);
    assertThat(get("/version").body()).isEqualTo("0.3.0");
  }

  @Test
  @Order(10)
  void aBuildPastItsTimeLimitIsKilledAndTheLiveAppIsUntouched() throws Exception {
    repo.slowToCompileBranch("slow-build", Duration.ofMinutes(10));
    String manifest = exec("cat /opt/potions/shop/app.json");
    // Lower this app's build time limit on the server, as AppSettings.buildTimeout would.
    exec("sed -i 's/\"buildTimeoutSeconds\":[0-9]*/\"buildTimeoutSeconds\":25/' /opt/potions/shop/app.json");
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> app.deploy("slow-build"))
          .isInstanceOf(DeployFailedException.class)
          .satisfies(e -> assertThat(((DeployFailedException) e).reason())
              .isEqualTo(DeployFailedException.Reason.BUILD_TIMED_OUT));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(120));
      assertThat(exec("pgrep -u deploy -f 'mix compile' || echo none")).isEqualTo("none");
      // The build runs as the app's build user in its own unit: the unit is stopped, no process is left.
      assertThat(exec("pgrep -u pb-shop || echo none")).isEqualTo("none");
      assertThat(exec("systemctl is-active potions-build-shop.service || true")).isNotEqualTo("active");
      assertThat(get("/version").body()).isEqualTo("0.3.0");
    } finally {
      box.console("cat > /opt/potions/shop/app.json <<'EOF'\n" + manifest + "\nEOF");
    }
  }

  @Test
  @Order(11)
  void historyIsKeptOnTheServer() {
    List<Deployment> history = app.deployments();
    assertThat(history).extracting(Deployment::kind).contains(Deployment.Kind.DEPLOY, Deployment.Kind.ROLLBACK);
    assertThat(history).extracting(Deployment::status).contains(Deployment.Status.SUCCEEDED, Deployment.Status.FAILED);
    assertThat(history).allSatisfy(d -> assertThat(d.startedBy()).isNotBlank());
    assertThat(app.logs(50)).anyMatch(line -> line.contains("potions-sample"));
  }

  @Test
  @Order(12)
  void noSecretAppearsInLogsOrProgress() {
    String generated = exec("cat /opt/potions/shop/secrets/generated.env");
    Map<String, String> env = io.potions.internal.engine.EnvFile.parse(generated);
    String dbPassword = env.get("DATABASE_URL").replaceAll("postgres://[^:]+:([^@]+)@.*", "$1");
    List<String> secrets = new ArrayList<>(List.of(dbPassword, env.get("SECRET_KEY_BASE"),
        env.get("RELEASE_COOKIE"), USER_SECRET));
    StringBuilder everything = new StringBuilder(capturedErr.text());
    progress.events.forEach(e -> everything.append(e).append('\n'));
    app.deployments().forEach(d -> everything.append(d).append(String.join("\n", d.log())));
    for (String secret : secrets) {
      assertThat(secret).hasSizeGreaterThan(8);
      assertThat(everything.toString()).as("a secret leaked").doesNotContain(secret);
    }
  }

  @Test
  @Order(13)
  void deleteRemovesTheAppAndOptionallyItsDatabase() throws Exception {
    app.delete(true);
    assertThat(exec("test -e /opt/potions/shop && echo present || echo gone")).isEqualTo("gone");
    assertThat(exec("test -e /var/lib/potions/storage/shop && echo present || echo gone")).isEqualTo("gone");
    assertThat(exec("id -u p-shop >/dev/null 2>&1 && echo present || echo gone")).isEqualTo("gone");
    assertThat(exec("systemctl is-active potions-app@shop-green potions-app@shop-blue || true").split("\n"))
        .containsOnly("inactive");
    assertThat(exec("runuser -u postgres -- psql -tAc \"select count(*) from pg_database where datname = 'app_shop'\""))
        .isEqualTo("0");
    assertThat(exec("curl -fsS http://127.0.0.1:2019/id/potions-app-shop >/dev/null 2>&1 && echo routed || echo unrouted"))
        .isEqualTo("unrouted");
    assertThat(server.apps()).isEmpty();
  }

  private static void report(String prefix, Deployment d) {
    System.out.printf("%s.total_s=%.2f build_s=%.2f verify_s=%.2f switch_s=%.2f bytes_sent=%d release_bytes=%d%n",
        prefix, d.duration().toMillis() / 1000.0, d.stage("build").toMillis() / 1000.0,
        d.stage("verify").toMillis() / 1000.0, d.stage("switch").toMillis() / 1000.0, d.bytesSent(), d.releaseBytes());
  }

  private HttpProbe.Response get(String path) throws Exception {
    return HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", path, null);
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
