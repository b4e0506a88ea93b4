package io.potions.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.e2e.LoadLoop;
import io.potions.e2e.chart.LatencyChart;
import io.potions.provision.ProvisionReport;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark (run with the {@code bench} profile, not part of the test command): provisioning,
 * deploys, and the zero-downtime claim measured against a hand-written stop/start deploy under the
 * same load, in one run on one throwaway server. Prints a table and writes target/bench/results.json.
 */
@ExtendWith(RequiresDocker.class)
class BenchmarkRun {
  private static final String DOMAIN = "bench.test";
  private static final int SWITCHES = 5;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<LatencyChart.Series> chart = new ArrayList<>();

  @Test
  void run() throws Exception {
    Path tmp = Files.createTempDirectory("potions-bench-");
    try (ThrowawayServer box = ThrowawayServer.fresh(); Potions potions = Potions.builder().build();
         SampleRepository repo = SampleRepository.openOrCreate(tmp.resolve("bench"), SampleRepository.sampleAppSources())) {
      box.start();
      Server server = potions.existingServer("bench", box.sshTarget());
      ProvisionReport first = server.provision().lastProvision().orElseThrow();
      put("provision.first_s", seconds(first.duration()));
      ProvisionReport rerun = server.provision().lastProvision().orElseThrow();
      put("provision.rerun_s", seconds(rerun.duration()));

      App app = server.app("bench").withSource(GitRepositorySource.local(repo.dir()));
      app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
          .healthCheck(HealthCheck.builder().settle(Duration.ofSeconds(1)).build()).build());
      Deployment d1 = app.deploy("main");
      put("release.bytes", d1.releaseBytes());
      put("deploy.first.total_s", seconds(d1.duration()));
      put("deploy.first.build_s", seconds(d1.stage("build")));
      put("deploy.first.verify_s", seconds(d1.stage("verify")));
      put("deploy.first.switch_s", seconds(d1.stage("switch")));
      put("deploy.first.bytes_sent", d1.bytesSent());
      repo.setVersion("0.2.0");
      Deployment d2 = app.deploy("main");
      put("deploy.second.total_s", seconds(d2.duration()));
      put("deploy.second.bytes_sent", d2.bytesSent());

      // Potions: zero-downtime switches (restart = start the live release in the standby slot, switch).
      LoadLoop potionsLoad = new LoadLoop(box.httpPort(), DOMAIN, "/version", 3, 3, 5);
      List<Long> potionsMarks = new ArrayList<>();
      for (int i = 0; i < SWITCHES; i++) {
        potionsMarks.add(potionsLoad.offsetMillis());
        app.restart();
      }
      potionsLoad.close();
      chart.add(new LatencyChart.Series("Potions (blue/green switch)", List.copyOf(potionsLoad.samples), potionsMarks));
      put("switch.requests", potionsLoad.requests.get());
      put("switch.failed", potionsLoad.failures.get());
      put("switch.keepalive_failed", potionsLoad.keepAliveFailures.get());
      put("switch.p50_ms", percentile(potionsLoad.latenciesMicros, 50));
      put("switch.p99_ms", percentile(potionsLoad.latenciesMicros, 99));
      put("switch.switches", SWITCHES);
      put("switch.rps", potionsLoad.requests.get() / Math.max(1.0, potionsLoad.elapsedSeconds()));

      // Baseline: the same load across the same number of hand-written deploys (stop the old
      // release, start the new one on the same port).
      String live = app.status().liveSlot().orElseThrow().id();
      LoadLoop baseline = new LoadLoop(box.httpPort(), DOMAIN, "/version", 3, 3, 5);
      List<Long> baselineMarks = new ArrayList<>();
      for (int i = 0; i < SWITCHES; i++) {
        baselineMarks.add(baseline.offsetMillis());
        box.console("systemctl stop potions-app@bench-" + live + " && systemctl start potions-app@bench-" + live
            + " && for i in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:$(sed -n 's/^PORT=\"\\(.*\\)\"/\\1/p' /etc/potions/env/bench-" + live + ")/health && break; sleep 0.1; done");
        Thread.sleep(1500);
      }
      baseline.close();
      chart.add(new LatencyChart.Series("Baseline (stop, then start)", List.copyOf(baseline.samples), baselineMarks));
      put("baseline.requests", baseline.requests.get());
      put("baseline.failed", baseline.failures.get());
      put("baseline.keepalive_failed", baseline.keepAliveFailures.get());

      long t0 = System.nanoTime();
      Deployment rollback = app.rollback();
      put("rollback.total_s", seconds(Duration.ofNanos(System.nanoTime() - t0)));
      put("rollback.switch_s", seconds(rollback.stage("switch")));

      int queued = 5;
      List<CompletableFuture<Deployment>> futures = new ArrayList<>();
      for (int i = 0; i < queued; i++) {
        futures.add(app.deployAsync("main"));
      }
      long completed = futures.stream().map(f -> {
        try {
          return f.get().succeeded();
        } catch (Exception e) {
          return false;
        }
      }).filter(ok -> ok).count();
      put("queue.deploys", queued);
      put("queue.completed", completed);
      String served = HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", "/version", null).body();
      if (!served.equals("0.2.0")) {
        throw new AssertionError("after the benchmark the app serves '" + served + "', expected 0.2.0");
      }
    }
    Path out = Path.of("target", "bench", "results.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    Path svg = out.resolveSibling("latency.svg");
    Files.writeString(svg, LatencyChart.render("Requests through Caddy across " + SWITCHES
        + " switches: latency and failures over time", chart));
    System.out.println();
    System.out.println("Potions benchmark (one throwaway server, Debian 12 container, this machine)");
    System.out.println("-------------------------------------------------------------------------");
    results.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-28s %s%n", k, v));
    System.out.println("written to " + out.toAbsolutePath() + " and " + svg.toAbsolutePath());
  }

  private void put(String key, Object value) {
    results.put(key, value);
    System.out.printf(Locale.ROOT, "bench %s=%s%n", key, value);
  }

  private static double seconds(Duration d) {
    return Math.round(d.toMillis() / 10.0) / 100.0;
  }

  private static double percentile(List<Long> micros, int p) {
    List<Long> sorted = new ArrayList<>(micros);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return 0;
    }
    long v = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    return Math.round(v / 10.0) / 100.0;
  }
}
