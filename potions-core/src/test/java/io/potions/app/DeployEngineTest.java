package io.potions.app;

import static io.potions.app.FakeServer.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.app.DeployFailedException.Reason;
import io.potions.internal.engine.DeployQueue;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressEvent;
import io.potions.source.SourceCommit;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.SourceHost;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every branch of the deploy engine, against a server in memory: what it runs, in which order, what
 * it refuses to touch, and what it reports. The e2e suite proves the same scripts on real servers.
 */
class DeployEngineTest {
  private static final String APP = "shop";
  private static final String DIR = "/opt/potions/shop";
  private static final String ROUTE = "/etc/potions/routes/shop";
  private static final SourceCommit COMMIT = new SourceCommit("a".repeat(40), "main", "change", "dev");

  private final FakeServer server = new FakeServer();
  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private final List<String> reports = new CopyOnWriteArrayList<>();
  private final List<List<String>> bundlesAskedFor = new ArrayList<>();
  private final DeployQueue queue = new DeployQueue("fake");
  private ReleaseBuilder builder = new OnServerBuilder();
  private AppManifest manifest;

  private final SourceHost source = new SourceHost() {
    @Override
    public String describe() {
      return "fake source";
    }

    @Override
    public SourceCommit resolve(String ref) {
      return COMMIT;
    }

    @Override
    public void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
      bundlesAskedFor.add(List.copyOf(have));
      try {
        out.write(("bundle of " + commit.sha() + " without " + have).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void reportDeployment(SourceCommit commit, String state, String description) {
      reports.add(state);
    }
  };

  @BeforeEach
  void anAppThatExists() throws IOException {
    manifest = AppManifest.of(APP, 4000, AppSettings.builder().addDomains("shop.example.com")
        .migrationCommand("Shop.Release.migrate()").build());
    server.files.put(DIR + "/app.json", AppStore.JSON.writeValueAsString(manifest));
    server.files.put(DIR + "/secrets/generated.env", "DATABASE_URL=postgres://x\n");
    server.files.put(DIR + "/secrets/env", "MAILER_KEY=k\n");
    server.on("Building", result(0, "==> mix release", "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=1234"));
    server.on("Health-checking", result(0, "POTIONS_HEALTH=ok"));
    server.on("Draining", result(0, "open=0"));
  }

  @AfterEach
  void stopQueue() {
    queue.shutdown();
  }

  private DeployEngine engine() {
    ServerContext ctx = FakeServerContext.listening(server, builder, queue, events::add);
    return new DeployEngine(ctx, APP);
  }

  /** A release already live in the blue slot (port 4001). */
  private void liveInBlue() throws IOException {
    server.files.put(ROUTE, "4000 4001\n");
    server.files.put(DIR + "/state.json", AppStore.JSON.writeValueAsString(
        java.util.Map.of("releases", List.of(new ReleaseRecord("r1", "b".repeat(40), "shop", 10)))));
    server.on("Reading the slots", result(0, "blue r1"));
  }

  private DeployFailedException deployFails() {
    return (DeployFailedException) org.assertj.core.api.Assertions.catchThrowable(() -> engine().deploy(source, COMMIT));
  }

  @Test
  void aFirstDeployBuildsVerifiesAndSwitchesToBlue() {
    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.succeeded()).isTrue();
    assertThat(d.slot()).isEqualTo("blue");
    assertThat(d.releaseBytes()).isEqualTo(1234);
    assertThat(d.bytesSent()).isPositive();
    assertThat(d.stages()).extracting(Stage::name).containsExactly("build", "verify", "switch");
    server.assertRanInOrder("Holding the deploy lock", "Listing the server's commits",
        "Taking the bundle", "Building a", "Pointing the blue slot", "Installing the slot's environment",
        "Running the migration", "Starting the blue slot", "Health-checking the blue slot",
        "Enabling the blue slot", "Switching traffic to the blue slot", "Pruning old deployment records");
    assertThat(server.ran("Draining")).as("nothing was live, nothing to drain").isFalse();
    assertThat(server.files.get(DIR + "/state.json")).contains(d.id());
    assertThat(server.files).containsKey(DIR + "/deployments/" + d.id() + ".json");
    assertThat(reports).containsExactly("in_progress", "success");
    String env = new String(server.ran.stream().filter(c -> c.what().startsWith("Installing the slot's environment"))
        .findFirst().orElseThrow().stdin(), StandardCharsets.UTF_8);
    assertThat(env).contains("PORT=\"4001\"").contains("MAILER_KEY=\"k\"").contains("PHX_HOST=\"shop.example.com\"");
    assertThat(server.ran.stream().filter(c -> c.what().startsWith("Installing")).findFirst().orElseThrow().script())
        .as("secrets travel on stdin, never in the script").doesNotContain("MAILER_KEY");
  }

  @Test
  void aSecondDeployGoesToTheOtherSlotAndDrainsTheOldOne() throws IOException {
    liveInBlue();
    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.slot()).isEqualTo("green");
    server.assertRanInOrder("Starting the green slot", "Enabling the green slot", "Switching traffic to the green slot",
        "Draining the blue slot", "Stopping the blue slot", "Disabling the blue slot");
    assertThat(bundlesAskedFor).isNotEmpty();
  }

