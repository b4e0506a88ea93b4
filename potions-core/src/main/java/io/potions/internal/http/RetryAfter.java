package io.potions.internal.http;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads the waits that rate-limited answers ask for. */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The standard {@code Retry-After} header: seconds, or an HTTP date.
   *
   * @param headers an answer's headers
   * @param now the current time, for a date
   * @return the wait (zero for a date in the past), or empty when the header is absent or unreadable
   */
  public static Optional<Duration> header(HttpHeaders headers, Instant now) {
    return headers.firstValue("retry-after").flatMap(v -> parse(v, now));
  }

  /**
   * @param value a {@code Retry-After} value: seconds, or an HTTP date
   * @param now the current time, for a date
   * @return the wait (never negative), or empty when the value is neither
   */
  public static Optional<Duration> parse(String value, Instant now) {
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  /**
   * The time until a rate-limit window resets, from a header holding epoch seconds (such as
   * {@code ratelimit-reset} or {@code x-ratelimit-reset}).
   *
   * @param headers an answer's headers
   * @param name the header's name
   * @param now the current time
   * @return the time until the reset (negative when it is past: APIs differ in what that means), or
   *     empty when the header is absent or not a number
   */
  public static Optional<Duration> untilEpochSecond(HttpHeaders headers, String name, Instant now) {
    return headers.firstValue(name).flatMap(v -> {
      try {
        return Optional.of(Duration.between(now, Instant.ofEpochSecond(Long.parseLong(v.trim()))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  /**
   * Describes a wait for people: whole seconds from ten seconds on or when exact, else milliseconds.
   *
   * @param d a duration
   * @return such as {@code 300 ms} or {@code 60 s}
   */
  public static String describe(Duration d) {
    long millis = d.toMillis();
    if (millis % 1000 == 0 || millis >= 10_000) {
      return (millis + 999) / 1000 + " s";
    }
    return millis + " ms";
  }
}
