package io.potions.app;

import static io.potions.app.FakeServer.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.potions.app.DeployFailedException.Reason;
import io.potions.source.SourceCommit;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildLimits;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.RemoteCommand;
import io.potions.spi.SourceHost;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The on-server builder's limits and runtimes, against an in-memory server. */
class OnServerBuilderTest {
  private static final SourceCommit COMMIT = new SourceCommit("b".repeat(40), "main", "change", "dev");
  private static final String DEBIAN_12 = "os_id=debian\nos_version=12\nerlang=25.2.3\nelixir=1.14.0\nnodejs=\nnpm=";
  private static final String DEBIAN_13 = "os_id=debian\nos_version=13\nerlang=27.3.4.1\nelixir=1.18.3\nnodejs=20.19.2\nnpm=9.2.0";

  private final FakeServer server = new FakeServer();
  private final List<String> log = new ArrayList<>();

  @Test
  void theBuildRunsWithTheAppsMemoryCeilingAndCpuWeight() {
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    BuiltRelease built = new OnServerBuilder().build(request(Optional.empty(), RuntimeVersions.distribution(),
        new BuildLimits(Optional.of(768), 35)));
    assertThat(built.releaseName()).isEqualTo("shop");
    assertThat(script("Building")).contains(" build shop r1 " + COMMIT.sha() + " 600 768 35\n");
    // Unset: 0 asks the root helper for half of the server's memory.
    new OnServerBuilder().build(request(Optional.empty(), RuntimeVersions.distribution(), BuildLimits.DEFAULTS));
    assertThat(lastScript("Building")).contains(" build shop r1 " + COMMIT.sha() + " 600 0 20\n");
  }

  @Test
  void aBuildStoppedAtItsMemoryCeilingFailsWithWhatToRaise() {
    server.on("Building", result(137, "==> mix compile", "POTIONS_BUILD_OUT_OF_MEMORY=512"));
    BuildFailure e = catchThrowableOfType(() -> new OnServerBuilder().build(request(Optional.empty(),
        RuntimeVersions.distribution(), new BuildLimits(Optional.of(512), 20))), BuildFailure.class);
    assertThat(e.reason()).isEqualTo(Reason.BUILD_OUT_OF_MEMORY);
    assertThat(e.getMessage()).startsWith("The build needed more than 512 MB of memory")
        .contains("the live app kept serving").contains("buildMemoryMaxMib").contains("build server")
        .contains("==> mix compile");
    assertThat(server.ran("Removing the failed release")).isTrue();
  }

  @Test
  void aFullDiskIsNamedWhetherTheCLibraryOrErlangReportsIt() {
    for (String line : List.of("cp: error writing 'x': No space left on device",
        "** (MatchError) no match of right hand side value: {:error, {:file_error, '/b/.mix/compile.app_tracer', :enospc}}")) {
      server.on("Building", result(1, "==> mix compile", line));
      BuildFailure e = catchThrowableOfType(() -> new OnServerBuilder().build(request(Optional.empty(),
          RuntimeVersions.distribution(), BuildLimits.DEFAULTS)), BuildFailure.class);
      assertThat(e.reason()).isEqualTo(Reason.BUILD_FAILED);
      assertThat(e.getMessage()).contains("No space left on device: the server's disk (or the build area) is full");
    }
  }

  @Test
  void aBuildKilledWithoutTheMarkerIsAnOrdinaryFailure() {
    server.on("Building", result(1, "** (CompileError) lib/shop.ex:3"));
    BuildFailure e = catchThrowableOfType(() -> new OnServerBuilder().build(request(Optional.empty(),
        RuntimeVersions.distribution(), BuildLimits.DEFAULTS)), BuildFailure.class);
    assertThat(e.reason()).isEqualTo(Reason.BUILD_FAILED);
    assertThat(e.getMessage()).doesNotContain("buildMemoryMaxMib");
  }

  @Test
  void aToolVersionsPinTheServerLacksIsRefusedBeforeAnythingIsBuilt() {
    server.on("Reading the server's runtime versions", result(0, DEBIAN_12.split("\n")));
    BuildFailure e = catchThrowableOfType(() -> new OnServerBuilder().build(request(
        Optional.of("erlang 27.3\nelixir 1.17\n"), RuntimeVersions.distribution(), BuildLimits.DEFAULTS)),
        BuildFailure.class);
    assertThat(e.reason()).isEqualTo(Reason.RUNTIME_UNAVAILABLE);
    assertThat(e.getMessage()).contains("Erlang/OTP 27.3 requested; this Debian 12 server has 25.2.3")
        .contains("Elixir 1.17 requested; this Debian 12 server has 1.14.0")
        .contains("build server").contains("remove it from .tool-versions");
    assertThat(server.ran("Building")).isFalse();
    assertThat(server.ran("Installing runtimes")).isFalse();
    assertThat(server.uploads).isEmpty();
  }

