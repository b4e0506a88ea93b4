package io.potions.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.app.OnServerBuilder;
import io.potions.internal.engine.ReleaseBuilders;
import io.potions.internal.shell.ShellCheck;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildServerBuilderTest {
  @Test
  void theBuildServersScriptsAreRenderedWithQuotedValuesAndPassShellCheck() throws Exception {
    String prepare = BuildServerBuilder.prepare("shop");
    assertThat(prepare).contains("install -d -m 0755 /opt/potions/shop /opt/potions/shop/releases")
        .contains("sudo -n /usr/local/sbin/potions-admin build-user shop");
    assertThat(BuildServerBuilder.prepare("x'; reboot; '")).doesNotContain("build-user x'; reboot");
    String cleanup = BuildServerBuilder.cleanup("shop", "20250101T000000Z-abc1234-x1");
    assertThat(cleanup).contains("rm -f -- /opt/potions/shop/releases/20250101T000000Z-abc1234-x1")
        .contains("potions-admin build-release-delete shop 20250101T000000Z-abc1234-x1");
    ShellCheck.assertClean(Map.of("prepare", ShellCheck.REMOTE_PRELUDE + prepare,
        "cleanup", ShellCheck.REMOTE_PRELUDE + cleanup));
  }

  @Test
  void anAppChoosesABuilderByNameAndAnUnknownNameSaysWhichThereAre() {
    ReleaseBuilder onServer = new OnServerBuilder();
    ReleaseBuilder other = named("build-server builder-1");
    ReleaseBuilders all = new ReleaseBuilders(onServer, List.of(other));
    assertThat(all.select(Optional.empty())).isSameAs(onServer);
    assertThat(all.select(Optional.of("build-server builder-1"))).isSameAs(other);
    assertThat(all.select(Optional.of("on-server"))).isSameAs(onServer);
    assertThat(all.names()).containsExactly("on-server", "build-server builder-1");
    assertThatThrownBy(() -> all.select(Optional.of("local-container")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'local-container'").hasMessageContaining("on-server, build-server builder-1");
    assertThatThrownBy(() -> new ReleaseBuilders(onServer, List.of(named("on-server"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'on-server'");
  }

  private static ReleaseBuilder named(String name) {
    return new ReleaseBuilder() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public BuiltRelease build(BuildRequest request) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
