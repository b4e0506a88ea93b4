package io.potions.examples;

import io.potions.testkit.HttpProbe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps requests coming to an app while something happens to it (a deploy, a rollback), and counts
 * what they got: one client reuses a single keep-alive connection for as long as the server keeps
 * it open, another opens a new connection per request. Neither retries, so a dropped connection or
 * a 502 during a switch shows up as a failure.
 */
public final class TrafficWatch implements AutoCloseable {
  private final String address;
  private final int port;
  private final String host;
  private final String path;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, Integer> answers = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private long requests;
  private long keepAliveRequests;
  private long keepAliveConnections;

  /**
   * Starts the clients at once.
   *
   * @param address where to connect
   * @param port the port
   * @param host the app's domain, sent as the {@code Host} header
   * @param path what to request, such as {@code /version}
   */
  public TrafficWatch(String address, int port, String host, String path) {
    this.address = address;
    this.port = port;
    this.host = host;
    this.path = path;
    threads.add(start("traffic-keepalive", this::keepAliveClient));
    threads.add(start("traffic-new-connections", this::newConnectionClient));
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void keepAliveClient() {
    try (HttpProbe probe = new HttpProbe(address, port, host)) {
      while (running.get()) {
        boolean reused = probe.connected();
        if (!reused) {
          count(() -> keepAliveConnections++);
        }
        try {
          HttpProbe.Response r = probe.request(path, true);
          record(r, true);
        } catch (IOException e) {
          fail("keep-alive " + (reused ? "(reused connection)" : "(new connection)") + ": " + e.getMessage());
        }
        pause();
      }
    }
  }

  private void newConnectionClient() {
    while (running.get()) {
      try {
        record(HttpProbe.get(address, port, host, path), false);
      } catch (IOException e) {
        fail("new connection: " + e.getMessage());
      }
      pause();
    }
  }

  private synchronized void record(HttpProbe.Response r, boolean keepAlive) {
    requests++;
    if (keepAlive) {
      keepAliveRequests++;
    }
    if (r.status() != 200) {
      failures.add("HTTP " + r.status() + ": " + r.body().strip());
      return;
    }
    answers.merge(r.body().strip(), 1, Integer::sum);
  }

  private synchronized void fail(String what) {
    requests++;
    failures.add(what);
  }

  private synchronized void count(Runnable r) {
    r.run();
  }

  private void pause() {
    try {
      // About 60 requests a second per client: enough to catch any gap, light on a 2-core machine
      // that is also building the release.
      Thread.sleep(15);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  /** @return requests sent so far (answered or failed) */
  public synchronized long requests() {
    return requests;
  }

  /** @return requests sent on the keep-alive client's connections */
  public synchronized long keepAliveRequests() {
    return keepAliveRequests;
  }

  /** @return how many connections the keep-alive client had to open (1 when none was ever closed) */
  public synchronized long keepAliveConnections() {
    return keepAliveConnections;
  }

  /** @return what went wrong, one entry per failed request */
  public synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  /** @return each distinct answer (body) and how often it came, in the order first seen */
  public synchronized Map<String, Integer> answers() {
    return new LinkedHashMap<>(answers);
  }

  /** @return one line for people */
  public synchronized String summary() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(java.util.Locale.ROOT, "%,d requests (%,d of them on %s), %d failed",
        requests, keepAliveRequests, keepAliveConnections == 1 ? "one keep-alive connection"
            : keepAliveConnections + " keep-alive connections", failures.size()));
    if (!answers.isEmpty()) {
      s.append("; answers: ");
      List<String> parts = new ArrayList<>();
      answers.forEach((body, n) -> parts.add(body + " (" + n + ")"));
      s.append(String.join(", then ", parts));
    }
    return s.toString();
  }

  /** Stops the clients and waits for them. */
  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
