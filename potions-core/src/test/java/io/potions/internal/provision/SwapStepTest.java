package io.potions.internal.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.shell.ShellCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swap step's decisions, run under bash with the system's commands stubbed (swapon, mkswap,
 * fallocate, df, sysctl) and its files in a temporary directory.
 */
class SwapStepTest {
  @TempDir
  Path dir;

  private SwapStep.Paths paths() {
    return new SwapStep.Paths(dir.resolve("swapfile").toString(), dir.resolve("no-swap").toString(),
        dir.resolve("swaps").toString(), dir.resolve("meminfo").toString(), dir.resolve("fstab").toString(),
        dir.resolve("sysctl.conf").toString(), 2048, dir.resolve("record").toString());
  }

  private record Run(int status, String output) {}

  private Run apply(long memKib, long freeMib, boolean swaponPermitted) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("meminfo"), "MemTotal:       " + memKib + " kB\nMemFree: 1 kB\n");
    if (!Files.exists(dir.resolve("swaps"))) {
      Files.writeString(dir.resolve("swaps"), "Filename\tType\tSize\tUsed\tPriority\n");
    }
    Files.writeString(dir.resolve("fstab"), Files.exists(dir.resolve("fstab")) ? Files.readString(dir.resolve("fstab")) : "");
    Path log = dir.resolve("calls");
    stub(bin, "swapon", "echo \"swapon $*\" >> " + log + (swaponPermitted ? "" : "; echo 'swapon: Operation not permitted' >&2; exit 1"));
    stub(bin, "swapoff", "echo \"swapoff $*\" >> " + log);
    stub(bin, "mkswap", "echo \"mkswap $*\" >> " + log);
    stub(bin, "fallocate", "echo \"fallocate $*\" >> " + log + "; touch \"$3\"");
    stub(bin, "sysctl", "echo \"sysctl $*\" >> " + log);
    stub(bin, "df", "echo 'Filesystem 1048576-blocks Used Available Capacity Mounted on'; echo \"/dev/vda1 25000M 1M "
        + freeMib + "M 1% /\"");
    Path script = Files.writeString(dir.resolve("swap.sh"), "set -euo pipefail\n" + SwapStep.apply(paths()));
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private static void stub(Path bin, String name, String body) throws Exception {
    Files.writeString(bin.resolve(name), "#!/bin/bash\n" + body + "\n").toFile().setExecutable(true);
  }

  private String calls() throws Exception {
    Path log = dir.resolve("calls");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Test
  void aSmallServerGetsOneGibOfSwapInFstabAndASecondRunAddsNothing() throws Exception {
    Run r = apply(512 * 1024, 20_000, true);
    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output).contains("swap: 1024 MiB at " + dir.resolve("swapfile") + " (memory 512 MiB)");
    assertThat(calls()).contains("fallocate -l 1024M " + dir.resolve("swapfile"), "swapon " + dir.resolve("swapfile"),
        "swapoff " + dir.resolve("swapfile.probe"));
    assertThat(dir.resolve("swapfile.probe")).doesNotExist();
    assertThat(Files.readString(dir.resolve("fstab"))).isEqualTo(dir.resolve("swapfile") + " none swap sw 0 0\n");
    assertThat(Files.readString(dir.resolve("sysctl.conf"))).isEqualTo("vm.swappiness = 10\n");

    Run again = apply(512 * 1024, 20_000, true);
    assertThat(again.status).isZero();
    assertThat(Files.readString(dir.resolve("fstab"))).isEqualTo(dir.resolve("swapfile") + " none swap sw 0 0\n");
  }

  @Test
  void theSizeFollowsMemoryBetweenOneAndFourGib() throws Exception {
    assertThat(apply(2L * 1024 * 1024, 50_000, true).output).contains("swap: 2048 MiB");
    assertThat(apply(16L * 1024 * 1024, 50_000, true).output).contains("swap: 4096 MiB");
  }

  @Test
  void whereSwaponIsRefusedItIsSkippedWithoutWritingTheBigFile() throws Exception {
    Run r = apply(1024 * 1024, 20_000, false);
    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output).contains("swap: skipped (not permitted");
    assertThat(calls()).doesNotContain("fallocate");
    assertThat(dir.resolve("swapfile")).doesNotExist();
    assertThat(dir.resolve("swapfile.probe")).doesNotExist();
    assertThat(Files.readString(dir.resolve("fstab"))).isEmpty();
    // The decision is recorded, so the step's check passes after it (provisioning re-checks).
    assertThat(Files.readString(dir.resolve("record"))).startsWith("skipped (not permitted");
  }

  @Test
  void existingSwapAnOptOutOrAFullDiskSkipWithTheReason() throws Exception {
    assertThat(apply(1024 * 1024, 2500, true).output).contains("swap: skipped (not enough disk: 2500 MiB free");
    Files.writeString(dir.resolve("no-swap"), "");
    assertThat(apply(1024 * 1024, 20_000, true).output).contains("swap: skipped (opted out");
    Files.delete(dir.resolve("no-swap"));
    Files.writeString(dir.resolve("swaps"), "Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 1 0 -2\n");
    assertThat(apply(1024 * 1024, 20_000, true).output).contains("swap: skipped (swap exists)");
    assertThat(calls()).doesNotContain("fallocate", "mkswap");
  }

  @Test
  void theStepIsInThePlanAndItsScriptsPassShellCheck() throws Exception {
    var steps = BootstrapPlan.render(io.potions.provision.Distribution.DEBIAN_12, List.of("ssh-ed25519 AAAA k"), List.of());
    var swap = steps.stream().filter(s -> s.id().equals("swap")).findFirst().orElseThrow();
    assertThat(swap.check()).contains("/etc/potions/no-swap", "/proc/swaps", "/etc/potions/swap");
    ShellCheck.assertClean(Map.of("swap-apply", ShellCheck.REMOTE_PRELUDE + swap.apply(),
        "swap-check", ShellCheck.REMOTE_PRELUDE + swap.check()));
  }
}