  @Test
  void theOldSlotGetsTheStopTimeoutItsDrainNeedsAndTheRecordCountsTheSwitchWindowsRequests() throws IOException {
    liveInBlue();
    server.on("Marking the access log", result(0, "access_log_offset=2048", "server_time=1000.0"));
    server.on("Reading the switch window's access log", result(0,
        "{\"ts\":1000.5,\"request\":{\"host\":\"shop.example.com\",\"method\":\"GET\",\"uri\":\"/\"},\"status\":200}",
        "{\"ts\":1001.0,\"request\":{\"host\":\"shop.example.com\",\"method\":\"GET\",\"uri\":\"/ws\"},\"status\":101}",
        "{\"ts\":1001.5,\"request\":{\"host\":\"shop.example.com\",\"method\":\"GET\",\"uri\":\"/x\"},\"status\":502}",
        "", "server_time=1012.0"));
    server.on("Stopping the blue slot", result(0, "open_at_deadline=40", "closed_by_potions=40", "stop_seconds=41",
        "stopped=yes"));

    Deployment d = engine().deploy(source, COMMIT);

    server.assertRanInOrder("Setting the slots' stop timeout", "Starting the green slot", "Marking the access log",
        "Switching traffic to the green slot", "Draining the blue slot", "Stopping the blue slot",
        "Reading the switch window's access log");
    assertThat(server.ran.stream().filter(c -> c.what().startsWith("Setting the slots' stop timeout")).findFirst()
        .orElseThrow().script()).isEqualTo("sudo -n /usr/local/sbin/potions-admin stop-timeout shop 70");
    assertThat(server.ran.stream().filter(c -> c.what().startsWith("Reading the switch")).findFirst()
        .orElseThrow().script()).contains("access-log shop 2048");
    assertThat(d.traffic()).isEqualTo(new SwitchTraffic(3, 1, List.of("502 GET shop.example.com/x"), 12.0));
    assertThat(d.log()).contains("old blue slot stopped after 41 s: 40 connection(s) were still open at its shutdown"
        + " deadline of 30 s; Potions closed 40 of them in batches over 10 s",
        "3 request(s) during the 12.0 s switch window, 1 failed [502 GET shop.example.com/x]");
    // Kept on the server with the record.
    assertThat(server.files.get(DIR + "/deployments/" + d.id() + ".json")).contains("\"traffic\":{\"requests\":3");
  }

  @Test
  void aFailedBuildRemovesItsReleaseAndTouchesNoSlot() {
    server.on("Building", result(1, "** (CompileError) lib/shop.ex:3: undefined function"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.BUILD_FAILED);
    assertThat(e.getMessage()).contains("CompileError").contains("the live app was not touched");
    assertThat(server.ran("Removing the failed release")).isTrue();
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Starting") || w.startsWith("Switching")
        || w.startsWith("Stopping"));
    assertThat(e.deployment().status()).isEqualTo(Deployment.Status.FAILED);
    assertThat(server.files).containsKey(DIR + "/deployments/" + e.deployment().id() + ".json");
    assertThat(reports).containsExactly("in_progress", "failure");
  }

