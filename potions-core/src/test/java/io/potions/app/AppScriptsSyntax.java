package io.potions.app;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Samples of every app script, rendered with awkward but valid inputs, for syntax checks. */
public final class AppScriptsSyntax {
  private AppScriptsSyntax() {}

  /** @return label to script */
  public static Map<String, String> samples() {
    Map<String, String> s = new LinkedHashMap<>();
    String sha = "0123456789abcdef0123456789abcdef01234567";
    s.put("createLayout", AppScripts.createLayout("shop-api", AppSettings.builder().addDomains("shop.example.com").build()));
    s.put("delete", AppScripts.delete("shop-api", true));
    s.put("knownCommits", AppScripts.knownCommits("shop-api"));
    s.put("fetchBundle", AppScripts.fetchBundle("shop-api", sha));
    s.put("build", AppScripts.build("shop-api", sha, "20261122-010203-0123456-abcd", "/opt/x/bin:/opt/y/bin", Duration.ofMinutes(20)));
    s.put("buildNoRuntime", AppScripts.build("shop-api", sha, "20261122-010203-0123456-abcd", "", Duration.ofMinutes(20)));
    s.put("pointSlot", AppScripts.pointSlot("shop-api", Slot.GREEN, "r1"));
    s.put("migrate", AppScripts.migrate("shop-api", Slot.BLUE, "Shop.Release.migrate(\"it's\")"));
    s.put("health", AppScripts.healthCheck("shop-api", Slot.BLUE, 4001, HealthCheck.defaults(), "shop.example.com"));
    s.put("drain", AppScripts.drain(4002, Duration.ofSeconds(30)));
    s.put("prune", AppScripts.pruneReleases("shop-api", List.of("a", "b")));
    s.put("deployments", AppScripts.listDeployments("shop-api"));
    s.put("manifests", AppScripts.listManifests());
    s.put("readFiles", io.potions.internal.ssh.FileReads.script(List.of("/a b", "/c"), "--potions-file-0123--"));
    s.put("slotReleases", AppScripts.slotReleases("shop-api"));
    s.put("pruneDeployments", AppScripts.pruneDeployments("shop-api", 200));
    s.put("databaseExists", AppScripts.databaseExists("shop-api"));
    s.put("disableSlot", AppScripts.disableSlot("shop-api", Slot.BLUE));
    s.put("lock", DeployLock.render("me@host (pid 1) deploy shop 'x'", Duration.ofMinutes(30)));
    s.put("runtime", RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27").build()));
    s.put("runtimeAll", RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27")
        .nodejs("20.18.0").build()));
    s.put("runtimeNone", RuntimeScripts.install(RuntimeVersions.distribution()));
    s.put("healthCustom", AppScripts.healthCheck("shop-api", Slot.GREEN, 4002, HealthCheck.builder()
        .path("/up?x=1&y='2'").expectedStatus(204).interval(Duration.ofMillis(250)).deadline(Duration.ofSeconds(90))
        .settle(Duration.ofMillis(1500)).build(), "shop.example.com"));
    s.put("createDatabase", AppScripts.createDatabase("shop-api"));
    s.put("deleteKeepDatabase", AppScripts.delete("shop-api", false));
    s.put("removeRelease", AppScripts.removeRelease("shop-api", "r1"));
    s.put("installEnv", AppScripts.installEnv("shop-api", Slot.BLUE));
    s.put("startSlot", AppScripts.startSlot("shop-api", Slot.BLUE));
    s.put("stopSlot", AppScripts.stopSlot("shop-api", Slot.GREEN));
    s.put("enableSlot", AppScripts.enableSlot("shop-api", Slot.GREEN));
    s.put("logs", AppScripts.logs("shop-api", null, 40));
    s.put("route", AppScripts.route("shop-api", 4000, 4001));
    s.put("pruneNothing", AppScripts.pruneReleases("shop-api", List.of()));
    s.put("slotStop", SlotStop.stop("shop-api", Slot.BLUE, 4001, Duration.ofSeconds(30), Duration.ofSeconds(10)));
    s.put("slotStopNoWindow", SlotStop.stop("shop-api", Slot.GREEN, 4002, Duration.ofSeconds(1), Duration.ZERO));
    s.put("accessLogMark", AccessLog.mark("shop-api"));
    s.put("accessLogRead", AccessLog.readFrom("shop-api", 1024));
    s.put("stopTimeout", SlotStop.setStopTimeout("shop-api", Duration.ofSeconds(30), Duration.ofSeconds(10)));
    return s;
  }
}
