package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock's command under a real bash and flock: a free lock is taken at once with no notice; a
 * busy one says who holds it, then is taken when the holder's connection (its stdin) ends.
 */
class DeployLockScriptTest {
  @TempDir
  Path dir;

  private Process take(String holder, int waitSeconds) throws IOException {
    String script = DeployLock.render(holder, Duration.ofSeconds(waitSeconds))
        .replace(DeployLock.LOCK_FILE, dir.resolve("deploy.lock").toString())
        .replace(DeployLock.HOLDER_FILE, dir.resolve("deploy.holder").toString());
    return new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
  }

  private static BufferedReader lines(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  @Test
  void aFreeLockIsTakenAtOnceAndABusyOneNamesItsHolderThenFollows() throws Exception {
    Process first = take("alice@laptop deploy shop", 5);
    BufferedReader firstOut = lines(first);
    assertThat(firstOut.readLine()).isEqualTo("POTIONS_LOCKED");
    assertThat(Files.readString(dir.resolve("deploy.holder"))).isEqualTo("alice@laptop deploy shop\n");

    Process second = take("bob@ci rollback shop", 20);
    BufferedReader secondOut = lines(second);
    assertThat(secondOut.readLine()).isEqualTo("POTIONS_LOCK_BUSY alice@laptop deploy shop");

    first.getOutputStream().close();  // the holder's connection ends
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isZero();
    assertThat(secondOut.readLine()).isEqualTo("POTIONS_LOCKED");
    assertThat(Files.readString(dir.resolve("deploy.holder"))).isEqualTo("bob@ci rollback shop\n");
    second.getOutputStream().close();
    assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aWaitThatRunsOutEndsWithoutTheLock() throws Exception {
    Process first = take("alice", 5);
    assertThat(lines(first).readLine()).isEqualTo("POTIONS_LOCKED");
    Process second = take("bob", 1);
    BufferedReader secondOut = lines(second);
    assertThat(secondOut.readLine()).startsWith("POTIONS_LOCK_BUSY alice");
    assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isNotZero();
    assertThat(secondOut.readLine()).isNull();
    first.getOutputStream().close();
    first.waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void underTheLockItsOwnCommandPrintsTheAppsStateWhichParsesLikeTheReadsDo() throws Exception {
    // A server's files for app "shop" under a temporary root: manifest, route (blue live), releases,
    // and both slots' release links.
    Path app = Files.createDirectories(dir.resolve("opt/shop"));
    AppManifest manifest = AppManifest.of("shop", 4000, AppSettings.builder().addDomains("shop.example.com").build());
    Files.writeString(app.resolve("app.json"), AppStore.JSON.writeValueAsString(manifest));
    Files.writeString(app.resolve("state.json"), AppStore.JSON.writeValueAsString(java.util.Map.of("releases",
        java.util.List.of(new ReleaseRecord("r2", "b".repeat(40), "shop", 20), new ReleaseRecord("r1", "a".repeat(40), "shop", 10)))));
    Path routes = Files.createDirectories(dir.resolve("routes"));
    Files.writeString(routes.resolve("shop"), "4000 " + manifest.slotPort(Slot.BLUE) + "\n");
    for (String[] link : new String[][] {{"blue", "r2"}, {"green", "r1"}}) {
      Path slot = Files.createDirectories(app.resolve("slots/" + link[0]));
      Files.createSymbolicLink(slot.resolve("release"), app.resolve("releases/" + link[1]));
    }
    AppStore store = new AppStore(new FakeServer(), "shop", "fake");
    String boundary = AppStore.newBoundary();
    String script = DeployLock.render("alice", Duration.ofSeconds(5), store.snapshotScript(boundary))
        .replace(DeployLock.LOCK_FILE, dir.resolve("deploy.lock").toString())
        .replace(DeployLock.HOLDER_FILE, dir.resolve("deploy.holder").toString())
        .replace(AppScripts.dir("shop"), app.toString())
        .replace(AppScripts.routeFile("shop"), routes.resolve("shop").toString());
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    BufferedReader out = lines(p);
    assertThat(out.readLine()).isEqualTo("POTIONS_LOCKED");
    java.util.List<String> printed = new java.util.ArrayList<>();
    for (String line = out.readLine(); !DeployLock.PRINTED.equals(line); line = out.readLine()) {
      assertThat(line).as("output ended before " + DeployLock.PRINTED + ": " + printed).isNotNull();
      printed.add(line);
    }
    assertThat(printed).hasSize(1);
    AppStore.Snapshot snapshot = store.snapshot(printed, boundary).orElseThrow();
    assertThat(snapshot.manifest()).isEqualTo(manifest);
    assertThat(snapshot.live().liveSlot()).contains(Slot.BLUE);
    assertThat(snapshot.live().liveRelease()).contains("r2");
    assertThat(snapshot.live().releases()).extracting(ReleaseRecord::id).containsExactly("r2", "r1");
    // Output the redactor touched (its mark is '*') or no output at all is not misread: read again instead.
    String touched = printed.get(0).substring(0, 10) + "******" + printed.get(0).substring(16);
    assertThat(store.snapshot(java.util.List.of(touched), boundary)).isEmpty();
    assertThat(store.snapshot(java.util.List.of(), boundary)).isEmpty();
    assertThat(p.isAlive()).as("the lock is still held").isTrue();
    p.getOutputStream().close();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    // A file the deploy user cannot read fails the printing, loudly, and the lock is let go.
    String failing = DeployLock.render("bob", Duration.ofSeconds(5), "cat " + dir.resolve("missing"))
        .replace(DeployLock.LOCK_FILE, dir.resolve("deploy.lock").toString())
        .replace(DeployLock.HOLDER_FILE, dir.resolve("deploy.holder").toString());
    Process q = new ProcessBuilder("bash", "-c", failing).redirectErrorStream(true).start();
    q.getOutputStream().close();
    String all = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(all).startsWith("POTIONS_LOCKED\n").contains(DeployLock.PRINT_FAILED).doesNotContain(DeployLock.PRINTED + "\n");
  }
}
