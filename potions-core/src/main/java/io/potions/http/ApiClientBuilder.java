package io.potions.http;

import io.potions.InvalidInputException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every HTTP API client of the SDK shares (time limits, retries, rate-limit waits, the
 * clock and the JDK client), for the clients' own builders to extend: {@code
 * DigitalOceanClient.builder().maxAttempts(5).callTimeout(...)}.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ApiClientBuilder<B extends ApiClientBuilder<B>> {
  /** How long one call may take, from sending to the last byte of the answer. */
  protected Duration callTimeout = Duration.ofSeconds(30);
  /** How long connecting may take. */
  protected Duration connectTimeout = Duration.ofSeconds(10);
  /** Attempts per call for retryable failures, the first included. */
  protected int maxAttempts;
  /** The wait before the first retry; it doubles after. */
  protected Duration retryBackoff = Duration.ofMillis(500);
  /** The longest wait between retries. */
  protected Duration maxRetryBackoff = Duration.ofSeconds(8);
  /** The longest a rate limit's {@code retry-after} is waited out. */
  protected Duration maxRateLimitWait = Duration.ofSeconds(60);
  /** The clock deadlines are measured with. */
  protected Clock clock = Clock.systemUTC();
  /** How to wait between retries and polls. */
  protected Sleeper sleeper = Sleeper.SYSTEM;
  /** The JDK client, or null for a default one. */
  protected HttpClient httpClient;

  /** @param defaultMaxAttempts the API's default number of attempts per call */
  protected ApiClientBuilder(int defaultMaxAttempts) {
    this.maxAttempts = defaultMaxAttempts;
  }

  /** @return this builder, as its concrete type */
  protected abstract B self();

  /**
   * @param callTimeout how long one call may take, from sending to the last byte of the answer
   * @return this builder
   */
  public B callTimeout(Duration callTimeout) {
    this.callTimeout = positive(callTimeout, "callTimeout");
    return self();
  }

  /**
   * @param connectTimeout how long connecting may take (ignored with {@link #httpClient})
   * @return this builder
   */
  public B connectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connectTimeout");
    return self();
  }

  /**
   * @param maxAttempts attempts per call for retryable failures, the first included (1 = never retry)
   * @return this builder
   */
  public B maxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new InvalidInputException("maxAttempts must be at least 1.");
    }
    this.maxAttempts = maxAttempts;
    return self();
  }

  /**
   * @param first the wait before the first retry of a failed idempotent call; it doubles after
   * @param max the longest such wait
   * @return this builder
   */
  public B retryBackoff(Duration first, Duration max) {
    this.retryBackoff = positive(first, "retryBackoff");
    this.maxRetryBackoff = positive(max, "maxRetryBackoff");
    return self();
  }

  /**
   * @param maxRateLimitWait the longest a rate limit's {@code retry-after} is waited out; a longer
   *     one fails at once with {@link RateLimitedException}
   * @return this builder
   */
  public B maxRateLimitWait(Duration maxRateLimitWait) {
    if (maxRateLimitWait == null || maxRateLimitWait.isNegative()) {
      throw new InvalidInputException("maxRateLimitWait must be zero or more.");
    }
    this.maxRateLimitWait = maxRateLimitWait;
    return self();
  }

  /**
   * @param clock the clock deadlines are measured with (tests pass a fake one)
   * @return this builder
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /**
   * @param sleeper how to wait between polls and retries (tests pass one advancing a fake clock)
   * @return this builder
   */
  public B sleeper(Sleeper sleeper) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    return self();
  }

  /**
   * @param httpClient the JDK HTTP client to use, for proxies or custom TLS (by default one with the
   *     connect timeout and no redirects)
   * @return this builder
   */
  public B httpClient(HttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return self();
  }

  /** @return the settings collected so far, for the client being built */
  public final ApiClientSettings apiSettings() {
    return new ApiClientSettings(callTimeout, connectTimeout, maxAttempts, retryBackoff, maxRetryBackoff,
        maxRateLimitWait, clock, sleeper, httpClient);
  }

  /**
   * @param d a duration setting
   * @param name its name, for the message
   * @return {@code d}, when positive
   * @throws InvalidInputException otherwise
   */
  protected static Duration positive(Duration d, String name) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new InvalidInputException(name + " must be a positive duration.");
    }
    return d;
  }
}
