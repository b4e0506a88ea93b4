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
}
