package io.potions.http;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/**
 * The shared settings of an HTTP API client, as an {@link ApiClientBuilder} collected them.
 *
 * @param callTimeout how long one call may take
 * @param connectTimeout how long connecting may take
 * @param maxAttempts attempts per call for retryable failures, the first included
 * @param retryBackoff the wait before the first retry
 * @param maxRetryBackoff the longest wait between retries
 * @param maxRateLimitWait the longest a rate limit is waited out
 * @param clock the clock deadlines are measured with
 * @param sleeper how to wait
 * @param httpClient the JDK client, or null for a default one
 */
public record ApiClientSettings(Duration callTimeout, Duration connectTimeout, int maxAttempts,
    Duration retryBackoff, Duration maxRetryBackoff, Duration maxRateLimitWait, Clock clock, Sleeper sleeper,
    HttpClient httpClient) {}
