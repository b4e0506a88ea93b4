package io.potions.examples;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.SampleRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Deploys with a custom {@link io.potions.spi.SourceHost}, {@link DirectorySource}: the sample app
 * from a plain directory (no git), then again after editing a file in it, which sends only what
 * changed. Run it with {@code ./potions example directory}.
 */
public final class DirectorySourceExample {
  /** The app this example creates. */
  public static final String APP = "from-dir";

  private DirectorySourceExample() {}

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
   * @return the two deployments: the directory as copied, then after the edit
   */
  public static List<Deployment> run(ExampleConfig config, PrintStream out) {
    Path dir = config.work("plain-directory/app");
    if (!Files.isDirectory(dir)) {
      SampleRepository.copy(config.sampleApp(), dir);
    }
    DirectorySource source = new DirectorySource(dir, config.work("plain-directory/history.git"),
        line -> out.println("  [source] " + line));
    try (Potions potions = Potions.builder()
        .cloud(LocalCloud.fromSnapshot())
        .home(config.home())
        .progress(new ConsoleProgress(out, config.verbose()))
        .build()) {
      Server server = potions.server(config.server()).provision();
      App app = server.app(APP).withSource(source);
      if (!app.exists()) {
        app.create(AppSettings.builder().addDomains("from-dir.localhost").https(false).build());
      }
      Deployment first = app.deploy("current");
      out.println("Deployed " + source.describe() + ": sent " + first.bytesSent() + " bytes");

      // Edit the directory in place: no commit, no git. The next resolve takes a new snapshot.
      String version = SampleRepository.nextVersion(read(dir.resolve("VERSION")));
      write(dir.resolve("VERSION"), version + "\n");
      Deployment second = app.deploy("current");
      out.println("Deployed version " + version + ": sent " + second.bytesSent() + " bytes (only what changed)");
      return List.of(first, second);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
