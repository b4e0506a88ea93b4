package io.potions.digitalocean.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A droplet: a DigitalOcean virtual machine ({@code /v2/droplets}).
 *
 * @param id its id
 * @param name its name
 * @param memory memory in MiB
 * @param vcpus virtual CPUs
 * @param disk disk in GB
 * @param locked whether an action is running on it (it then refuses others with 422)
 * @param status {@code new}, {@code active}, {@code off} or {@code archive}
 * @param createdAt when it was created
 * @param image the image it was created from
 * @param sizeSlug its size slug
 * @param networks its addresses
 * @param region its region
 * @param tags its tags
 * @param vpcUuid the VPC it is in, or {@code null}
 */
public record Droplet(
    long id, String name, int memory, int vcpus, int disk, boolean locked, String status,
    Instant createdAt, Image image, String sizeSlug, Networks networks, Region region,
    List<String> tags, String vpcUuid) {

  /**
   * Normalizes absent lists to empty, unmodifiable ones.
   *
   * @param id its id
   * @param name its name
   * @param memory memory in MiB
   * @param vcpus virtual CPUs
   * @param disk disk in GB
   * @param locked whether an action is running on it (it then refuses others with 422)
   * @param status {@code new}, {@code active}, {@code off} or {@code archive}
   * @param createdAt when it was created
   * @param image the image it was created from
   * @param sizeSlug its size slug
   * @param networks its addresses
   * @param region its region
   * @param tags its tags
   * @param vpcUuid the VPC it is in, or {@code null}
   */
  public Droplet {
    tags = tags == null ? List.of() : List.copyOf(tags);
    networks = networks == null ? new Networks(List.of(), List.of()) : networks;
  }

  /** @return whether it is running */
  public boolean isActive() {
    return "active".equals(status);
  }

  /** @return its public IPv4 address, once it has one */
  public Optional<String> publicIpv4() {
    return networks.v4().stream()
        .filter(a -> "public".equals(a.type()))
        .map(Address::ipAddress)
        .filter(ip -> ip != null && !ip.isBlank())
        .findFirst();
  }

  /** @return its region's slug, or {@code null} when not reported */
  public String regionSlug() {
    return region == null ? null : region.slug();
  }

  /**
   * A droplet's addresses.
   *
   * @param v4 IPv4 addresses
   * @param v6 IPv6 addresses
   */
  public record Networks(List<Address> v4, List<Address> v6) {
    /**
     * Normalizes absent lists to empty, unmodifiable ones.
     *
     * @param v4 IPv4 addresses
     * @param v6 IPv6 addresses
     */
    public Networks {
      v4 = v4 == null ? List.of() : List.copyOf(v4);
      v6 = v6 == null ? List.of() : List.copyOf(v6);
    }
  }

  /**
   * One address of a droplet.
   *
   * @param ipAddress the address
   * @param type {@code public} or {@code private}
   * @param gateway its gateway
   */
  public record Address(String ipAddress, String type, String gateway) {}
}
