package io.potions.digitalocean.model;

import java.time.Instant;

/**
 * Something DigitalOcean does asynchronously, such as creating a droplet ({@code /v2/actions}).
 *
 * @param id its id
 * @param status {@code in-progress}, {@code completed} or {@code errored}
 * @param type what it does, such as {@code create}
 * @param startedAt when it started
 * @param completedAt when it ended, or {@code null}
 * @param resourceId the id of the resource it acts on, or {@code null}
 * @param resourceType the kind of that resource, such as {@code droplet}
 * @param regionSlug where it runs, or {@code null}
 */
public record Action(
    long id, String status, String type, Instant startedAt, Instant completedAt, Long resourceId,
    String resourceType, String regionSlug) {

  /** @return whether it completed successfully */
  public boolean isCompleted() {
    return "completed".equals(status);
  }

  /** @return whether it failed */
  public boolean isErrored() {
    return "errored".equals(status);
  }
}
