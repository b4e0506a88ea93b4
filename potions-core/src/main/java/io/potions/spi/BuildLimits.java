package io.potions.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * What a build may take from the machine it runs on. Only builders that build next to live apps
 * (on the app's own server) need to apply them; a dedicated build machine may ignore them.
 *
 * @param memoryMaxMib the most memory the build may use, in MiB; empty for half of the machine's
 * @param cpuWeight the build's CPU weight next to the apps' 100 (systemd CPUWeight)
 */
public record BuildLimits(Optional<Integer> memoryMaxMib, int cpuWeight) {
  /** The defaults: half of the machine's memory, CPU weight 20. */
  public static final BuildLimits DEFAULTS = new BuildLimits(Optional.empty(), 20);

  /**
   * Checks that nothing is missing.
   *
   * @param memoryMaxMib the most memory the build may use, in MiB; empty for half of the machine's
   * @param cpuWeight the build's CPU weight
   */
  public BuildLimits {
    Objects.requireNonNull(memoryMaxMib, "memoryMaxMib");
  }
}
