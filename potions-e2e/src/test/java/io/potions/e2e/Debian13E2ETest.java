package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.DeployFailedException;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.app.Slot;
import io.potions.provision.Distribution;
import io.potions.provision.ProvisionReport;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.testcontainers.containers.Container;

/**
 * The second distribution CI proves: a Debian 13 (trixie) server, debootstrapped from the Debian
 * mirror, provisioned by the real bootstrap (the snapshot this class starts from is made by running
 * it on a fresh trixie server), with trixie's own OTP 27, Elixir 1.18 and PostgreSQL 17. The sample
 * app is built there with mix, served through Caddy, redeployed under load, and rolled back.
 */
@ExtendWith(RequiresDocker.class)
// Beside the Debian 12 classes (see junit-platform.properties): its own server, image lock and repository.
// Its methods inherit CONCURRENT, so each says SAME_THREAD: they run in order, one after another.
@Execution(ExecutionMode.CONCURRENT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Debian13E2ETest {
  private static final String DOMAIN = "trixie.test";
  private static final int BUILD_MEMORY_MIB = 384;

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Server server;
  private SampleRepository repo;
  private App app;
  private Deployment first;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("trixie", Distribution.DEBIAN_13);
    box = fixture.box();
    server = fixture.connect(Potions.builder().progress(ServerFixture.printingBuildOutput(null)).build());
    repo = fixture.repo();
    app = fixture.app(server, "shop");
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(1)
  void theServerIsDebian13WithTrixiesOwnRuntimesAndTheBootstrapHoldsOnIt() {
    assertThat(exec(". /etc/os-release && echo \"$ID $VERSION_ID $VERSION_CODENAME\"")).isEqualTo("debian 13 trixie");
    // The snapshot was provisioned on a fresh trixie server; a second run finds every step in place.
    server.provision();
    ProvisionReport report = server.lastProvision().orElseThrow();
    System.out.printf("trixie.reprovision_s=%.1f %s%n", report.duration().toMillis() / 1000.0, report.summary());
    assertThat(report.changedSteps()).as(report.summary()).isEmpty();
    assertThat(server.facts().distribution()).isEqualTo(Distribution.DEBIAN_13);
    assertThat(server.facts().os()).contains("Debian GNU/Linux 13");
    System.out.println("trixie.facts " + server.facts());
    assertThat(server.facts().erlang()).isEqualTo("27");
    assertThat(server.facts().elixir()).startsWith("1.18.");
    assertThat(server.facts().postgresql()).startsWith("17.");
    assertThat(server.facts().proxy()).matches("v?2\\.\\d+.*");
    // PostgreSQL 17's own cluster runs and carries the per-app rule the bootstrap adds.
    assertThat(exec("runuser -u postgres -- psql -qtAc 'show server_version'")).startsWith("17.");
    assertThat(exec("runuser -u postgres -- psql -qtAc 'show hba_file'")).isEqualTo("/etc/postgresql/17/main/pg_hba.conf");
    assertThat(exec("systemctl is-active caddy fail2ban postgresql ssh")).isEqualTo("active\nactive\nactive\nactive");
    assertThat(exec("ufw status | head -1")).isEqualTo("Status: active");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(2)
  void theSampleAppIsBuiltOnTrixieAndServedThroughCaddy() throws Exception {
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .migrationCommand("PotionsSample.Release.migrate()")
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build())
        // Room for the sample app's build, not for the memory-hungry one below.
        .buildMemoryMaxMib(BUILD_MEMORY_MIB)
        .build());
    first = app.deploy("main");
    report("trixie.deploy.first", first);
    assertThat(first.succeeded()).isTrue();
    assertThat(get("/").body()).startsWith("potions-sample 0.1.0 slot=blue");
    assertThat(get("/db").body().trim()).isEqualTo("app_shop:app_shop");
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    assertThat(HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "POST", "/storage/kept.txt", "written on trixie")
        .status()).isEqualTo(200);
    // The release carries trixie's ERTS: the one OTP 27 ships.
    String erts = exec("ls -d /opt/potions/shop/releases/*/erts-* | head -1 | sed 's/.*erts-//'");
    assertThat(exec("ls -d /usr/lib/erlang/erts-* | sed 's/.*erts-//'")).isEqualTo(erts);
    assertThat(erts).startsWith("15.");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(3)
  void aSecondDeployUnderLoadFailsNoRequest() throws Exception {
    repo.setVersion("0.2.0");
    Deployment second;
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 5)) {
      Thread.sleep(500);
      second = app.deploy("main");
      Thread.sleep(1000);
      load.close();
      System.out.println("trixie switch under load: " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.bodies).containsKeys("0.1.0", "0.2.0");
    }
    report("trixie.deploy.second", second);
    assertThat(get("/version").body()).isEqualTo("0.2.0");
    assertThat(app.status().liveSlot()).contains(Slot.GREEN);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(4)
  void rollbackReturnsTheFirstReleaseAndStorageSurvives() throws Exception {
    Deployment rollback;
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 5)) {
      Thread.sleep(500);
      rollback = app.rollback();
      Thread.sleep(1000);
      load.close();
      System.out.println("trixie rollback under load: " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
    }
    assertThat(rollback.succeeded()).isTrue();
    assertThat(rollback.commit()).isEqualTo(first.commit());
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    assertThat(get("/storage/kept.txt").body()).isEqualTo("written on trixie");
    assertThat(app.status().liveSlot()).contains(Slot.BLUE);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(5)
  void aBuildPastItsMemoryCeilingFailsClearlyWhileTheLiveAppServes() throws Exception {
    repo.branch("memory-hog");
    // Compiling this module holds about 1 GB: far past the ceiling, well within this machine's memory.
    repo.write("lib/memory_hog.ex", """
        defmodule MemoryHog do
          @held Enum.map(1..20, fn i -> :binary.copy(<<i>>, 50_000_000) end)
          def held, do: length(@held)
        end
        """, "a build that needs more memory than its ceiling");
    repo.checkout("main");
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 5)) {
      Thread.sleep(500);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> app.deploy("memory-hog"))
          .isInstanceOf(DeployFailedException.class)
          .satisfies(e -> {
            DeployFailedException d = (DeployFailedException) e;
            System.out.println("trixie.oom_build_s=" + (System.nanoTime() - t0) / 1_000_000_000 + " message: "
                + d.getMessage().lines().findFirst().orElse(""));
            assertThat(d.reason()).isEqualTo(DeployFailedException.Reason.BUILD_OUT_OF_MEMORY);
            assertThat(d.getMessage()).contains("The build needed more than " + BUILD_MEMORY_MIB + " MB of memory")
                .contains("buildMemoryMaxMib").contains("build server");
          });
      Thread.sleep(500);
      load.close();
      System.out.println("trixie requests during the memory-hungry build: " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.bodies).containsOnlyKeys("0.1.0");
    }
    // The kernel stopped the build, not the live app: same process, still serving.
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    assertThat(app.status().liveSlot()).contains(Slot.BLUE);
    assertThat(exec("systemctl is-active potions-app@shop-blue")).isEqualTo("active");
    assertThat(exec("pgrep -u pb-shop || echo none")).isEqualTo("none");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(6)
  void runtimePinsAreMetByTrixiesOwnPackagesOrRefusedBeforeTheBuild() throws Exception {
    repo.branch("elixir-1.17");
    repo.write(".tool-versions", "erlang 27\nelixir 1.17.3-otp-27\n", "pin Elixir 1.17, which trixie does not ship");
    repo.checkout("main");
    assertThatThrownBy(() -> app.deploy("elixir-1.17"))
        .isInstanceOf(DeployFailedException.class)
        .satisfies(e -> {
          DeployFailedException d = (DeployFailedException) e;
          assertThat(d.reason()).isEqualTo(DeployFailedException.Reason.RUNTIME_UNAVAILABLE);
          assertThat(d.getMessage()).contains("Elixir 1.17.3 requested; this Debian 13 server has 1.18.")
              .contains("remove it from .tool-versions");
        });
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    // Pins trixie meets: built with its own OTP 27 and Elixir 1.18, nothing installed.
    repo.write(".tool-versions", "erlang 27\nelixir 1.18\n", "pin what trixie ships");
    repo.setVersion("0.4.0");
    Deployment pinned = app.deploy("main");
    assertThat(pinned.succeeded()).isTrue();
    assertThat(pinned.log()).anyMatch(l -> l.contains("runtimes pinned in .tool-versions are met by the server's own:"
        + " OTP 27."));
    assertThat(get("/version").body()).isEqualTo("0.4.0");
    assertThat(exec("test -e /opt/potions/.runtimes/bin/mise && echo installed || echo none")).isEqualTo("none");
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