  @Test
  void aBuildPastItsLimitIsReportedAsTimedOut() {
    server.on("Building", result(124, "==> mix compile"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.BUILD_TIMED_OUT);
    assertThat(e.getMessage()).contains("limit").contains("buildTimeout");
    assertThat(server.ran("Removing the failed release")).isTrue();
    assertThat(server.ran("Starting")).isFalse();
  }

  @Test
  void aBuildLimitIsTheAppsBuildTimeout() {
    engine().deploy(source, COMMIT);
    assertThat(server.ran.stream().filter(c -> c.what().startsWith("Building")).findFirst().orElseThrow().limit())
        .isEqualTo(manifest.settings().buildTimeout());
  }

  @Test
  void whenTheServerLacksTheThinBundlesPrerequisitesTheFullHistoryIsSent() {
    server.on("Listing the server's commits", result(0, "c".repeat(40)));
    int[] fetches = {0};
    server.on("Taking the bundle", c -> result(fetches[0]++ == 0 ? AppScripts.MISSING_PREREQUISITES : 0));

    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.succeeded()).isTrue();
    assertThat(bundlesAskedFor).containsExactly(List.of("c".repeat(40)), List.of());
    assertThat(d.log()).anyMatch(l -> l.contains("sending the full history"));
  }

  @Test
  void aBundleTheServerCannotTakeIsATransferFailure() {
    server.on("Taking the bundle", result(1, "fatal: bad object"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.TRANSFER_FAILED);
    assertThat(server.ran("Building")).isFalse();
  }

  @Test
  void aFailedMigrationStopsTheNewSlotAndMovesNoTraffic() throws IOException {
    liveInBlue();
    server.on("Running the migration", result(1, "** (Postgrex.Error) relation already exists"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.MIGRATION_FAILED);
    assertThat(e.getMessage()).contains("Postgrex.Error").contains("no traffic moved");
    assertThat(server.ran("Starting the green slot")).isFalse();
    assertThat(server.ran("Switching")).isFalse();
    assertThat(server.whatRan()).contains("Stopping the green slot").doesNotContain("Stopping the blue slot");
    assertThat(server.files.get(ROUTE)).isEqualTo("4000 4001\n");
  }

  @Test
  void aFailedPreMigrationBackupStopsTheDeployBeforeAnythingChanges() throws IOException {
    liveInBlue();
    server.on("Reading the pre-migration backup setting", result(1));  // on (no opt-out file)
    server.on("Backing up", result(1, "pg_dump: error: could not write to output file: No space left on device"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.BACKUP_FAILED);
    assertThat(e.getMessage()).contains("No space left on device").contains("the migration did not run")
        .contains("setBeforeMigration(false)");
    assertThat(server.ran("Running the migration")).isFalse();
    assertThat(server.ran("Pointing the green slot")).isFalse();
    assertThat(server.ran("Switching")).isFalse();
    assertThat(server.files.get(ROUTE)).isEqualTo("4000 4001\n");
  }

  @Test
  void aDeployWithAMigrationBacksUpFirst() throws IOException {
    liveInBlue();
    server.on("Reading the pre-migration backup setting", result(1));
    String[] id = new String[1];
    server.on("Backing up", c -> {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\nid='?([0-9A-Za-z-]+)'?\\n").matcher(c.script());
      assertThat(m.find()).isTrue();
      id[0] = m.group(1);
      assertThat(c.script()).contains("potions-admin db-dump shop").contains("\"r1\"");
      return result(0, "POTIONS_BACKUP=" + id[0]);
    });
    server.on("Listing backups", c -> result(0, "M {\"id\":\"" + id[0] + "\",\"createdAt\":\"2026-12-02T09:15:00Z\","
        + "\"kind\":\"pre-migration\",\"release\":\"r1\",\"database\":{\"bytes\":10},\"storage\":{\"bytes\":20}}"));

    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.succeeded()).isTrue();
    assertThat(id[0]).endsWith("-pre-migration");
    server.assertRanInOrder("Backing up", "Pointing the green slot", "Running the migration", "Switching traffic");
  }

  @Test
  void aFailedHealthCheckStopsTheNewSlotAndShowsItsLog() throws IOException {
    liveInBlue();
    server.on("Health-checking", result(3, "POTIONS_HEALTH=timeout last=500"));
    server.on("Reading the slot's log", result(0, "** (RuntimeError) boom"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.HEALTH_CHECK_FAILED);
    assertThat(e.getMessage()).contains("timeout last=500").contains("boom").contains("live app keeps serving");
    assertThat(server.whatRan()).contains("Stopping the green slot").doesNotContain("Stopping the blue slot");
    assertThat(server.ran("Switching")).isFalse();
    assertThat(server.ran("Removing the release that failed verification"))
        .as("a release that never served is not kept").isTrue();
    assertThat(server.ran("Enabling")).as("a slot that never served is not enabled at boot").isFalse();
  }

  @Test
  void aReleaseThatCrashesOnStartIsReportedAsSuch() {
    server.on("Health-checking", result(2, "POTIONS_HEALTH=crashed"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.CRASHED_ON_START);
    assertThat(e.getMessage()).contains("exited while starting");
  }

  @Test
  void aReleaseThatCrashesRightAfterItsHealthCheckNeverGetsTraffic() {
    server.on("Health-checking", result(2, "POTIONS_HEALTH=crashed-after-healthy"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.CRASHED_ON_START);
    assertThat(e.getMessage()).contains("passed its health check, then exited");
    assertThat(server.ran("Switching")).isFalse();
  }

  @Test
  void aSwitchThatFailsBeforeTheFlipStopsTheNewSlotAndTheOldOneServes() throws IOException {
    liveInBlue();
    server.on("Switching traffic", result(1, "iptables: Resource temporarily unavailable"));

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.SWITCH_FAILED);
    assertThat(e.getMessage()).contains("the previous slot keeps serving and the new one was stopped");
    assertThat(server.whatRan()).contains("Stopping the green slot").doesNotContain("Stopping the blue slot");
  }

  @Test
  void aSwitchWhoseAnswerIsLostAfterTheFlipLeavesTheNewSlotServing() throws IOException {
    liveInBlue();
    server.on("Switching traffic", c -> {
      server.files.put(ROUTE, "4000 4002\n");  // the server flipped the route...
      throw FakeServer.connectionDropped();    // ...and the answer was lost
    });

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.SWITCH_FAILED);
    assertThat(e.getMessage()).contains("after traffic had already moved to the new green slot");
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Stopping"));
  }

  @Test
  void aDrainThatTimesOutIsReportedAndTheDeployStands() throws IOException {
    liveInBlue();
    server.on("Draining", result(0, "open=3"));

    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.succeeded()).isTrue();
    assertThat(d.log()).anyMatch(l -> l.contains("3 connection(s) still open"));
    assertThat(server.ran("Stopping the blue slot")).isTrue();
  }

  @Test
  void aRecordThatCannotBeSavedAfterAGoodSwitchDoesNotFailTheDeploy() {
    server.failUploads(p -> p.contains("/deployments/"), FakeServer.connectionDropped());

    Deployment d = engine().deploy(source, COMMIT);

    assertThat(d.succeeded()).isTrue();
    assertThat(server.ran("Switching traffic")).isTrue();
    assertThat(reports).containsExactly("in_progress", "success");
  }

  @Test
  void aLockLostDuringTheBuildStopsBeforeStartingAnything() {
    server.on("Building", c -> {
      server.dropHeldCommands();
      return result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=1");
    });

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.LOCK_LOST);
    assertThat(e.getMessage()).contains("deploy lock was lost").contains("starting the new release");
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Pointing") || w.startsWith("Starting")
        || w.startsWith("Switching") || w.startsWith("Stopping"));
  }

