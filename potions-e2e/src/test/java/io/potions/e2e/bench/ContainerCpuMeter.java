package io.potions.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The CPU time a container (a throwaway server: everything on it, the apps, PostgreSQL, Caddy, sshd)
 * spends, sampled from its cgroup on the host every {@value #PERIOD_MILLIS} ms, so that the CPU a
 * server spent in any window of a run can be told afterwards. On one shared machine, latency alone
 * cannot show that a build elsewhere leaves the app server alone (the machines share cores and
 * caches); the app server's own CPU time can.
 */
final class ContainerCpuMeter implements AutoCloseable {
  static final long PERIOD_MILLIS = 100;

  private final Path usageFile;
  private final LongSupplier clockMillis;
  /** {ms on the caller's clock, CPU µs used so far}. */
  private final List<long[]> samples = new ArrayList<>();
  private final Thread sampler;
  private volatile boolean running = true;

  /**
   * @param containerId the container's full id
   * @param clockMillis the clock the caller's windows are on (such as the load's offset)
   */
  ContainerCpuMeter(String containerId, LongSupplier clockMillis) {
    this.usageFile = usageFile(containerId);
    this.clockMillis = clockMillis;
    sample();
    sampler = new Thread(() -> {
      while (running) {
        try {
          Thread.sleep(PERIOD_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        sample();
      }
    }, "cpu-meter-" + containerId.substring(0, 12));
    sampler.setDaemon(true);
    sampler.start();
  }

  /** @return the container's CPU seconds between two times of the caller's clock, interpolated */
  double cpuSeconds(long fromMillis, long toMillis) {
    return (usageAt(toMillis) - usageAt(fromMillis)) / 1_000_000.0;
  }

  private double usageAt(long millis) {
    synchronized (samples) {
      long[] before = null;
      for (long[] s : samples) {
        if (s[0] >= millis) {
          if (before == null || s[0] == before[0]) {
            return s[1];
          }
          return before[1] + (double) (s[1] - before[1]) * (millis - before[0]) / (s[0] - before[0]);
        }
        before = s;
      }
      throw new IllegalStateException("no CPU sample at or after " + millis + " ms (last at "
          + (before == null ? "none" : before[0] + " ms") + "): ask after the window, before close()");
    }
  }

  private void sample() {
    long micros = readMicros();
    synchronized (samples) {
      samples.add(new long[] {clockMillis.getAsLong(), micros});
    }
  }

  private long readMicros() {
    try {
      String text = Files.readString(usageFile).trim();
      if (usageFile.getFileName().toString().equals("cpuacct.usage")) {
        return Long.parseLong(text) / 1000; // cgroup v1: nanoseconds
      }
      for (String line : text.split("\n")) { // cgroup v2 cpu.stat: "usage_usec N"
        if (line.startsWith("usage_usec ")) {
          return Long.parseLong(line.substring("usage_usec ".length()).trim());
        }
      }
      throw new IllegalStateException("no usage_usec in " + usageFile);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + usageFile, e);
    }
  }

  /** Where Docker's cgroup for the container keeps its CPU usage: cgroup v1 or v2, cgroupfs or systemd driver. */
  private static Path usageFile(String id) {
    List<Path> candidates = List.of(
        Path.of("/sys/fs/cgroup/cpuacct/docker", id, "cpuacct.usage"),
        Path.of("/sys/fs/cgroup/cpu,cpuacct/docker", id, "cpuacct.usage"),
        Path.of("/sys/fs/cgroup/cpuacct/system.slice", "docker-" + id + ".scope", "cpuacct.usage"),
        Path.of("/sys/fs/cgroup/docker", id, "cpu.stat"),
        Path.of("/sys/fs/cgroup/system.slice", "docker-" + id + ".scope", "cpu.stat"));
    return candidates.stream().filter(Files::isReadable).findFirst().orElseThrow(() -> new AssertionError(
        "cannot read the CPU usage of container " + id + " from its cgroup; tried " + candidates));
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
