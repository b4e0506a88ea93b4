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
    s.put("createLayout", AppScripts.createLayout("shop-api"));
    s.put("delete", AppScripts.delete("shop-api", true));
    s.put("knownCommits", AppScripts.knownCommits("shop-api"));
    s.put("fetchBundle", AppScripts.fetchBundle("shop-api", sha));
    s.put("build", AppScripts.build("shop-api", sha, "20261122-010203-0123456-abcd", "/opt/x/bin:/opt/y/bin"));
    s.put("buildNoRuntime", AppScripts.build("shop-api", sha, "20261122-010203-0123456-abcd", ""));
    s.put("pointSlot", AppScripts.pointSlot("shop-api", Slot.GREEN, "r1"));
    s.put("migrate", AppScripts.migrate("shop-api", Slot.BLUE, "Shop.Release.migrate(\"it's\")"));
    s.put("health", AppScripts.healthCheck("shop-api", Slot.BLUE, 4001, HealthCheck.defaults(), "shop.example.com"));
    s.put("drain", AppScripts.drain(4002, Duration.ofSeconds(30)));
    s.put("prune", AppScripts.pruneReleases("shop-api", List.of("a", "b")));
    s.put("deployments", AppScripts.listDeployments("shop-api"));
    s.put("manifests", AppScripts.listManifests());
    s.put("readFiles", AppScripts.readFiles(List.of("/a b", "/c")));
    s.put("lock", ServerLock.render("me@host (pid 1) deploy shop 'x'", Duration.ofMinutes(30)));
    s.put("runtime", RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27").build()));
    return s;
  }
}
