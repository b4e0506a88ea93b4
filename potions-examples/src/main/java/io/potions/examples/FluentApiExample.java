package io.potions.examples;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.AppStatus;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.SampleRepository;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The fluent API in a plain Java program: a server from a cloud, an app with a database, its
 * environment, a deploy, its status, history and logs. It uses the local cloud; swap one line for
 * DigitalOcean:
 *
 * <pre>{@code
 * .cloud(DigitalOceanProvider.builder()
 *     .client(DigitalOceanClient.builder().tokenFromEnvironment().build()).build())
 * }</pre>
 *
 * <p>Run it with {@code ./potions example fluent}.
 */
public final class FluentApiExample {
  /** The app this example creates. */
  public static final String APP = "fluent";

  private FluentApiExample() {}

  /**
   * Runs the example with the configuration from the system properties.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(ExampleConfig.fromSystemProperties(), System.out);
  }

  /**
   * Runs the example.
   *
   * @param config the SDK home, server name and work directory
   * @param out where to print
   * @return the deployment it made
   */
  public static Deployment run(ExampleConfig config, PrintStream out) {
    try (SampleRepository repo = SampleRepository.openOrCreate(config.work(APP), config.sampleApp());
         Potions potions = Potions.builder()
             .cloud(LocalCloud.fromSnapshot())
             .home(config.home())
             .progress(new ConsoleProgress(out, config.verbose()))
             .build()) {

      // Find or create the server, then bring it to the state Potions needs (quick when it is).
      Server server = potions.server(config.server()).provision();
      out.println("Server: " + server.facts());

      // An app: its code comes from a git repository, its settings live on the server.
      App app = server.app(APP).withSource(GitRepositorySource.local(repo.dir()));
      if (!app.exists()) {
        app.create(AppSettings.builder()
            .addDomains("fluent.localhost")
            .https(false)                                   // no certificate for a local name
            .migrationCommand("PotionsSample.Release.migrate()")
            .healthCheck(HealthCheck.builder().path("/health").deadline(Duration.ofSeconds(60)).build())
            .build());
      }

      // Environment variables: kept in a 0600 file on the server, never printed.
      app.env()
          .set("GREETING", "hello from the fluent example")
          .set("SAMPLE_EXPOSED_ENV", "GREETING");
      out.println("Env: " + app.env().list());

      // Build on the server, start in the standby slot, health-check, switch.
      Deployment deployment = app.deploy(SampleRepository.BRANCH);
      out.println("Deployed: " + deployment);

      AppStatus status = app.status();
      out.println("Status: live in " + status.liveSlot().orElseThrow() + ", healthy=" + status.healthy()
          + ", commit " + status.liveCommit().orElseThrow().substring(0, 7));
      out.println("History: " + app.deployments().size() + " deployment(s); last: "
          + app.deployments().get(app.deployments().size() - 1).id());
      out.println("Log:");
      app.logs(5).forEach(line -> out.println("  " + line));
      return deployment;
    }
  }
}
