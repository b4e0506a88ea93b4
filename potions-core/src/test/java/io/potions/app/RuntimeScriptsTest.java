package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runtime versions are installed with mise; these machines cannot download them, so the text is checked. */
class RuntimeScriptsTest {
  @Test
  void toolVersionsAreRead() {
    RuntimeVersions v = RuntimeVersions.fromToolVersions("erlang 27.1.2\nelixir 1.17.3-otp-27 # pinned\nnodejs 20.18.0\nruby 3.3\n");
    assertThat(v.erlang()).contains("27.1.2");
    assertThat(v.elixir()).contains("1.17.3-otp-27");
    assertThat(v.nodejs()).contains("20.18.0");
    assertThat(RuntimeVersions.fromToolVersions("ruby 3.3\n").isDistributionDefault()).isTrue();
  }

  @Test
  void theInstallScriptInstallsErlangBeforeElixirAndFailsClearly() {
    String script = RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27")
        .nodejs("20.18.0").build());
    assertThat(script).contains("MISE_DATA_DIR=/opt/potions/.runtimes/mise");
    assertThat(script).contains("/opt/potions/.runtimes/bin/mise install erlang@27.1.2 || { echo 'POTIONS_RUNTIME_UNAVAILABLE erlang@27.1.2'; exit 3; }");
    assertThat(script.indexOf("erlang@27.1.2")).isLessThan(script.indexOf("elixir@1.17.3-otp-27"));
    assertThat(script).contains("node@20.18.0");
  }

  @Test
  void theBuildUsesThePinnedRuntimesFirstOnPath() {
    assertThat(RuntimeScripts.pathPrefix(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27").build()))
        .isEqualTo("/opt/potions/.runtimes/mise/installs/elixir/1.17.3-otp-27/bin:"
            + "/opt/potions/.runtimes/mise/installs/erlang/27.1.2/bin");
    assertThat(RuntimeScripts.pathPrefix(RuntimeVersions.distribution())).isEmpty();
    // The prefix travels to the root helper as an argument (it checks it lies under the runtimes),
    // and the build script the helper runs puts it first on PATH.
    assertThat(AppScripts.build("shop", "0123456789abcdef0123456789abcdef01234567", "r1", "/x/bin", Duration.ofMinutes(5)))
        .contains(" build shop r1 0123456789abcdef0123456789abcdef01234567 300 /x/bin\n");
    assertThat(io.potions.internal.provision.SystemFiles.buildScript())
        .contains("if [ -n \"$path_prefix\" ]; then export PATH=\"$path_prefix:$PATH\"; fi");
  }

  @Test
  void versionsThatAreNotVersionsAreRefused() {
    assertThatThrownBy(() -> RuntimeVersions.builder().erlang("27; rm -rf /").build())
        .isInstanceOf(InvalidInputException.class);
  }
}
