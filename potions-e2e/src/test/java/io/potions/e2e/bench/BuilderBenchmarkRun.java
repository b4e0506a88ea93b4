package io.potions.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.builder.BuildServerBuilder;
import io.potions.e2e.LoadLoop;
import io.potions.source.GitRepositorySource;
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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The builders compared (run with {@code -Pbench}, not part of the test command): one app server
 * with a live app under steady load, and per builder (on-server, build-server) a first and a second
 * deploy (a one-line change) of a second app: deploy times, bytes sent to the app server, and the
 * live app's p99 latency during the builds against idle, in the same run. Prints a table and writes
 * target/bench/builders.json.
 */
@ExtendWith(RequiresDocker.class)
class BuilderBenchmarkRun {
  private static final String LIVE = "live.test";
  private static final long IDLE_MILLIS = 8_000;
  private final Map<String, Object> results = new LinkedHashMap<>();

  @Test
  void run() throws Exception {
    Path tmp = Files.createTempDirectory("potions-bench-builders-");
    try (ThrowawayServer appBox = ThrowawayServer.provisioned(); ThrowawayServer buildBox = ThrowawayServer.provisioned();
         Potions ops = Potions.builder().build();
         SampleRepository repo = SampleRepository.openOrCreate(tmp.resolve("bench"), SampleRepository.sampleAppSources())) {
      appBox.start();
      buildBox.start();
      Server builder = ops.existingServer("builder-1", buildBox.sshTarget()).provision();
      BuildServerBuilder remote = BuildServerBuilder.on(builder);
      try (Potions potions = Potions.builder().addReleaseBuilder(remote).build()) {
        Server server = potions.existingServer("app-1", appBox.sshTarget()).provision();
        App live = server.app("live").withSource(GitRepositorySource.local(repo.dir()));
        live.create(settings(LIVE, Optional.empty()));
        live.deploy("main");
        for (String name : List.of("on-server", remote.name())) {
          String key = name.startsWith("build-server") ? "build-server" : name;
          App app = server.app(key.replace("-", "")).withSource(GitRepositorySource.local(repo.dir()));
          app.create(settings(key + ".test", Optional.of(name)));
          LoadLoop idle = new LoadLoop(appBox.httpPort(), LIVE, "/version", 2, 2, 20);
          Thread.sleep(IDLE_MILLIS);
          idle.close();
          LoadLoop during = new LoadLoop(appBox.httpPort(), LIVE, "/version", 2, 2, 20);
          Deployment first = app.deploy("main");
          repo.bumpVersion();
          Deployment second = app.deploy("main");
          during.close();
          put(key + ".first_deploy_s", seconds(first.duration()));
          put(key + ".second_deploy_s", seconds(second.duration()));
          put(key + ".first_bytes_to_app_server", bytesToAppServer(first));
          put(key + ".second_bytes_to_app_server", bytesToAppServer(second));
          put(key + ".release_bytes", second.releaseBytes());
          put(key + ".live_p99_idle_ms", percentile(idle.latenciesMicros, 99));
          put(key + ".live_p99_during_builds_ms", percentile(during.latenciesMicros, 99));
          put(key + ".live_failed_during_builds", during.failures.get());
        }
      }
    }
    Path out = Path.of("target", "bench", "builders.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    System.out.println();
    System.out.println("Potions builders (one app server and one build server, Debian 12 containers, this machine)");
    results.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-44s %s%n", k, v));
    System.out.println("written to " + out.toAbsolutePath());
  }

  private static AppSettings settings(String domain, Optional<String> builder) {
    return AppSettings.builder().addDomains(domain).https(false).releaseBuilder(builder)
        .healthCheck(HealthCheck.builder().settle(Duration.ofSeconds(1)).build()).build();
  }

  /** On-server: the git bundle (all that reaches the server). Build server: the content-addressed transfer. */
  private static long bytesToAppServer(Deployment d) {
    return d.log().stream().filter(l -> l.contains(" of manifest, "))
        .map(l -> Long.parseLong(l.replaceAll("^.*sent (\\d+) bytes.*$", "$1"))).findFirst().orElse(d.bytesSent());
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
