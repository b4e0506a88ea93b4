package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import org.junit.jupiter.api.Test;

class BuildLimitsSettingsTest {
  private static ImmutableAppSettings.Builder settings() {
    return AppSettings.builder().addDomains("shop.example.com");
  }

  @Test
  void theDefaultsAreHalfTheServersMemoryAndWeight20() {
    AppSettings s = settings().build();
    assertThat(s.buildMemoryMaxMib()).isEmpty();
    assertThat(s.buildCpuWeight()).isEqualTo(20);
  }

  @Test
  void limitsOutsideTheirRangesAreRefusedSayingWhatTheyAre() {
    assertThatThrownBy(() -> settings().buildMemoryMaxMib(64).build()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("buildMemoryMaxMib 64 must be between 128 and 1048576");
    assertThatThrownBy(() -> settings().buildCpuWeight(0).build()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("buildCpuWeight 0 must be between 1 and 10000");
    assertThatThrownBy(() -> settings().buildCpuWeight(10_001).build()).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void theManifestOnTheServerKeepsThemAndOldManifestsGetTheDefaults() throws Exception {
    AppSettings s = settings().buildMemoryMaxMib(768).buildCpuWeight(50).build();
    AppManifest m = AppManifest.of("shop", 4000, s);
    String json = AppStore.JSON.writeValueAsString(m);
    assertThat(AppStore.JSON.readValue(json, AppManifest.class).settings()).isEqualTo(s);
    String old = json.replaceAll(",\"buildMemoryMaxMib\":768", "").replaceAll(",\"buildCpuWeight\":50", "");
    assertThat(old).doesNotContain("buildMemoryMaxMib").doesNotContain("buildCpuWeight");
    AppSettings loaded = AppStore.JSON.readValue(old, AppManifest.class).settings();
    assertThat(loaded.buildMemoryMaxMib()).isEmpty();
    assertThat(loaded.buildCpuWeight()).isEqualTo(20);
  }
}