  @Test
  void aLockLostDuringVerifyNeverMovesTrafficNorTouchesTheSlotAnotherDeployMayUse() throws IOException {
    liveInBlue();
    server.on("Health-checking", c -> {
      server.dropHeldCommands();
      return result(0, "POTIONS_HEALTH=ok");
    });

    DeployFailedException e = deployFails();

    assertThat(e.reason()).isEqualTo(Reason.LOCK_LOST);
    assertThat(e.getMessage()).contains("moving traffic");
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Switching") || w.startsWith("Stopping"));
    assertThat(server.files.get(ROUTE)).isEqualTo("4000 4001\n");
  }

  @Test
  void aRolledBackReleaseThatFailsVerificationIsKept() throws IOException {
    server.files.put(ROUTE, "4000 4001\n");
    server.files.put(DIR + "/state.json", AppStore.JSON.writeValueAsString(java.util.Map.of("releases", List.of(
        new ReleaseRecord("r2", "d".repeat(40), "shop", 10), new ReleaseRecord("r1", "b".repeat(40), "shop", 10)))));
    server.on("Reading the slots", result(0, "blue r2", "green r1"));
    server.on("Health-checking", result(2, "POTIONS_HEALTH=crashed"));

    assertThatThrownBy(() -> engine().rollback()).isInstanceOf(DeployFailedException.class);
    assertThat(server.ran("Removing the release")).as("r1 is a kept release, not this run's build").isFalse();
  }

