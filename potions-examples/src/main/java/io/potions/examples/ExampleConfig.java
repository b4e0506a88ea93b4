package io.potions.examples;

import io.potions.testkit.SampleRepository;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What every example needs to know: the SDK's home (its SSH key and pinned host keys), the server
 * to use, where to keep the examples' git repositories, where the sample app's sources are, and how
 * much to print. All examples use the same server by default, so after the quick start they reuse
 * its server and run in seconds.
 *
 * @param home the SDK's home, {@code ~/.potions} unless set
 * @param server the server's name, {@code quickstart} unless set
 * @param workDir where the examples keep their repositories, {@code <home>/examples} unless set
 * @param sampleApp the sample app's sources
 * @param verbose whether to print each step's output (the build log)
 */
public record ExampleConfig(Path home, String server, Path workDir, Path sampleApp, boolean verbose) {
  /** The server every example uses unless told otherwise. */
  public static final String DEFAULT_SERVER = "quickstart";

  /**
   * @param home the SDK's home
   * @param server the server's name
   * @param workDir where the repositories go
   * @param sampleApp the sample app's sources
   * @param verbose whether to print the build log
   */
  public ExampleConfig {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(sampleApp, "sampleApp");
  }

  /**
   * Reads {@code potions.home}, {@code potions.server}, {@code potions.workDir},
   * {@code potions.sampleApp} and {@code potions.verbose} from the system properties, with the defaults above.
   *
   * @return the configuration
   */
  public static ExampleConfig fromSystemProperties() {
    Path home = Path.of(System.getProperty("potions.home", System.getProperty("user.home") + "/.potions"));
    String workDir = System.getProperty("potions.workDir");
    return new ExampleConfig(home, System.getProperty("potions.server", DEFAULT_SERVER),
        workDir == null ? home.resolve("examples") : Path.of(workDir), SampleRepository.sampleAppSources(),
        Boolean.getBoolean("potions.verbose"));
  }

  /**
   * @param name a sub-directory name
   * @return that directory under {@link #workDir()}
   */
  public Path work(String name) {
    return workDir.resolve(name);
  }
}
