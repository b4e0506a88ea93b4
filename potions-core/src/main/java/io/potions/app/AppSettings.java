package io.potions.app;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/** How an app is served and deployed. Stored on the server, so every SDK user of it agrees. */
@Value.Immutable
public abstract class AppSettings {
  /** @return the domains it answers to; the first is PHX_HOST */
  public abstract List<String> domains();

  /** @return whether Caddy obtains certificates and redirects HTTP to HTTPS (true unless set) */
  @Value.Default
  public boolean https() {
    return true;
  }

  /** @return how a new slot proves it is ready */
  @Value.Default
  public HealthCheck healthCheck() {
    return HealthCheck.defaults();
  }

  /**
   * @return an Elixir expression run with {@code bin/APP eval} before traffic moves, such as
   *     {@code MyApp.Release.migrate()}; none unless set
   */
  public abstract Optional<String> migrationCommand();

  /**
   * @return the name of the release builder this app's deploys use, such as {@code on-server} or
   *     {@code build-server builder-1} ({@link io.potions.spi.ReleaseBuilder#name()} of a builder
   *     given to {@code Potions.builder()}); the Potions instance's default unless set
   */
  public abstract Optional<String> releaseBuilder();

  /** @return the build's time limit, 15 minutes unless set */
  @Value.Default
  public Duration buildTimeout() {
    return Duration.ofMinutes(15);
  }