  @Test
  void everySavedRecordPrunesTheOldestBeyondTheLimit() {
    Deployment d = engine().deploy(source, COMMIT);
    assertThat(server.ran.stream().filter(c -> c.what().startsWith("Pruning old deployment records")).findFirst()
        .orElseThrow().script()).contains("head -n -" + AppStore.DEPLOYMENTS_KEPT);
    assertThat(d.succeeded()).isTrue();
  }

  @Test
  void aRollbackWithNothingToGoBackToSaysSo() throws IOException {
    liveInBlue();

    assertThatThrownBy(() -> engine().rollback()).isInstanceOf(DeployFailedException.class)
        .hasMessageContaining("no earlier release")
        .extracting(t -> ((DeployFailedException) t).reason()).isEqualTo(Reason.NO_PREVIOUS_RELEASE);
    assertThat(server.ran("Building")).isFalse();
  }

  @Test
  void aRollbackStartsThePreviousReleaseWithoutBuilding() throws IOException {
    server.files.put(ROUTE, "4000 4001\n");
    server.files.put(DIR + "/state.json", AppStore.JSON.writeValueAsString(java.util.Map.of("releases", List.of(
        new ReleaseRecord("r2", "d".repeat(40), "shop", 10), new ReleaseRecord("r1", "b".repeat(40), "shop", 10)))));
    server.on("Reading the slots", result(0, "blue r2", "green r1"));

    Deployment d = engine().rollback();

    assertThat(d.kind()).isEqualTo(Deployment.Kind.ROLLBACK);
    assertThat(d.commit()).isEqualTo("b".repeat(40));
    assertThat(d.stages()).first().extracting(Stage::status).isEqualTo(Stage.Outcome.SKIPPED);
    assertThat(server.ran("Building")).isFalse();
    server.assertRanInOrder("Pointing the green slot", "Starting the green slot",
        "Switching traffic to the green slot");
  }

  @Test
  void aBuilderChosenByTheCallerDoesTheBuild() {
    List<String> built = new ArrayList<>();
    builder = new ReleaseBuilder() {
      @Override
      public String name() {
        return "elsewhere";
      }

      @Override
      public io.potions.spi.BuiltRelease build(io.potions.spi.BuildRequest request) {
        built.add(request.commit().sha() + " -> " + request.appDir() + "/releases/" + request.releaseId());
        request.log().accept("built elsewhere");
        return new io.potions.spi.BuiltRelease("shop", 99, 7);
      }
    };

    Deployment d = engine().deploy(source, COMMIT);

    assertThat(built).containsExactly(COMMIT.sha() + " -> " + DIR + "/releases/" + d.id());
    assertThat(d.bytesSent()).isEqualTo(7);
    assertThat(d.log()).contains("built elsewhere");
    assertThat(server.ran("Building")).isFalse();
  }

  @Test
  void progressEventsFollowTheStages() {
    engine().deploy(source, COMMIT);
    assertThat(events).filteredOn(e -> e instanceof ProgressEvent.StepFinished)
        .extracting(e -> ((ProgressEvent.StepFinished) e).step()).containsExactly("build", "verify", "switch");
  }
}
