package io.potions.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.app.DeployFailedException.Reason;
import io.potions.internal.shell.ShellCheck;
import io.potions.spi.BuildFailure;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformCheckTest {
  // What the facts script printed on the testkit's Debian 12 and Debian 13 (trixie) root file systems.
  static final PlatformFacts BOOKWORM = PlatformFacts.parse("os_id=debian\nos_version=12\n"
      + "os_name=Debian GNU/Linux 12 (bookworm)\narch=x86_64\nglibc=2.36\nopenssl=3.0.17\n");
  static final PlatformFacts TRIXIE = PlatformFacts.parse("os_id=debian\nos_version=13\n"
      + "os_name=Debian GNU/Linux 13 (trixie)\narch=x86_64\nglibc=2.41\nopenssl=3.5.9\n");

  @Test
  void theSamePlatformPasses() {
    assertThat(PlatformCheck.differences(BOOKWORM, BOOKWORM)).isEmpty();
    PlatformCheck.require(BOOKWORM, BOOKWORM, "build server b1", "app-1");
  }

  @Test
  void aTrixieBuildForABookwormServerIsRefusedNamingEachDifferenceAndTheFix() {
    assertThat(PlatformCheck.differences(TRIXIE, BOOKWORM)).containsExactly(
        "distribution: built on Debian GNU/Linux 13 (trixie), the app server runs Debian GNU/Linux 12 (bookworm)",
        "glibc: built against 2.41, the app server has 2.36",
        "OpenSSL: built against 3.5.9, the app server has 3.0.17");
    assertThatThrownBy(() -> PlatformCheck.require(TRIXIE, BOOKWORM, "local container potions-build", "app-1"))
        .isInstanceOfSatisfying(BuildFailure.class, e -> assertThat(e.reason()).isEqualTo(Reason.PLATFORM_MISMATCH))
        .hasMessageContaining("nothing was sent")
        .hasMessageContaining("Debian GNU/Linux 12 (bookworm), x86_64")
        .hasMessageContaining("on-server builder");
  }

  @Test
  void architectureAndOlderOrNewerLibrariesAreJudgedOneWay() {
    PlatformFacts arm = new PlatformFacts("debian", "12", "Debian GNU/Linux 12 (bookworm)", "aarch64", "2.36", "3.0.17");
    assertThat(PlatformCheck.differences(arm, BOOKWORM)).containsExactly("architecture: built for aarch64, the app server is x86_64");
    // A point release of OpenSSL or an older glibc on the build side runs fine on the server.
    PlatformFacts older = new PlatformFacts("debian", "12", "", "x86_64", "2.35", "3.0.2");
    assertThat(PlatformCheck.differences(older, BOOKWORM)).isEmpty();
    PlatformFacts noSsl = new PlatformFacts("debian", "12", "", "x86_64", "2.36", "");
    assertThat(PlatformCheck.differences(BOOKWORM, noSsl)).containsExactly(
        "OpenSSL: built against 3.0.17, the app server has none (install libssl)");
    assertThat(PlatformCheck.newer("3.10", "3.9")).isTrue();
    assertThat(PlatformCheck.newer("2.36", "2.36")).isFalse();
  }

  @Test
  void theFactsScriptPassesShellCheckAndRunsHere() throws Exception {
    ShellCheck.assertClean(Map.of("platform", ShellCheck.REMOTE_PRELUDE + PlatformFacts.script()));
    Process p = new ProcessBuilder("bash", "-c", ShellCheck.REMOTE_PRELUDE + PlatformFacts.script()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    PlatformFacts here = PlatformFacts.parse(out);
    assertThat(here.arch()).isEqualTo(new String(new ProcessBuilder("uname", "-m").start().getInputStream()
        .readAllBytes(), StandardCharsets.UTF_8).trim());
    assertThat(here.glibc()).matches("\\d+\\.\\d+");
    assertThat(here.osId()).isNotEmpty();
    assertThat(PlatformCheck.differences(here, here)).isEmpty();
  }
}
