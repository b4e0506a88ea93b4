package io.potions.app;

import static io.potions.app.FakeServer.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.potions.provision.Distribution;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeCheckTest {
  private static final RuntimeCheck.Installed DEBIAN_12 = RuntimeCheck.SHIPPED.get(Distribution.DEBIAN_12);
  private static final RuntimeCheck.Installed DEBIAN_13 = RuntimeCheck.SHIPPED.get(Distribution.DEBIAN_13);

  @Test
  void aPinMatchesWhenItsPartsAreTheInstalledVersionsFirstParts() {
    assertThat(RuntimeCheck.matches("27", "27.3.4.1")).isTrue();
    assertThat(RuntimeCheck.matches("27.3", "27.3.4.1")).isTrue();
    assertThat(RuntimeCheck.matches("27.3.4.1", "27.3.4.1")).isTrue();
    assertThat(RuntimeCheck.matches("27.1.2", "27.3.4.1")).isFalse();
    assertThat(RuntimeCheck.matches("2", "27.3")).isFalse();
    assertThat(RuntimeCheck.matches("1.18", "1.18.3")).isTrue();
    assertThat(RuntimeCheck.matches("1.1", "1.18.3")).isFalse();
    assertThat(RuntimeCheck.matches("1.18.3.1", "1.18.3")).isFalse();
    assertThat(RuntimeCheck.matches("20", "")).isFalse();
  }

  @Test
  void theElixirPinsOtpSuffixIsAnOtpRequirement() {
    assertThat(RuntimeCheck.elixirPart("1.17.3-otp-27")).isEqualTo("1.17.3");
    assertThat(RuntimeCheck.otpOfElixirPin("1.17.3-otp-27")).contains("27");
    assertThat(RuntimeCheck.otpOfElixirPin("1.17.3")).isEmpty();
    assertThat(RuntimeCheck.refusal(RuntimeVersions.builder().elixir("1.18-otp-27").build(), ".tool-versions", DEBIAN_13))
        .isEmpty();
    assertThat(RuntimeCheck.refusal(RuntimeVersions.builder().elixir("1.18-otp-26").build(), ".tool-versions", DEBIAN_13))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("Erlang/OTP (from the Elixir pin 1.18-otp-26) 26 requested; this Debian 13 server has 27.3.4.1"));
  }

  @Test
  void anElixirTheServerLacksIsRefusedNamingBothVersionsAndTheWaysOut() {
    Optional<String> m = RuntimeCheck.refusal(RuntimeVersions.builder().elixir("1.17").build(), ".tool-versions", DEBIAN_12);
    assertThat(m).hasValue("Elixir 1.17 requested; this Debian 12 server has 1.14.0. The on-server builder uses the"
        + " distribution's packages and cannot install other versions. To fix it: build on a build server or in a"
        + " container that has it, loosen the pin (such as 'elixir 1.14' to accept any 1.14.x), or remove it from"
        + " .tool-versions to build with the server's own versions.");
    // Debian 13 has what is asked: it is suggested.
    assertThat(RuntimeCheck.refusal(RuntimeVersions.builder().elixir("1.18").erlang("27").build(), "the settings", DEBIAN_12))
        .hasValueSatisfying(s -> assertThat(s).contains("Erlang/OTP 27 requested; this Debian 12 server has 25.2.3; Elixir 1.18"
            + " requested; this Debian 12 server has 1.14.0")
            .contains("use a Debian 13 server (it ships OTP 27.3.4.1, Elixir 1.18.3, Node.js 20.19.2)")
            .doesNotContain("use a Debian 12 server").contains("remove it from the settings"));
  }

  @Test
  void aMissingNodeIsNamedAsNotInstalled() {
    RuntimeCheck.Installed noNode = new RuntimeCheck.Installed("Debian 12", "25.2.3", "1.14.0", "");
    assertThat(RuntimeCheck.refusal(RuntimeVersions.builder().nodejs("18").build(), ".tool-versions", noNode))
        .hasValueSatisfying(s -> assertThat(s).startsWith("Node.js 18 requested; this Debian 12 server has none installed"));
    assertThat(RuntimeCheck.refusal(RuntimeVersions.builder().nodejs("18").build(), ".tool-versions", DEBIAN_12)).isEmpty();
  }

  @Test
  void theProbesOutputIsRead() {
    RuntimeCheck.Installed have = RuntimeCheck.Installed.parse(result(0, "os_id=debian", "os_version=13",
        "erlang=27.3.4.1", "elixir=1.18.3", "nodejs=20.19.2", "npm=9.2.0"));
    assertThat(have).isEqualTo(DEBIAN_13);
    assertThat(RuntimeCheck.Installed.parse(result(0, "os_id=ubuntu", "os_version=24.04", "erlang=", "elixir=",
        "nodejs=")).server()).isEqualTo("Ubuntu 24.04");
    assertThat(RuntimeCheck.probeScript()).contains("OTP_VERSION").contains("elixir --version").contains("node --version");
  }
}
