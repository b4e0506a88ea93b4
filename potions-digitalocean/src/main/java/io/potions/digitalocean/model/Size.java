package io.potions.digitalocean.model;

import java.util.List;

/**
 * A droplet size ({@code GET /v2/sizes}).
 *
 * @param slug its slug, such as {@code s-1vcpu-1gb}
 * @param memory memory in MiB
 * @param vcpus virtual CPUs
 * @param disk disk in GB
 * @param transfer monthly transfer in TB
 * @param priceMonthly USD per month
 * @param priceHourly USD per hour
 * @param regions region slugs where it is offered
 * @param available whether droplets of this size can be created
 * @param description a short description, such as {@code Basic}
 */
public record Size(
    String slug, int memory, int vcpus, int disk, double transfer, double priceMonthly,
    double priceHourly, List<String> regions, boolean available, String description) {
  /**
   * Normalizes absent lists to empty, unmodifiable ones.
   *
   * @param slug its slug, such as {@code s-1vcpu-1gb}
   * @param memory memory in MiB
   * @param vcpus virtual CPUs
   * @param disk disk in GB
   * @param transfer monthly transfer in TB
   * @param priceMonthly USD per month
   * @param priceHourly USD per hour
   * @param regions region slugs where it is offered
   * @param available whether droplets of this size can be created
   * @param description a short description, such as {@code Basic}
   */
  public Size {
    regions = regions == null ? List.of() : List.copyOf(regions);
  }
}