  /** @return how long in-flight requests may take to finish on the old slot after a switch */
  @Value.Default
  public Duration drainTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * How long the old slot may take to stop after SIGTERM, for its own drain of long-lived connections
   * (Phoenix's socket drainer closes WebSockets in batches over its {@code shutdown} period). 30 s
   * unless set. The slot's systemd stop timeout is this plus {@link #reconnectWindow()} and a margin.
   *
   * @return 1 s to 10 minutes
   */
  @Value.Default
  public Duration shutdownTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * The window over which Potions closes, in batches, the connections still open on the old slot when
   * {@link #shutdownTimeout()} ends (an app without its own drainer, or one slower than its deadline),
   * so the clients reconnect spread over it instead of all in the same second. 10 s unless set.
   *
   * @return 0 (close what is left at once) to 10 minutes
   */
  @Value.Default
  public Duration reconnectWindow() {
    return Duration.ofSeconds(10);
  }

  /** @return POOL_SIZE, the database pool size (10 unless set; the user may override it in env) */
  @Value.Default
  public int poolSize() {
    return 10;
  }

  /** @return how many releases stay on disk for rollbacks (5 unless set, at least 2) */
  @Value.Default
  public int keepReleases() {
    return 5;
  }

  /**
   * The memory one slot may use before the kernel stops it (systemd MemoryMax). 512 MiB unless set:
   * a Phoenix app typically needs 100-300 MiB, and during a switch both slots run, so a runaway app
   * stays within about 1 GiB, which a 1-2 GB droplet can spare next to PostgreSQL and Caddy.
   *
   * @return MiB, 64 to 1048576
   */
  @Value.Default
  public int memoryMaxMib() {
    return 512;
  }

  /**
   * The CPU time one slot may use (systemd CPUQuota), in percent of one core. 100 unless set: one
   * core, so on a 2-core droplet a busy-looping app leaves the other core to SSH, PostgreSQL, Caddy
   * and the other apps (the BEAM sizes its schedulers to the quota).
   *
   * @return percent, 1 to 6400
   */
  @Value.Default
  public int cpuQuotaPercent() {
    return 100;
  }

  /**
   * How many threads and processes one slot may have (systemd TasksMax). 512 unless set: the BEAM
   * needs a few dozen threads, the rest is room for ports and child processes; a fork bomb stops there.
   *
   * @return tasks, 32 to 65535
   */
  @Value.Default
  public int tasksMax() {
    return 512;
  }

  /**
   * The memory an on-server build may use before the kernel stops it (systemd MemoryMax on the
   * build's own unit): a build that needs more fails with a message naming this setting, and the
   * live app keeps its memory. Unset: half of the server's memory.
   *
   * @return MiB, 128 to 1048576, or empty for half of the server's memory
   */
  public abstract Optional<Integer> buildMemoryMaxMib();

  /**
   * The CPU weight of an on-server build (systemd CPUWeight; apps, PostgreSQL and the proxy have
   * the default 100). 20 unless set: when the CPU is busy, live apps get about five times the
   * build's share; when it is idle, the build uses all of it.
   *
   * @return weight, 1 to 10000
   */
  @Value.Default
  public int buildCpuWeight() {
    return 20;
  }

  /** @return pinned runtime versions; when empty, the repository's .tool-versions decides */
  @Value.Default
  public RuntimeVersions runtime() {
    return RuntimeVersions.distribution();
  }

  /** @return a new builder */
  public static ImmutableAppSettings.Builder builder() {
    return ImmutableAppSettings.builder();
  }

  /**
   * Validates the settings and normalises the domains (lowercase, no duplicates).
   *
   * @return these settings, normalised
   */
  @Value.Check
  protected AppSettings normalize() {
    if (domains().isEmpty()) {
      throw new InvalidInputException("An app needs at least one domain, such as 'shop.example.com'.");
    }
    List<String> normalized = domains().stream().map(Names::domain).distinct().toList();
    if (buildTimeout().toSeconds() < 5 || buildTimeout().compareTo(Duration.ofHours(3)) > 0) {
      throw new InvalidInputException("Build timeout " + buildTimeout() + " must be between 5 s and 3 h.");
    }
    if (drainTimeout().isNegative() || drainTimeout().compareTo(Duration.ofMinutes(10)) > 0) {
      throw new InvalidInputException("Drain timeout " + drainTimeout() + " must be between 0 and 10 minutes.");
    }
    if (shutdownTimeout().toMillis() < 1000 || shutdownTimeout().compareTo(Duration.ofMinutes(10)) > 0) {
      throw new InvalidInputException("Shutdown timeout " + shutdownTimeout() + " must be between 1 s and 10 minutes:"
          + " how long the old slot may drain its WebSockets after SIGTERM.");
    }
    if (reconnectWindow().isNegative() || reconnectWindow().compareTo(Duration.ofMinutes(10)) > 0) {
      throw new InvalidInputException("Reconnect window " + reconnectWindow() + " must be between 0 and 10 minutes.");
    }
    if (poolSize() < 1 || poolSize() > 1000) {
      throw new InvalidInputException("Pool size " + poolSize() + " must be between 1 and 1000.");
    }
    if (keepReleases() < 2 || keepReleases() > 50) {
      throw new InvalidInputException("keepReleases " + keepReleases() + " must be between 2 and 50.");
    }
    if (memoryMaxMib() < 64 || memoryMaxMib() > 1_048_576) {
      throw new InvalidInputException("memoryMaxMib " + memoryMaxMib() + " must be between 64 and 1048576 (MiB):"
          + " the most memory one slot of the app may use.");
    }
    if (cpuQuotaPercent() < 1 || cpuQuotaPercent() > 6400) {
      throw new InvalidInputException("cpuQuotaPercent " + cpuQuotaPercent() + " must be between 1 and 6400:"
          + " the CPU one slot of the app may use, in percent of one core (100 is one core).");
    }
    if (tasksMax() < 32 || tasksMax() > 65_535) {
      throw new InvalidInputException("tasksMax " + tasksMax() + " must be between 32 and 65535:"
          + " the threads and processes one slot of the app may have.");
    }
    buildMemoryMaxMib().ifPresent(mib -> {
      if (mib < 128 || mib > 1_048_576) {
        throw new InvalidInputException("buildMemoryMaxMib " + mib + " must be between 128 and 1048576 (MiB):"
            + " the most memory an on-server build may use (unset: half of the server's memory).");
      }
    });
    if (buildCpuWeight() < 1 || buildCpuWeight() > 10_000) {
      throw new InvalidInputException("buildCpuWeight " + buildCpuWeight() + " must be between 1 and 10000:"
          + " the build's CPU weight next to the apps' 100.");
    }
    migrationCommand().ifPresent(cmd -> {
      if (cmd.isBlank() || cmd.length() > 500 || cmd.contains("\n") || cmd.contains("\0")) {
        throw new InvalidInputException("The migration command must be one Elixir expression on one line,"
            + " such as 'MyApp.Release.migrate()'.");
      }
    });
    if (!normalized.equals(domains())) {
      return ImmutableAppSettings.copyOf(this).withDomains(normalized);
    }
    return this;
  }
}
