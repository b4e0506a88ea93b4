package io.potions.e2e;

import io.potions.testkit.HttpProbe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests through Caddy while something happens: clients on new connections and clients that keep
 * one connection alive. None retries; every error or unexpected status counts as a failure.
 * Bounded in time by the caller (start, then stop) and in rate by a pause between requests.
 */
public final class LoadLoop implements AutoCloseable {
  public final AtomicLong requests = new AtomicLong();
  public final AtomicLong failures = new AtomicLong();
  public final AtomicLong keepAliveRequests = new AtomicLong();
  public final AtomicLong keepAliveFailures = new AtomicLong();
  public final List<String> failureSamples = new CopyOnWriteArrayList<>();
  public final Map<String, Long> bodies = new ConcurrentHashMap<>();
  // Synchronized, not copy-on-write: a copy of every latency so far per request made the client's own
  // allocation (and its GC pauses and CPU, which the live app shares) grow through a long run.
  public final List<Long> latenciesMicros = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Every request as {ms since the load started, latency in µs, 1 when it failed}: the chart's data. */
  public final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final long startedNanos = System.nanoTime();
  private volatile long stoppedNanos;
  private final List<Thread> threads = new ArrayList<>();

  public LoadLoop(int port, String host, String path, int newConnectionClients, int keepAliveClients, long pauseMillis) {
    this(port, host, null, path, newConnectionClients, keepAliveClients, pauseMillis);
  }

  /**
   * @param tls the trust to verify Caddy's certificate with (each new connection does a full TLS
   *     handshake with SNI = host), or null for plain HTTP
   */
  public LoadLoop(int port, String host, javax.net.ssl.SSLContext tls, String path, int newConnectionClients,
      int keepAliveClients, long pauseMillis) {
    this("127.0.0.1", port, host, tls, path, newConnectionClients, keepAliveClients, pauseMillis);
  }

  /**
   * @param address where to connect: 127.0.0.1 for a container's published port, or the container's
   *     bridge address (port 80 or 443), which skips Docker's userland proxy, a process of the host
   *     that every request through a published port passes through
   */
  public LoadLoop(String address, int port, String host, javax.net.ssl.SSLContext tls, String path,
      int newConnectionClients, int keepAliveClients, long pauseMillis) {
    for (int i = 0; i < newConnectionClients; i++) {
      threads.add(start("load-new-" + i, () -> {
        while (running.get()) {
          long t0 = System.nanoTime();
          try {
            record(tls == null ? HttpProbe.send(address, port, host, "GET", path, null)
                : HttpProbe.sendTls(address, port, host, tls, "GET", path), false, t0);
          } catch (IOException | RuntimeException e) {
            sample(t0, true);
            fail(false, e.toString());
          }
          pause(pauseMillis);
        }
      }));
    }
    for (int i = 0; i < keepAliveClients; i++) {
      threads.add(start("load-keepalive-" + i, () -> {
        HttpProbe client = new HttpProbe(address, port, host, tls);
        while (running.get()) {
          long t0 = System.nanoTime();
          try {
            record(client.request("GET", path, null, true), true, t0);
          } catch (IOException | RuntimeException e) {
            sample(t0, true);
            fail(true, e.toString());
            // reconnects on the next request
            client.close();
            client = new HttpProbe(address, port, host, tls);
          }
          pause(pauseMillis);
        }
        client.close();
      }));
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void record(HttpProbe.Response r, boolean keepAlive, long t0) {
    requests.incrementAndGet();
    if (keepAlive) {
      keepAliveRequests.incrementAndGet();
    }
    latenciesMicros.add((System.nanoTime() - t0) / 1000);
    sample(t0, r.status() != 200);
    if (r.status() != 200) {
      fail(keepAlive, "status " + r.status() + ": " + r.body());
      return;
    }
    bodies.merge(r.body().trim(), 1L, Long::sum);
  }

  private void sample(long t0, boolean failed) {
    samples.add(new long[] {(t0 - startedNanos) / 1_000_000, (System.nanoTime() - t0) / 1000, failed ? 1 : 0});
  }

  /** @return milliseconds since the load started (to mark events on the chart) */
  public long offsetMillis() {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private void fail(boolean keepAlive, String what) {
    failures.incrementAndGet();
    if (keepAlive) {
      keepAliveFailures.incrementAndGet();
    }
    if (failureSamples.size() < 20) {
      failureSamples.add((keepAlive ? "keep-alive: " : "new-conn: ") + what);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (running.getAndSet(false)) {
      stoppedNanos = System.nanoTime();
    }
    try {
      for (Thread t : threads) {
        t.join(20_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return how long the load ran */
  public double elapsedSeconds() {
    long end = stoppedNanos == 0 ? System.nanoTime() : stoppedNanos;
    return (end - startedNanos) / 1e9;
  }

  public String summary() {
    return requests.get() + " requests (" + keepAliveRequests.get() + " on keep-alive connections), "
        + failures.get() + " failed (" + keepAliveFailures.get() + " keep-alive); bodies " + bodies
        + (failureSamples.isEmpty() ? "" : "; failures: " + failureSamples);
  }
}
