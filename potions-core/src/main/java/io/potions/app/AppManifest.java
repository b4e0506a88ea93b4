package io.potions.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An app's settings as stored on the server in {@code /opt/potions/<app>/app.json} (no secrets).
 *
 * @param name app name
 * @param port the stable loopback port the proxy sends the app's traffic to; slots use port+1, port+2
 * @param domains domains
 * @param https whether HTTPS is on
 * @param healthPath health check path
 * @param healthStatus expected status
 * @param healthHost Host header, or null for the first domain
 * @param healthDeadlineMs deadline in ms
 * @param healthIntervalMs interval in ms
 * @param migration migration expression, or null
 * @param buildTimeoutSeconds build time limit
 * @param drainTimeoutSeconds drain deadline
 * @param poolSize POOL_SIZE
 * @param keepReleases releases kept on disk
 * @param erlang pinned Erlang version or null
 * @param elixir pinned Elixir version or null
 * @param nodejs pinned Node.js version or null
 * @param healthSettleMs how long the slot must stay healthy before the switch, in ms
 * @param memoryMaxMib memory limit of one slot in MiB, or null (manifests written before limits
 *     existed) for the default
 * @param cpuQuotaPercent CPU limit of one slot in percent of one core, or null for the default
 * @param tasksMax task limit of one slot, or null for the default
 * @param releaseBuilder the name of the release builder the app asks for, or null for the default
 * @param buildMemoryMaxMib memory limit of an on-server build in MiB, or null for half the server's
 * @param buildCpuWeight CPU weight of an on-server build, or null for the default
 * @param shutdownTimeoutSeconds how long the old slot may drain after SIGTERM, or null for the default
 * @param reconnectWindowSeconds the window over which leftover connections are closed, or null for the default
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AppManifest(
    String name, int port, List<String> domains, boolean https, String healthPath, int healthStatus,
    String healthHost, long healthDeadlineMs, long healthIntervalMs, String migration,
    long buildTimeoutSeconds, long drainTimeoutSeconds, int poolSize, int keepReleases,
    String erlang, String elixir, String nodejs, long healthSettleMs,
    Integer memoryMaxMib, Integer cpuQuotaPercent, Integer tasksMax, String releaseBuilder,
    Integer buildMemoryMaxMib, Integer buildCpuWeight, Long shutdownTimeoutSeconds, Long reconnectWindowSeconds) {

  static AppManifest of(String name, int port, AppSettings s) {
    HealthCheck h = s.healthCheck();
    RuntimeVersions r = s.runtime();
    return new AppManifest(name, port, s.domains(), s.https(), h.path(), h.expectedStatus(),
        h.host().orElse(null), h.deadline().toMillis(), h.interval().toMillis(),
        s.migrationCommand().orElse(null), s.buildTimeout().toSeconds(), s.drainTimeout().toSeconds(),
        s.poolSize(), s.keepReleases(), r.erlang().orElse(null), r.elixir().orElse(null),
        r.nodejs().orElse(null), h.settle().toMillis(), s.memoryMaxMib(), s.cpuQuotaPercent(), s.tasksMax(),
        s.releaseBuilder().orElse(null), s.buildMemoryMaxMib().orElse(null), s.buildCpuWeight(),
        s.shutdownTimeout().toSeconds(), s.reconnectWindow().toSeconds());
  }

  /** @return the settings this manifest stores */
  public AppSettings settings() {
    ImmutableAppSettings.Builder limits = AppSettings.builder();
    Optional.ofNullable(memoryMaxMib).ifPresent(limits::memoryMaxMib);
    Optional.ofNullable(cpuQuotaPercent).ifPresent(limits::cpuQuotaPercent);
    Optional.ofNullable(tasksMax).ifPresent(limits::tasksMax);
    limits.buildMemoryMaxMib(Optional.ofNullable(buildMemoryMaxMib));
    Optional.ofNullable(buildCpuWeight).ifPresent(limits::buildCpuWeight);
    Optional.ofNullable(shutdownTimeoutSeconds).map(Duration::ofSeconds).ifPresent(limits::shutdownTimeout);
    Optional.ofNullable(reconnectWindowSeconds).map(Duration::ofSeconds).ifPresent(limits::reconnectWindow);
    return limits
        .domains(domains)
        .https(https)
        .healthCheck(HealthCheck.builder().path(healthPath).expectedStatus(healthStatus)
            .host(Optional.ofNullable(healthHost)).deadline(Duration.ofMillis(healthDeadlineMs))
            .interval(Duration.ofMillis(healthIntervalMs)).settle(Duration.ofMillis(healthSettleMs)).build())
        .migrationCommand(Optional.ofNullable(migration))
        .releaseBuilder(Optional.ofNullable(releaseBuilder))
        .buildTimeout(Duration.ofSeconds(buildTimeoutSeconds))
        .drainTimeout(Duration.ofSeconds(drainTimeoutSeconds))
        .poolSize(poolSize)
        .keepReleases(keepReleases)
        .runtime(RuntimeVersions.builder().erlang(Optional.ofNullable(erlang))
            .elixir(Optional.ofNullable(elixir)).nodejs(Optional.ofNullable(nodejs)).build())
        .build();
  }

  /**
   * @param slot blue or green
   * @return the port that slot listens on
   */
  public int slotPort(Slot slot) {
    return port + (slot == Slot.BLUE ? 1 : 2);
  }
}
