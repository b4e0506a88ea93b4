package io.potions.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.event.DeployStage;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.app.StageTiming;
import io.potions.builder.BuildServerBuilder;
import io.potions.docker.BaseImage;
import io.potions.docker.LocalContainerBuilder;
import io.potions.e2e.LoadLoop;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerImages;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three builders compared (run with {@code -Pbench}, not part of the test command). One app
 * server runs a live app under steady load through Caddy for the whole run. Per builder (on-server,
 * build-server on a second provisioned server, local-container on this machine's Docker) a second
 * app is deployed: a first deploy, then {@value #ONE_LINE_CHANGES} one-line changes. Before each
 * deploy the load runs {@value #IDLE_MILLIS} ms with nothing else happening (the idle window); the
 * build window is the deploy's build step (its UPLOADING and BUILDING stages: source upload, build,
 * and for the remote builders the release transfer). Per deploy: time, bytes sent to the app
 * server, the live app's p99 in the build window and in the idle window just before it, and their
 * ratio; the app server's CPU in both windows and the CPU seconds the build step added to it (read
 * from its cgroup, {@link ContainerCpuMeter}); per builder the medians. Prints the figures and writes
 * target/bench/builders.json. A control window first measures what one busy CPU-bound process on the
 * build server's CPU does to the live app's p99, and after the build server's deploys a second one
 * the same compiler run by hand there (no Potions code involved in either).
 *
 * <p>All three "machines" are containers on this one machine. So that the build server and the build
 * container stand for other machines, as they are in production, the app server is kept on CPU 0 and
 * they on the other CPUs ({@code --cpuset-cpus}); memory, caches, disk and this JVM (the SDK and the
 * load) are still shared, so the latency ratios of the remote builders are an upper bound; the app
 * server's CPU seconds are not shared. The on-server builder builds on the app server's one CPU.
 */
@ExtendWith(RequiresDocker.class)
class BuilderBenchmarkRun {
  private static final String LIVE = "live.test";
  private static final long IDLE_MILLIS = 10_000;
  private static final int ONE_LINE_CHANGES = 2;
  private final Map<String, Object> results = new LinkedHashMap<>();

  @Test
  void run() throws Exception {
    Path tmp = Files.createTempDirectory("potions-bench-builders-");
    // Built from the app servers' own provisioned snapshot (as LocalContainerBuilderE2ETest does): the
    // build image then adds nothing, so the first container build measures a build, not 470 apt packages.
    int cpus = Runtime.getRuntime().availableProcessors();
    if (cpus < 2) {
      throw new AssertionError("the builder benchmark needs 2 CPUs or more (one for the app server); this machine has "
          + cpus);
    }
    String appServerCpus = "0";
    String buildCpus = cpus == 2 ? "1" : "1-" + (cpus - 1);
    LocalContainerBuilder local = LocalContainerBuilder.builder(BaseImage.local(ServerImages.provisionedImage()))
        .memoryMib(1536).cpus(1.0).cpuSet(buildCpus)
        .cacheVolumePrefix("potions-bench-" + UUID.randomUUID().toString().substring(0, 8) + "-").build();
    try (ThrowawayServer appBox = ThrowawayServer.provisioned(); ThrowawayServer buildBox = ThrowawayServer.provisioned();
         Potions ops = Potions.builder().build();
         SampleRepository repo = SampleRepository.openOrCreate(tmp.resolve("bench"), SampleRepository.sampleAppSources())) {
      appBox.onCpus(appServerCpus).start();
      buildBox.onCpus(buildCpus).start();
      Server builder = ops.existingServer("builder-1", buildBox.sshTarget()).provision();
      BuildServerBuilder remote = BuildServerBuilder.on(builder);
      try (Potions potions = Potions.builder().addReleaseBuilder(remote).addReleaseBuilder(local).build()) {
        Server server = potions.existingServer("app-1", appBox.sshTarget()).provision();
        App live = server.app("live").withSource(GitRepositorySource.local(repo.dir()));
        live.create(settings(LIVE, Optional.empty()));
        require(live.deploy("main"), "live");
        String liveVersion = repo.version();
        put("machine.cpus", cpus);
        put("machine.app_server_cpuset", appServerCpus);
        put("machine.build_server_and_container_cpuset", buildCpus);
        put("release_builders", List.of("on-server", remote.name(), local.name()));
        // To the server's bridge address, as clients reach a droplet: a published port would put
        // Docker's userland proxy, a process of this machine, in every request's path.
        try (LoadLoop load = new LoadLoop(appBox.bridgeAddress(), 80, LIVE, null, "/version", 2, 2, 20);
             ContainerCpuMeter appServerCpu = new ContainerCpuMeter(appBox.getContainerId(), load::offsetMillis)) {
          Instant loadStart = Instant.now().minusMillis(load.offsetMillis());
          control(load, buildBox);
          for (String name : List.of("on-server", remote.name(), local.name())) {
            String key = name.startsWith("build-server") ? "build-server" : name;
            App app = server.app(key.replace("-", "")).withSource(GitRepositorySource.local(repo.dir()));
            app.create(settings(key + ".test", Optional.of(name)));
            List<Double> ratios = new ArrayList<>();
            List<Double> oneLineSeconds = new ArrayList<>();
            List<Long> oneLineBytes = new ArrayList<>();
            List<Double> extraCpuSeconds = new ArrayList<>();
            for (int i = 0; i <= ONE_LINE_CHANGES; i++) {
              if (i > 0) {
                repo.bumpVersion();
              }
              long idleFrom = load.offsetMillis();
              Thread.sleep(IDLE_MILLIS);
              long idleTo = load.offsetMillis();
              Deployment d = require(app.deploy("main"), key);
              // The figures are of a real deploy: the app serves the commit just built.
              HttpProbe.Response version = HttpProbe.send("127.0.0.1", appBox.httpPort(), key + ".test", "GET",
                  "/version", null);
              if (version.status() != 200 || !version.body().trim().equals(repo.version())) {
                throw new AssertionError(key + " serves " + version.status() + " " + version.body() + " after deploying "
                    + repo.version());
              }
              // The build step is UPLOADING then BUILDING: the engine moves to BUILDING at the builder's first
              // "sent ..." line, which for the local container is the release transfer at the very end.
              List<StageTiming> step = d.timeline().stream()
                  .filter(t -> t.stage() == DeployStage.UPLOADING || t.stage() == DeployStage.BUILDING).toList();
              if (step.isEmpty()) {
                throw new AssertionError("no build step in " + d.timeline());
              }
              StageTiming last = step.get(step.size() - 1);
              long buildFrom = Duration.between(loadStart, step.get(0).startedAt()).toMillis();
              long buildTo = Duration.between(loadStart, last.startedAt().plus(last.duration())).toMillis();
              Window idle = window(load, idleFrom, idleTo);
              Window during = window(load, buildFrom, buildTo);
              String p = key + "." + (i == 0 ? "first" : "change" + i) + ".";
              put(p + "deploy_s", seconds(d.duration()));
              put(p + "build_step_s", round2((buildTo - buildFrom) / 1000.0));
              put(p + "bytes_to_app_server", d.bytesSent());
              put(p + "release_bytes", d.releaseBytes());
              put(p + "live_idle", idle.toMap());
              put(p + "live_during_build", during.toMap());
              // The app server's CPU: busy CPUs while idle (serving the load) and during the build step, and
              // the CPU seconds the build step added over serving the load alone.
              double idleCpus = appServerCpu.cpuSeconds(idleFrom, idleTo) / idle.seconds;
              double buildCpuSeconds = appServerCpu.cpuSeconds(buildFrom, buildTo);
              double extra = round2(buildCpuSeconds - idleCpus * during.seconds);
              put(p + "app_server_cpus_idle", round2(idleCpus));
              put(p + "app_server_cpus_during_build", round2(buildCpuSeconds / during.seconds));
              put(p + "app_server_extra_cpu_s", extra);
              extraCpuSeconds.add(extra);
              double ratio = p99Ratio(during, idle);
              put(p + "live_p99_ratio", ratio);
              ratios.add(ratio);
              if (i > 0) {
                oneLineSeconds.add(seconds(d.duration()));
                oneLineBytes.add(d.bytesSent());
              }
            }
            put(key + ".summary.first_deploy_s", results.get(key + ".first.deploy_s"));
            put(key + ".summary.second_deploy_s_median", median(oneLineSeconds));
            put(key + ".summary.first_bytes_to_app_server", results.get(key + ".first.bytes_to_app_server"));
            put(key + ".summary.second_bytes_to_app_server_median", (long) median(oneLineBytes.stream()
                .map(Long::doubleValue).toList()));
            put(key + ".summary.live_p99_ratio_median", median(ratios));
            put(key + ".summary.app_server_extra_cpu_s_first", extraCpuSeconds.get(0));
            put(key + ".summary.app_server_extra_cpu_s_change_median", median(extraCpuSeconds.subList(1,
                extraCpuSeconds.size())));
            if (key.equals("build-server")) {
              handCompileControl(load, buildBox);
            }
          }
          put("live.requests", load.requests.get());
          put("live.failed", load.failures.get());
          put("live.failure_samples", List.copyOf(load.failureSamples));
        }
        HttpProbe.Response still = HttpProbe.send("127.0.0.1", appBox.httpPort(), LIVE, "GET", "/version", null);
        put("live.serves_its_version_after", still.status() == 200 && still.body().trim().equals(liveVersion));
      }
    } finally {
      System.out.println("removed cache volumes " + local.removeCaches());
    }
    Path out = Path.of("target", "bench", "builders.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    System.out.println();
    System.out.println("Potions builders (app server and build server: Debian 12 containers; build container:"
        + " local Docker; all on this machine)");
    results.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-52s %s%n", k, v));
    System.out.println("written to " + out.toAbsolutePath());
  }

  /**
   * The floor of what sharing this machine costs, with no Potions code involved: the live app's p99
   * while one CPU-bound process (a checksum of zeros, no disk) runs on the build server's CPU, against
   * an idle window just before. Remote builders cannot do better than this here.
   */
  private void control(LoadLoop load, ThrowawayServer buildBox) throws InterruptedException {
    againstIdle(load, buildBox, "control.live_", "other_cpu_busy", "the control load",
        "timeout " + IDLE_MILLIS / 1000 + " sha256sum /dev/zero; [ $? -eq 124 ]");
  }

  /**
   * The same compiler with no Potions code: the build server's build user recompiling the app it
   * just built ({@code mix compile --force}, over and over) by hand for {@value #IDLE_MILLIS} ms on
   * the build server's CPU, against an idle window just before. What a build elsewhere on this
   * machine costs the live app whoever runs it.
   */
  private void handCompileControl(LoadLoop load, ThrowawayServer buildBox) throws InterruptedException {
    var found = buildBox.console("find / -xdev -type d -path '*/buildserver/build' -prune 2>/dev/null | head -1");
    String work = found.getStdout().trim();
    if (work.isEmpty()) {
      throw new AssertionError("the build server has no work tree of app buildserver: " + found.getStderr());
    }
    String runs = againstIdle(load, buildBox, "control.hand_compile_live_", "during", "the hand compile",
        "cd '" + work + "' && timeout " + IDLE_MILLIS / 1000 + " runuser -u \"$(stat -c %U .)\""
        + " -- env HOME=\"$(dirname \"$PWD\")/home\" MIX_ENV=prod LANG=C.UTF-8 bash -c"
        + " 'n=0; while mix compile --force >/dev/null 2>&1; do n=$((n + 1)); echo \"$n\" > /tmp/bench-compiles; done; exit 9';"
        + " [ $? -eq 124 ] && cat /tmp/bench-compiles");
    put("control.hand_compile_runs", Integer.parseInt(runs.trim()));
  }

  /**
   * An idle window of {@value #IDLE_MILLIS} ms, then {@code command} on the build server (which must
   * exit 0 after running for its window), and the live app's figures for both: {@code keyPrefix}
   * + "idle", + {@code duringKey}, + "p99_ratio". Returns the command's output.
   */
  private String againstIdle(LoadLoop load, ThrowawayServer buildBox, String keyPrefix, String duringKey,
      String what, String command) throws InterruptedException {
    long idleFrom = load.offsetMillis();
    Thread.sleep(IDLE_MILLIS);
    long idleTo = load.offsetMillis();
    var ran = buildBox.console(command);
    long busyTo = load.offsetMillis();
    if (ran.getExitCode() != 0) {
      throw new AssertionError(what + " did not run for its window: " + ran.getStderr());
    }
    Window idle = window(load, idleFrom, idleTo);
    Window during = window(load, idleTo, busyTo);
    put(keyPrefix + "idle", idle.toMap());
    put(keyPrefix + duringKey, during.toMap());
    put(keyPrefix + "p99_ratio", p99Ratio(during, idle));
    return ran.getStdout();
  }

  private static AppSettings settings(String domain, Optional<String> builder) {
    return AppSettings.builder().addDomains(domain).https(false).releaseBuilder(builder)
        .healthCheck(HealthCheck.builder().settle(Duration.ofSeconds(1)).build()).build();
  }

  private static Deployment require(Deployment d, String what) {
    if (!d.succeeded()) {
      throw new AssertionError(what + " deploy failed: " + d.error());
    }
    return d;
  }

  /** The live app's requests that started between two offsets of the load (ms). */
  private static Window window(LoadLoop load, long fromMillis, long toMillis) {
    List<Long> latencies = new ArrayList<>();
    long failed = 0;
    synchronized (load.samples) {
      for (long[] s : load.samples) {
        if (s[0] >= fromMillis && s[0] < toMillis) {
          if (s[2] == 1) {
            failed++;
          } else {
            latencies.add(s[1]);
          }
        }
      }
    }
    latencies.sort(null);
    return new Window((toMillis - fromMillis) / 1000.0, latencies.size() + failed, failed,
        percentileMs(latencies, 50), percentileMs(latencies, 99));
  }

  /** @return a window's p99 over the idle window's, 0 when the idle one had no answer */
  private static double p99Ratio(Window window, Window idle) {
    return idle.p99Ms == 0 ? 0 : round2(window.p99Ms / idle.p99Ms);
  }

  /** Requests of one window: how long it lasted, how many, how many failed, p50 and p99 latency. */
  private record Window(double seconds, long requests, long failed, double p50Ms, double p99Ms) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seconds", round2(seconds));
      m.put("requests", requests);
      m.put("failed", failed);
      m.put("p50_ms", p50Ms);
      m.put("p99_ms", p99Ms);
      return m;
    }
  }

  private void put(String key, Object value) {
    results.put(key, value);
    System.out.printf(Locale.ROOT, "bench %s=%s%n", key, value);
  }

  private static double seconds(Duration d) {
    return Math.round(d.toMillis() / 10.0) / 100.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2) : round2((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
  }

  /** Nearest-rank percentile of sorted latencies in µs, in ms. */
  private static double percentileMs(List<Long> sortedMicros, int p) {
    if (sortedMicros.isEmpty()) {
      return 0;
    }
    long v = sortedMicros.get(Math.min(sortedMicros.size() - 1, (int) Math.ceil(p / 100.0 * sortedMicros.size()) - 1));
    return Math.round(v / 10.0) / 100.0;
  }
}
