package io.potions.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DistributionTest {
  @Test
  void recognisesTheSupportedDistributions() {
    assertThat(Distribution.fromOsRelease("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"))
        .isEqualTo(Distribution.DEBIAN_12);
    assertThat(Distribution.fromOsRelease("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nVERSION_ID=\"13\"\n"
        + "VERSION_CODENAME=trixie\nDEBIAN_VERSION_FULL=13.8\nID=debian\n"))
        .isEqualTo(Distribution.DEBIAN_13);
    assertThat(Distribution.DEBIAN_13.displayName()).isEqualTo("Debian 13");
    assertThat(Distribution.fromOsRelease("NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n"))
        .isEqualTo(Distribution.UBUNTU_24_04);
  }

  @Test
  void refusesOthersNamingWhatItFound() {
    assertThatThrownBy(() -> Distribution.fromOsRelease("ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"))
        .isInstanceOf(UnsupportedOperatingSystemException.class).hasMessageContaining("Ubuntu 22.04.4 LTS")
        .hasMessageContaining("Nothing was changed");
    assertThatThrownBy(() -> Distribution.fromOsRelease("")).hasMessageContaining("unknown OS");
  }
}
