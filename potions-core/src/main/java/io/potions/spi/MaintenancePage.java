package io.potions.spi;

import java.util.Objects;

/**
 * What the reverse proxy answers for an app in maintenance: every request gets status 503, this
 * page and a {@code Retry-After} header.
 *
 * @param html the page (already escaped and complete)
 * @param retryAfterSeconds the {@code Retry-After} value
 */
public record MaintenancePage(String html, int retryAfterSeconds) {
  /**
   * @param html the page
   * @param retryAfterSeconds seconds, at least 1
   */
  public MaintenancePage {
    Objects.requireNonNull(html, "html");
    if (retryAfterSeconds < 1) {
      throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
    }
  }
}
