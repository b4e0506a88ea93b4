package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.internal.shell.ShellCheck;
import io.potions.ssh.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskGuardTest {
  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void workThatWouldEatIntoTheMarginIsRefusedWithTheNumbers() {
    var free = new DiskGuard.Free("/var/lib/potions-build/shop", "/", 600 * MIB);
    assertThat(DiskGuard.shortfall("deploy of shop", free, 50 * MIB, 512 * MIB)).isEmpty();
    assertThat(DiskGuard.shortfall("deploy of shop", free, 100 * MIB, 512 * MIB)).hasValueSatisfying(m -> assertThat(m)
        .contains("Refused the deploy of shop before it started", "/ (holding /var/lib/potions-build/shop) has 600 MiB free",
            "it needs 100 MiB", "keep 512 MiB free", "so 12 MiB more is needed", "Nothing was changed"));
  }

  @Test
  void theFreeSpaceScriptMeasuresPathsNotCreatedYetAtTheirParentAndParses() throws Exception {
    List<String> paths = List.of(dir.resolve("not/yet/there").toString(), dir.toString());
    String script = DiskGuard.freeSpaceScript(paths);
    ShellCheck.assertClean(Map.of("disk-free", ShellCheck.REMOTE_PRELUDE + script));
    Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    List<DiskGuard.Free> free = DiskGuard.parse(paths, new ExecResult(p.exitValue(), out.lines().toList(), List.of(),
        Duration.ZERO));
    assertThat(free).hasSize(2);
    // The same file system (the parent's); its free space moves as other processes write.
    assertThat(free.get(0).mountPoint()).isEqualTo(free.get(1).mountPoint());
    assertThat(free.get(0).availableBytes()).isPositive();
    assertThat(free.get(0).path()).endsWith("not/yet/there");
    assertThatThrownBy(() -> DiskGuard.parse(paths, new ExecResult(0, List.of("x /"), List.of(), Duration.ZERO)))
        .hasMessageContaining("Could not read");
  }

  @Test
  void sizesReadWell() {
    assertThat(DiskGuard.size(1536 * MIB)).isEqualTo("1.5 GiB");
    assertThat(DiskGuard.size(300 * MIB)).isEqualTo("300 MiB");
    assertThat(DiskGuard.size(12 * 1024)).isEqualTo("12 KiB");
  }
}
