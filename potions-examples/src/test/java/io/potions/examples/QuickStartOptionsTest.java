package io.potions.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.testkit.Tee;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickStartOptionsTest {
  private final ExampleConfig defaults = new ExampleConfig(Path.of("/h"), "quickstart", Path.of("/h/examples"),
      Path.of("/src/sample-app"), false);

  @Test
  void noArgumentsRunTheQuickStartWithTheDefaults() {
    QuickStart.Options o = QuickStart.Options.parse(new String[0], defaults);
    assertThat(o.command()).isEqualTo("quickstart");
    assertThat(o.config()).isEqualTo(defaults);
  }

  @Test
  void optionsOverrideTheDefaultsAndTheWorkDirFollowsTheHome() {
    QuickStart.Options o = QuickStart.Options.parse(
        new String[] {"--verbose", "cleanup", "--server", "web-2", "--home", "/other"}, defaults);
    assertThat(o.command()).isEqualTo("cleanup");
    assertThat(o.config()).isEqualTo(new ExampleConfig(Path.of("/other"), "web-2", Path.of("/other/examples"),
        Path.of("/src/sample-app"), true));
    assertThat(QuickStart.Options.parse(new String[] {"--work-dir", "/w", "-v"}, defaults).config().workDir())
        .isEqualTo(Path.of("/w"));
  }

  @Test
  void mistakesAreUsageErrors() {
    assertThatThrownBy(() -> QuickStart.Options.parse(new String[] {"deploy"}, defaults))
        .hasMessage("Unknown command 'deploy'.");
    assertThatThrownBy(() -> QuickStart.Options.parse(new String[] {"--server"}, defaults))
        .hasMessage("--server needs a value.");
    assertThatThrownBy(() -> QuickStart.Options.parse(new String[] {"--fast"}, defaults))
        .hasMessage("Unknown option --fast.");
    assertThatThrownBy(() -> QuickStart.Options.parse(new String[] {"quickstart", "cleanup"}, defaults))
        .hasMessageContaining("One command at a time");
    Tee tee = Tee.to(System.out);
    assertThat(QuickStart.run(new String[] {"nonsense"}, tee.out(), Map.of())).isEqualTo(2);
    assertThat(tee.text()).contains("Unknown command 'nonsense'.", "Usage: ./potions");
  }

  @Test
  void helpPrintsTheUsage() {
    Tee tee = Tee.to(System.out);
    assertThat(QuickStart.run(new String[] {"help"}, tee.out(), Map.of())).isZero();
    assertThat(tee.text()).contains("quickstart", "cleanup", "--verbose", "DIGITALOCEAN_TOKEN");
    assertThat(QuickStart.Options.parse(new String[] {"-h", "cleanup"}, defaults).command()).isEqualTo("help");
  }

  @Test
  void theCloudFollowsTheEnvironment() {
    assertThat(Clouds.fromEnvironment(Map.of()).local()).isTrue();
    Clouds.Choice digitalOcean = Clouds.fromEnvironment(Map.of("DIGITALOCEAN_TOKEN", "dop_v1_example"));
    assertThat(digitalOcean.local()).isFalse();
    assertThat(digitalOcean.provider().name()).isEqualTo("digitalocean");
    assertThat(digitalOcean.description()).doesNotContain("dop_v1_example");
    assertThat(Clouds.gitHubConfigured(Map.of("POTIONS_GITHUB_REPOSITORY", "me/shop", "GITHUB_TOKEN", "t"))).isTrue();
    assertThat(Clouds.gitHubSource(Map.of("POTIONS_GITHUB_REPOSITORY", "me/shop", "GITHUB_TOKEN", "t"))).isEmpty();
  }
}
