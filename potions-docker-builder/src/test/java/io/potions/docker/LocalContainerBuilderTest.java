package io.potions.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.shell.ShellCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalContainerBuilderTest {
  @Test
  void theBuildContainersScriptsPassShellCheck() throws Exception {
    ShellCheck.assertClean(Map.of("container-build", resource("container-build.sh"),
        "runtime-versions", ShellCheck.REMOTE_PRELUDE + resource("runtime-versions.sh")));
  }

  @Test
  void theImageRecipeStartsFromTheBaseAndAddsTheBuildTools() throws Exception {
    String dockerfile = ScriptTemplate.load(LocalContainerBuilder.class, "/io/potions/docker/build-image.Dockerfile")
        .raw("BASE", "hexpm/elixir:1.17.3-erlang-27.1.2-debian-bookworm-20241016").render();
    assertThat(dockerfile).contains("FROM hexpm/elixir:1.17.3-erlang-27.1.2-debian-bookworm-20241016\n")
        .contains("nodejs npm").contains("erlang-nox erlang-dev elixir").contains("git");
    // ShellCheck sees the RUN line as the shell script it is.
    String run = dockerfile.substring(dockerfile.indexOf("RUN ") + 4, dockerfile.indexOf("\nLABEL")).replace("\\\n", "\n");
    ShellCheck.assertClean(Map.of("image-run", run));
  }

  @Test
  void aPinMatchesTheInstalledVersionOrAPrefixAtADot() {
    assertThat(LocalContainerBuilder.matches("27", "27.3.4.1")).isTrue();
    assertThat(LocalContainerBuilder.matches("27.3.4.1", "27.3.4.1")).isTrue();
    assertThat(LocalContainerBuilder.matches("v20", "20.19.2")).isTrue();
    assertThat(LocalContainerBuilder.matches("2", "25.2.3")).isFalse();
    assertThat(LocalContainerBuilder.matches("1.17", "1.14.0")).isFalse();
    assertThat(LocalContainerBuilder.matches("20", "")).isFalse();
  }

  @Test
  void badSettingsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> BaseImage.local("debian bookworm")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no spaces");
    assertThatThrownBy(() -> BaseImage.pulled(" ")).isInstanceOf(InvalidInputException.class);
    LocalContainerBuilder.Builder b = LocalContainerBuilder.builder(BaseImage.pulled("debian:bookworm"));
    assertThatThrownBy(() -> b.memoryMib(100)).isInstanceOf(InvalidInputException.class).hasMessageContaining("256");
    assertThatThrownBy(() -> b.cpus(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("more than 0");
    assertThatThrownBy(() -> b.cacheVolumePrefix("a/b")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.cpuSet("1;rm")).isInstanceOf(InvalidInputException.class).hasMessageContaining("0,2-3");
    assertThatThrownBy(() -> b.cpuSet("")).isInstanceOf(InvalidInputException.class);
    assertThat(b.cpuSet("0,2-3").cpuSet("1").build().name()).isEqualTo("local-container");
    assertThat(b.memoryMib(4096).cpus(1).build().name()).isEqualTo("local-container");
    assertThat(BaseImage.pulled("debian:bookworm").pullWhenMissing()).isTrue();
    assertThat(BaseImage.local("potions-testkit/rootfs:abc").pullWhenMissing()).isFalse();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = LocalContainerBuilder.class.getResourceAsStream("/io/potions/docker/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
