package io.potions.digitalocean.model;

import java.util.List;

/**
 * A datacenter region ({@code GET /v2/regions}).
 *
 * @param slug its slug, such as {@code fra1}
 * @param name its name for people, such as {@code Frankfurt 1}
 * @param features features available there
 * @param available whether new droplets can be created there
 * @param sizes size slugs available there
 */
public record Region(String slug, String name, List<String> features, boolean available, List<String> sizes) {
  /**
   * Normalizes absent lists to empty, unmodifiable ones.
   *
   * @param slug its slug, such as {@code fra1}
   * @param name its name for people, such as {@code Frankfurt 1}
   * @param features features available there
   * @param available whether new droplets can be created there
   * @param sizes size slugs available there
   */
  public Region {
    features = features == null ? List.of() : List.copyOf(features);
    sizes = sizes == null ? List.of() : List.copyOf(sizes);
  }
}
