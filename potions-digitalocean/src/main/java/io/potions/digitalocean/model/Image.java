package io.potions.digitalocean.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A droplet image ({@code GET /v2/images}).
 *
 * @param id its id
 * @param name its name, such as {@code 24.04 (LTS) x64}
 * @param distribution the distribution, such as {@code Ubuntu}
 * @param slug its slug, such as {@code ubuntu-24-04-x64} ({@code null} for snapshots)
 * @param publicImage whether it is one of DigitalOcean's public images
 * @param regions region slugs where it is available
 * @param type {@code base}, {@code snapshot}, {@code backup}, {@code custom} or {@code admin}
 * @param minDiskSize the smallest disk it fits on, in GB
 * @param status {@code available} when usable
 */
public record Image(
    long id, String name, String distribution, String slug,
    @JsonProperty("public") boolean publicImage, List<String> regions, String type,
    Integer minDiskSize, String status) {
  /**
   * Normalizes absent lists to empty, unmodifiable ones.
   *
   * @param id its id
   * @param name its name, such as {@code 24.04 (LTS) x64}
   * @param distribution the distribution, such as {@code Ubuntu}
   * @param slug its slug, such as {@code ubuntu-24-04-x64} ({@code null} for snapshots)
   * @param publicImage whether it is one of DigitalOcean's public images
   * @param regions region slugs where it is available
   * @param type {@code base}, {@code snapshot}, {@code backup}, {@code custom} or {@code admin}
   * @param minDiskSize the smallest disk it fits on, in GB
   * @param status {@code available} when usable
   */
  public Image {
    regions = regions == null ? List.of() : List.copyOf(regions);
  }
}
