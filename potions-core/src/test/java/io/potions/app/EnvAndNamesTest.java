package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import io.potions.internal.engine.EnvFile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvAndNamesTest {
  @Test
  void envFilesRoundTripAnyValue() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("PLAIN", "value");
    vars.put("QUOTES", "it's \"quoted\"");
    vars.put("DOLLAR", "$HOME and ${X} and `id`");
    vars.put("BACKSLASH", "C:\\path\\");
    vars.put("EMPTY", "");
    vars.put("UNICODE", "ünïcödé ✓");
    assertThat(EnvFile.parse(EnvFile.render(vars))).isEqualTo(vars);
    assertThat(EnvFile.render(Map.of("A", "$x"))).isEqualTo("A=\"\\$x\"\n");
  }

  @Test
  void envFilesAreReadBySystemdTheWayTheyAreWritten() throws Exception {
    // systemd-style parsing is what the server does; bash's own double-quote rules match it for
    // these escapes, so a shell reading the file sees the same values.
    Map<String, String> vars = Map.of("V", "a \"b\" $c `d` \\e");
    java.nio.file.Path f = java.nio.file.Files.createTempFile("env", ".env");
    java.nio.file.Files.writeString(f, EnvFile.render(vars));
    Process p = new ProcessBuilder("bash", "-c", "set -a; . " + f + "; printf '%s' \"$V\"").start();
    assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo(vars.get("V"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"STORAGE_DIR", "DATABASE_URL", "SECRET_KEY_BASE", "PORT", "PHX_HOST", "RELEASE_NODE",
      "POTIONS_SLOT", "POTIONS_ANYTHING"})
  void reservedKeysAreRefusedWithTheKeyNamed(String key) {
    assertThatThrownBy(() -> EnvFile.requireUserKey(key)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(key);
  }

  @Test
  void eachSlotNodeListensOnItsOwnLoopbackPortWithoutEpmdAndKeepsTheUsersErlOptions() {
    AppManifest m = AppManifest.of("shop", 4010, AppSettings.builder().addDomains("shop.example.com").build());
    ReleaseRecord r = new ReleaseRecord("r1", "abc", "shop", 1);
    Map<String, String> blue = DeployEngine.mergeEnv("shop", m, Map.of(), Map.of(), r, Slot.BLUE);
    Map<String, String> green = DeployEngine.mergeEnv("shop", m, Map.of(),
        Map.of("ELIXIR_ERL_OPTIONS", "+sbwt none"), r, Slot.GREEN);
    assertThat(blue).containsEntry("POTIONS_DIST_PORT", "4015").containsEntry("ELIXIR_ERL_OPTIONS",
        "-start_epmd false -erl_epmd_port 4015 -kernel inet_dist_use_interface {127,0,0,1}");
    assertThat(green).containsEntry("POTIONS_DIST_PORT", "4016").containsEntry("ELIXIR_ERL_OPTIONS",
        "-start_epmd false -erl_epmd_port 4016 -kernel inet_dist_use_interface {127,0,0,1} +sbwt none");
  }

  @Test
  void poolSizeMayBeOverriddenButNotTheSlotsOwnValues() {
    AppManifest m = AppManifest.of("shop", 4010, AppSettings.builder().addDomains("shop.example.com").build());
    Map<String, String> env = DeployEngine.mergeEnv("shop", m, Map.of("POOL_SIZE", "10", "DATABASE_URL", "db"),
        Map.of("POOL_SIZE", "20", "PORT", "1", "CUSTOM", "x"), new ReleaseRecord("r1", "abc", "shop", 1), Slot.GREEN);
    assertThat(env).containsEntry("POOL_SIZE", "20").containsEntry("PORT", "4012").containsEntry("CUSTOM", "x")
        .containsEntry("DATABASE_URL", "db").containsEntry("RELEASE_NODE", "shop_green@127.0.0.1")
        .containsEntry("RELEASE_DISTRIBUTION", "name")
        .containsEntry("POTIONS_DIST_PORT", "4016").containsEntry("POTIONS_RELEASE_NAME", "shop")
        .containsEntry("PHX_HOST", "shop.example.com");
  }

  @Test
  void rollbackTargetsTheReleaseBeforeTheLiveOne() {
    List<ReleaseRecord> releases = List.of(new ReleaseRecord("r3", "c3", "a", 1),
        new ReleaseRecord("r2", "c2", "a", 1), new ReleaseRecord("r1", "c1", "a", 1));
    assertThat(DeployEngine.previousRelease(new AppStore.LiveState(Optional.of(Slot.BLUE), Optional.of("r3"), releases)))
        .map(ReleaseRecord::id).contains("r2");
    assertThat(DeployEngine.previousRelease(new AppStore.LiveState(Optional.of(Slot.BLUE), Optional.of("r2"), releases)))
        .map(ReleaseRecord::id).contains("r1");
    assertThat(DeployEngine.previousRelease(new AppStore.LiveState(Optional.of(Slot.BLUE), Optional.of("r1"), releases)))
        .isEmpty();
  }

  @Test
  void rollingBackTwiceGoesTwoReleasesBack() {
    ReleaseRecord r1 = new ReleaseRecord("r1", "c1", "a", 1);
    ReleaseRecord r2 = new ReleaseRecord("r2", "c2", "a", 1);
    ReleaseRecord r3 = new ReleaseRecord("r3", "c3", "a", 1);
    List<ReleaseRecord> kept = DeployEngine.releasesAfter(
        DeployEngine.releasesAfter(DeployEngine.releasesAfter(List.of(), r1), r2), r3);
    assertThat(kept).extracting(ReleaseRecord::id).containsExactly("r3", "r2", "r1");
    // Roll back from r3 to r2: the list keeps its order, so the next rollback goes to r1.
    List<ReleaseRecord> afterRollback = DeployEngine.releasesAfter(kept, r2);
    assertThat(afterRollback).extracting(ReleaseRecord::id).containsExactly("r3", "r2", "r1");
    assertThat(DeployEngine.previousRelease(new AppStore.LiveState(Optional.of(Slot.GREEN), Optional.of("r2"),
        afterRollback))).map(ReleaseRecord::id).contains("r1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Shop", "1shop", "shop_", "shop-", "sh--op", "shop;rm", "../etc", "shop app",
      "a234567890123456789012345678901", "potions", "ünï"})
  void badAppNamesAreRefused(String name) {
    assertThatThrownBy(() -> Names.app(name)).isInstanceOf(InvalidInputException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"shop", "shop-api", "a1", "abcdefghij0123456789abcdefghij"})
  void goodAppNamesPass(String name) {
    assertThat(Names.app(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "exa mple.com", "-a.com", "a..com", "a.com;rm -rf /", "a_b.com", "http://a.com",
      "a.com/path", "ex\u00e4mple.com"})
  void badDomainsAreRefused(String domain) {
    assertThatThrownBy(() -> Names.domain(domain)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void domainsAreNormalised() {
    assertThat(Names.domain("Shop.Example.COM")).isEqualTo("shop.example.com");
    assertThat(Names.domain("*.example.com")).isEqualTo("*.example.com");
  }

  @Test
  void envValuesThatAFileCannotHoldAreRefused() {
    assertThatThrownBy(() -> Names.envValue("K", "a\nb")).hasMessageContaining("line break");
    assertThatThrownBy(() -> Names.envValue("K", "x".repeat(40_000))).hasMessageContaining("32768");
    assertThatThrownBy(() -> Names.envKey("1ABC")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Names.envKey("A-B")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> AppSettings.builder().build()).hasMessageContaining("at least one domain");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").buildTimeout(Duration.ofSeconds(1)).build())
        .hasMessageContaining("Build timeout");
    assertThatThrownBy(() -> HealthCheck.builder().path("health").build()).hasMessageContaining("path");
    assertThatThrownBy(() -> HealthCheck.builder().path("/../x").build()).hasMessageContaining("path");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").migrationCommand("a\nb").build())
        .hasMessageContaining("one line");
    assertThat(AppSettings.builder().addDomains("A.com", "a.com").build().domains()).containsExactly("a.com");
  }

  @Test
  void manifestsRoundTripSettings() {
    AppSettings s = AppSettings.builder().addDomains("a.com", "b.com").https(false).migrationCommand("M.migrate()")
        .healthCheck(HealthCheck.builder().path("/up").expectedStatus(204).host("a.com").build())
        .runtime(RuntimeVersions.builder().erlang("27.1").build()).build();
    assertThat(AppManifest.of("x", 4000, s).settings()).isEqualTo(s);
  }

  @Test
  void resourceLimitsHaveDefaultsAndClearBounds() {
    AppSettings d = AppSettings.builder().addDomains("a.com").build();
    assertThat(d.memoryMaxMib()).isEqualTo(512);
    assertThat(d.cpuQuotaPercent()).isEqualTo(100);
    assertThat(d.tasksMax()).isEqualTo(512);
    AppSettings s = AppSettings.builder().addDomains("a.com").memoryMaxMib(64).cpuQuotaPercent(6400).tasksMax(32).build();
    assertThat(AppManifest.of("x", 4000, s).settings()).isEqualTo(s);
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").memoryMaxMib(63).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("memoryMaxMib 63 must be between 64 and 1048576");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").memoryMaxMib(1_048_577).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("memoryMaxMib");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").cpuQuotaPercent(0).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("cpuQuotaPercent 0 must be between 1 and 6400");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").cpuQuotaPercent(6401).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("cpuQuotaPercent");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").tasksMax(31).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tasksMax 31 must be between 32 and 65535");
    assertThatThrownBy(() -> AppSettings.builder().addDomains("a.com").tasksMax(65_536).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tasksMax");
  }

  @Test
  void aManifestWrittenBeforeLimitsExistedLoadsWithTheDefaults() throws Exception {
    AppManifest current = AppManifest.of("x", 4000, AppSettings.builder().addDomains("a.com").memoryMaxMib(300).build());
    String json = AppStore.JSON.writeValueAsString(current);
    assertThat(json).contains("\"memoryMaxMib\":300", "\"cpuQuotaPercent\":100", "\"tasksMax\":512");
    String old = json.replaceAll(",\"(memoryMaxMib|cpuQuotaPercent|tasksMax)\":\\d+", "");
    assertThat(old).doesNotContain("memoryMaxMib", "cpuQuotaPercent", "tasksMax");
    AppSettings loaded = AppStore.JSON.readValue(old, AppManifest.class).settings();
    assertThat(loaded.memoryMaxMib()).isEqualTo(512);
    assertThat(loaded.cpuQuotaPercent()).isEqualTo(100);
    assertThat(loaded.tasksMax()).isEqualTo(512);
  }

  @Test
  void createGivesTheAppItsOwnUserStorageAndLimitsThroughTheHelper() {
    String script = AppScripts.createLayout("shop", AppSettings.builder().addDomains("a.com")
        .memoryMaxMib(384).cpuQuotaPercent(150).tasksMax(256).build());
    assertThat(script).contains("sudo -n /usr/local/sbin/potions-admin app-init shop 384 150 256")
        .doesNotContain("storage");
    assertThat(io.potions.internal.provision.SystemFiles.buildScript())
        .contains("ln -sfn \"/var/lib/potions/storage/$app\" \"$release/storage\"");
  }
}
