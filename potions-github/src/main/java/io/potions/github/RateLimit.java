package io.potions.github;

import java.time.Instant;

/**
 * GitHub's rate limit as its last answer reported it ({@code x-ratelimit-*} headers).
 *
 * @param limit requests allowed in the window
 * @param remaining requests left in the window
 * @param used requests used in the window
 * @param reset when the window resets
 * @param resource which limit this is, such as {@code core}
 */
public record RateLimit(long limit, long remaining, long used, Instant reset, String resource) {}
