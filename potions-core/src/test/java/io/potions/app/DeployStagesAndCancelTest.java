package io.potions.app;

import static io.potions.app.FakeServer.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.potions.event.DeployStage;
import io.potions.event.EventFilter;
import io.potions.event.EventStream;
import io.potions.event.PotionsEvent;
import io.potions.internal.engine.DeployQueue;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressEvent;
import io.potions.source.SourceCommit;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.SourceHost;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stages, the event stream and cancel, through the public {@link App} API against a server in
 * memory: what a deploy reports as it goes, and what a cancel leaves behind (nothing).
 */
class DeployStagesAndCancelTest {
  private static final String DIR = "/opt/potions/shop";
  private static final SourceCommit COMMIT = new SourceCommit("a".repeat(40), "main", "change", "dev");

  private final FakeServer server = new FakeServer();
  private final DeployQueue queue = new DeployQueue("fake");
  private final EventStream stream = new EventStream();
  private final List<PotionsEvent> events = new CopyOnWriteArrayList<>();

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
      try {
        out.write("bundle".getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  };

  private final ServerContext ctx =
      FakeServerContext.publishing(server, new OnServerBuilder(), queue, (app, op, e) -> stream.publish("fake", app, op, e));

  @BeforeEach
  void anAppThatExists() throws IOException {
    AppManifest manifest = AppManifest.of("shop", 4000, AppSettings.builder().addDomains("shop.example.com")
        .migrationCommand("Shop.Release.migrate()").build());
    server.files.put(DIR + "/app.json", AppStore.JSON.writeValueAsString(manifest));
    server.files.put(DIR + "/secrets/generated.env", "DATABASE_URL=postgres://x\n");
    server.files.put(DIR + "/secrets/env", "MAILER_KEY=k\n");
    server.on("Building", result(0, "==> mix release", "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=1234"));
    server.on("Health-checking", result(0, "POTIONS_HEALTH=ok"));
    server.on("Draining", result(0, "open=0"));
    // The disk guard asks about the build area and the app's directory before queueing.
    server.on("Checking free disk space", result(0, "50000000000 /", "50000000000 /"));
    stream.subscribe(EventFilter.all(), events::add);
  }

  @AfterEach
  void stop() {
    queue.shutdown();
    stream.close();
  }

  private App app() {
    return new App(ctx, "shop", source);
  }

  private List<DeployStage> stagesSeen(String deployment) throws InterruptedException {
    Thread.sleep(50);  // delivery is on the stream's thread; the record below is the synchronous proof
    return events.stream().filter(e -> deployment.equals(e.operation()))
        .map(PotionsEvent::event).filter(ProgressEvent.StageChanged.class::isInstance)
        .map(e -> ((ProgressEvent.StageChanged) e).stage()).toList();
  }

  @Test
  void aDeployReportsEveryStageInOrderAndItsRecordKeepsTheTimeline() throws Exception {
    server.files.put("/etc/potions/routes/shop", "4000 4001\n");
    server.files.put(DIR + "/state.json", AppStore.JSON.writeValueAsString(
        java.util.Map.of("releases", List.of(new ReleaseRecord("r1", "b".repeat(40), "shop", 10)))));
    server.on("Reading the slots", result(0, "blue r1"));

    DeploymentFuture future = app().deployAsync("main");
    Deployment d = future.get(30, TimeUnit.SECONDS);

    List<DeployStage> expected = List.of(DeployStage.QUEUED, DeployStage.UPLOADING, DeployStage.BUILDING,
        DeployStage.MIGRATING, DeployStage.VERIFYING, DeployStage.SWITCHING, DeployStage.DRAINING, DeployStage.DONE);
    assertThat(d.id()).isEqualTo(future.id());
    assertThat(d.timeline()).extracting(StageTiming::stage).containsExactlyElementsOf(expected);
    assertThat(d.timeline().get(0).startedAt()).isBeforeOrEqualTo(d.startedAt());
    assertThat(stagesSeen(d.id())).containsExactlyElementsOf(expected);
    assertThat(future.stage()).isEqualTo(DeployStage.DONE);
    // The record on the server carries the same timeline.
    assertThat(server.files.get(DIR + "/deployments/" + d.id() + ".json")).contains("\"building\"").contains("\"draining\"");
    List<Long> ids = events.stream().map(PotionsEvent::id).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aCancelledQueuedDeployNeverBuilds() throws Exception {
    CountDownLatch firstBuilding = new CountDownLatch(1);
    CountDownLatch finishFirst = new CountDownLatch(1);
    server.on("Building", c -> {
      firstBuilding.countDown();
      try {
        finishFirst.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=1234");
    });
    DeploymentFuture first = app().deployAsync("main");
    assertThat(firstBuilding.await(30, TimeUnit.SECONDS)).isTrue();
    DeploymentFuture second = app().deployAsync("main");

    assertThat(second.stage()).isEqualTo(DeployStage.QUEUED);
    assertThat(second.cancel(true)).isTrue();
    finishFirst.countDown();

    assertThat(first.get(30, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(second.isCancelled()).isTrue();
    Deployment cancelled = second.settled().get(5, TimeUnit.SECONDS);
    assertThat(cancelled.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(cancelled.timeline()).extracting(StageTiming::stage)
        .containsExactly(DeployStage.QUEUED, DeployStage.CANCELLED);
    assertThat(server.whatRan().stream().filter(w -> w.startsWith("Building"))).hasSize(1);
    assertThat(server.whatRan().stream().filter(w -> w.startsWith("Holding the deploy lock"))).hasSize(1);
    // Its queue position was published: one deploy ahead of it.
    Thread.sleep(50);
    assertThat(events).anyMatch(e -> second.id().equals(e.operation())
        && e.event() instanceof ProgressEvent.StageChanged s && s.stage() == DeployStage.QUEUED && s.queuePosition() == 1);
  }

  @Test
  void aCancelDuringTheBuildStopsItOnTheServerAndLeavesNothingBehind() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    server.on("Stopping the build", c -> {
      stopped.countDown();
      return result(0, "stopped");
    });
    server.on("Building", c -> {
      building.countDown();
      try {
        // The build runs until the helper stops its unit, then exits as systemd-run does.
        return stopped.await(30, TimeUnit.SECONDS) ? result(143, "==> mix compile") : result(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return result(1);
      }
    });
    DeploymentFuture future = app().deployAsync("main");
    assertThat(building.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(future.stage()).isEqualTo(DeployStage.BUILDING);

    assertThat(future.cancel(true)).isTrue();
    Deployment d = future.settled().get(30, TimeUnit.SECONDS);

    assertThat(future.isCancelled()).isTrue();
    assertThat(d.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(d.error()).contains("Cancelled");
    assertThat(d.timeline()).extracting(StageTiming::stage).endsWith(DeployStage.BUILDING, DeployStage.CANCELLED);
    server.assertRanInOrder("Building", "Stopping the build", "Removing the failed release");
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Starting") || w.startsWith("Switching")
        || w.startsWith("Pointing"));
    assertThat(server.files).containsKey(DIR + "/deployments/" + d.id() + ".json");
  }

  @Test
  void aCancelDuringABuildElsewhereAsksThatBuilderToStopIt() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    List<String> stopCalls = new CopyOnWriteArrayList<>();
    ReleaseBuilder elsewhere = new ReleaseBuilder() {
      @Override
      public String name() {
        return "elsewhere";
      }

      @Override
      public BuiltRelease build(BuildRequest request) {
        building.countDown();
        try {
          stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new BuildFailure(DeployFailedException.Reason.BUILD_FAILED, "stopped elsewhere");
      }

      @Override
      public String stop(String app, RemoteExecutor target) {
        stopCalls.add(app + " " + target.host());
        stopped.countDown();
        return "stopped elsewhere";
      }
    };
    ServerContext elsewhereCtx = FakeServerContext.publishing(server, elsewhere, queue,
        (app, op, e) -> stream.publish("fake", app, op, e));
    DeploymentFuture future = new App(elsewhereCtx, "shop", source).deployAsync("main");
    assertThat(building.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(future.cancel(true)).isTrue();
    Deployment d = future.settled().get(30, TimeUnit.SECONDS);

    assertThat(d.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(stopCalls).containsExactly("shop " + server.host());
    assertThat(d.log()).anyMatch(l -> l.contains("cancelled: stopped elsewhere"));
    // The builder stopped its own build: the app server had no build to stop.
    assertThat(server.whatRan()).noneMatch(w -> w.startsWith("Stopping the build") || w.startsWith("Building"));
  }

  @Test
  void onceTrafficMovesADeployCannotBeCancelled() throws Exception {
    AtomicReference<DeploymentFuture> running = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean(true);
    CountDownLatch started = new CountDownLatch(1);
    server.on("Enabling the", c -> {
      try {
        started.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      cancelled.set(running.get().cancel(true));
      return result(0);
    });
    running.set(app().deployAsync("main"));
    started.countDown();

    Deployment d = running.get().get(30, TimeUnit.SECONDS);

    assertThat(cancelled).isFalse();
    assertThat(d.succeeded()).isTrue();
  }

  @Test
  void aRollbackIsQueuedAndReportsItsStagesWithoutBuilding() throws Exception {
    server.files.put("/etc/potions/routes/shop", "4000 4001\n");
    server.files.put(DIR + "/state.json", AppStore.JSON.writeValueAsString(java.util.Map.of("releases", List.of(
        new ReleaseRecord("r2", "c".repeat(40), "shop", 10), new ReleaseRecord("r1", "b".repeat(40), "shop", 10)))));
    server.on("Reading the slots", result(0, "blue r2"));

    Deployment d = app().rollbackAsync().get(30, TimeUnit.SECONDS);

    assertThat(d.timeline()).extracting(StageTiming::stage).containsExactly(DeployStage.QUEUED,
        DeployStage.MIGRATING, DeployStage.VERIFYING, DeployStage.SWITCHING, DeployStage.DRAINING, DeployStage.DONE);
    assertThat(server.ran("Building")).isFalse();
  }
}
