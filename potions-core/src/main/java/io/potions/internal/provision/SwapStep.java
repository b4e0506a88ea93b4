package io.potions.internal.provision;

import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.shell.Shell;
import io.potions.provision.BootstrapStep;

/**
 * The bootstrap step that adds a swap file sized for the server's memory (as much as memory,
 * 1 to 4 GiB), or reports why it was skipped: swap exists, the owner opted out by creating
 * {@link #OPT_OUT}, too little disk, or swapon is not permitted (a container). Rendered from
 * {@code bootstrap/swap.sh}; the paths are parameters so the decisions can be run in tests.
 */
public final class SwapStep {
  /** Create this file on the server (before provisioning) to keep it without swap. */
  public static final String OPT_OUT = "/etc/potions/no-swap";
  /** The swap file's path. */
  public static final String SWAPFILE = "/swapfile";

  /**
   * Where the script looks and writes; {@link #DEFAULT} on a server.
   *
   * @param swapfile the swap file
   * @param optOut the opt-out marker
   * @param procSwaps the kernel's list of active swap areas
   * @param meminfo the kernel's memory figures
   * @param fstab the file systems table
   * @param sysctlFile where vm.swappiness is kept
   * @param keepFreeMib what the swap file must leave free on its disk
   * @param record where the outcome (added, or skipped and why) is written
   */
  public record Paths(String swapfile, String optOut, String procSwaps, String meminfo, String fstab,
      String sysctlFile, int keepFreeMib, String record) {}

  /** A server's real paths. */
  public static final Paths DEFAULT = new Paths(SWAPFILE, OPT_OUT, "/proc/swaps", "/proc/meminfo", "/etc/fstab",
      "/etc/sysctl.d/60-potions-swap.conf", 2048, "/etc/potions/swap");

  private SwapStep() {}

  /** @return the step */
  public static BootstrapStep step() {
    Paths p = DEFAULT;
    // Done when swap is on, the owner opted out, or apply decided already (and recorded why it skipped).
    String check = "[ -e " + Shell.quote(p.optOut()) + " ] || [ -s " + Shell.quote(p.record()) + " ] || [ \"$(awk 'NR > 1' "
        + p.procSwaps() + " | wc -l)\" -gt 0 ]";
    return new BootstrapStep("swap", "Swap file sized for the server's memory (skipped where swap exists or "
        + OPT_OUT + " exists)", check, apply(p));
  }

  /**
   * @param p the paths
   * @return the apply script
   */
  public static String apply(Paths p) {
    return ScriptTemplate.load(SwapStep.class, "/io/potions/scripts/bootstrap/swap.sh")
        .quoted("SWAPFILE", p.swapfile())
        .quoted("OPT_OUT", p.optOut())
        .quoted("PROC_SWAPS", p.procSwaps())
        .quoted("MEMINFO", p.meminfo())
        .quoted("FSTAB", p.fstab())
        .quoted("SYSCTL_FILE", p.sysctlFile())
        .raw("KEEP_FREE_MIB", Integer.toString(p.keepFreeMib()))
        .quoted("RECORD", p.record())
        .render();
  }
}