  @Test
  void pinsTheServersOwnRuntimesMeetBuildWithThemAndInstallNothing() {
    server.on("Reading the server's runtime versions", result(0, DEBIAN_13.split("\n")));
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    new OnServerBuilder().build(request(Optional.empty(),
        RuntimeVersions.builder().erlang("27").elixir("1.18.3-otp-27").nodejs("20").build(), BuildLimits.DEFAULTS));
    assertThat(server.ran("Installing runtimes")).isFalse();
    // No PATH prefix: the distribution's runtimes are on PATH already.
    assertThat(script("Building")).contains(" 600 0 20\n");
    assertThat(log).anyMatch(l -> l.contains("pinned in the app's settings (AppSettings.runtime) are met by the"
        + " server's own: OTP 27.3.4.1, Elixir 1.18.3, Node.js 20.19.2"));
  }

  @Test
  void settingsPinsWinOverToolVersions() {
    server.on("Reading the server's runtime versions", result(0, DEBIAN_13.split("\n")));
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    // .tool-versions asks for what trixie lacks, the settings for what it has: the settings decide.
    new OnServerBuilder().build(request(Optional.of("elixir 1.17.3-otp-26\n"),
        RuntimeVersions.builder().elixir("1.18").build(), BuildLimits.DEFAULTS));
    assertThat(server.ran("Building")).isTrue();
  }

  @Test
  void noPinsReadNothingFromTheServer() {
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    new OnServerBuilder().build(request(Optional.of("ruby 3.3\n"), RuntimeVersions.distribution(), BuildLimits.DEFAULTS));
    assertThat(server.ran("Reading the server's runtime versions")).isFalse();
  }

  @Test
  void theBuilderThatInstallsPinnedRuntimesUsesMiseForWhatTheServerLacks() {
    server.on("Reading the server's runtime versions", result(0, DEBIAN_12.split("\n")));
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    OnServerBuilder.installingPinnedRuntimes().build(request(Optional.empty(),
        RuntimeVersions.builder().elixir("1.17.3-otp-27").build(), BuildLimits.DEFAULTS));
    assertThat(server.ran("Installing runtimes")).isTrue();
    assertThat(script("Building")).contains(" 600 0 20 /opt/potions/.runtimes/mise/installs/elixir/1.17.3-otp-27/bin\n");
  }

  @Test
  void anAppWithAssetsPackageJsonGetsTheDistributionsNodeBeforeItsBuild() {
    server.on("Building", result(0, "POTIONS_RELEASE_NAME=shop", "POTIONS_RELEASE_BYTES=10"));
    new OnServerBuilder().build(request(Optional.empty(), RuntimeVersions.distribution(), BuildLimits.DEFAULTS,
        "{\"private\": true}"));
    server.assertRanInOrder("Installing Node.js and npm for assets/package.json", "Building");
    assertThat(script("Installing Node.js")).isEqualTo("sudo -n /usr/local/sbin/potions-admin node-install");
    // Without it, nothing is installed.
    FakeServer other = new FakeServer();
    assertThat(other.ran("Installing Node.js")).isFalse();
    new OnServerBuilder().build(request(Optional.empty(), RuntimeVersions.distribution(), BuildLimits.DEFAULTS));
    assertThat(server.whatRan().stream().filter(w -> w.startsWith("Installing Node.js")).count()).isEqualTo(1);
  }

  @Test
  void aFailedNodeInstallFailsTheBuildBeforeItRuns() {
    server.on("Installing Node.js", result(100, "E: Unable to locate package npm"));
    BuildFailure e = catchThrowableOfType(() -> new OnServerBuilder().build(request(Optional.empty(),
        RuntimeVersions.distribution(), BuildLimits.DEFAULTS, "{}")), BuildFailure.class);
    assertThat(e.reason()).isEqualTo(Reason.RUNTIME_UNAVAILABLE);
    assertThat(e.getMessage()).contains("assets/package.json needs Node.js and npm").contains("Unable to locate package npm");
    assertThat(server.ran("Building")).isFalse();
  }

  private String script(String whatPrefix) {
    return server.ran.stream().filter(c -> c.what().startsWith(whatPrefix)).findFirst().map(RemoteCommand::script)
        .orElseThrow();
  }

  private String lastScript(String whatPrefix) {
    List<RemoteCommand> matching = server.ran.stream().filter(c -> c.what().startsWith(whatPrefix)).toList();
    return matching.get(matching.size() - 1).script();
  }

  private BuildRequest request(Optional<String> toolVersions, RuntimeVersions pinned, BuildLimits limits) {
    return request(toolVersions, pinned, limits, null);
  }

  private BuildRequest request(Optional<String> toolVersions, RuntimeVersions pinned, BuildLimits limits,
      String packageJson) {
    SourceHost source = new SourceHost() {
      @Override
      public String describe() {
        return "fake";
      }

      @Override
      public SourceCommit resolve(String ref) {
        return COMMIT;
      }

      @Override
      public void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
        // an empty bundle: the fake server takes anything
      }

      @Override
      public Optional<String> readFile(SourceCommit commit, String path) {
        return path.equals(".tool-versions") ? toolVersions
            : path.equals("assets/package.json") ? Optional.ofNullable(packageJson) : Optional.empty();
      }
    };
    return new BuildRequest("shop", "/opt/potions/shop", "r1", source, COMMIT, pinned, Duration.ofMinutes(10),
        server, log::add, limits);
  }
}
