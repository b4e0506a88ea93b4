package io.potions.digitalocean.sim;

import io.potions.http.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that only moves when something sleeps on it: give it to the client as both its clock and
 * its sleeper, and waits of minutes take no time while deadlines still pass.
 */
public final class FakeTime extends Clock implements Sleeper {
  private volatile Instant now;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  /** Starts at the real current time. */
  public FakeTime() {
    this.now = Instant.now();
  }

  @Override
  public synchronized void sleep(Duration duration) {
    sleeps.add(duration);
    now = now.plus(duration);
  }

  /** @return every sleep so far, in order */
  public List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** @return the sum of all sleeps */
  public Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
