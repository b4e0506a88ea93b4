package io.potions.digitalocean.model;

import io.potions.InvalidInputException;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What to create with {@code POST /v2/droplets}. Its {@code toString()} never shows the user data,
 * which carries the server's private host key.
 */
@Value.Immutable
public abstract class DropletCreateRequest {
  /** @return the droplet's name (its host name) */
  public abstract String name();

  /** @return region slug, such as {@code fra1} */
  public abstract String region();

  /** @return size slug, such as {@code s-1vcpu-1gb} */
  public abstract String size();

  /** @return image slug, such as {@code ubuntu-24-04-x64} */
  public abstract String image();

  /** @return SSH keys to install for root: ids or MD5 fingerprints of keys in the account */
  public abstract List<String> sshKeys();

  /** @return tags to put on the droplet */
  public abstract List<String> tags();

  /** @return cloud-init user data; secret, so never printed */
  @Value.Redacted
  public abstract Optional<String> userData();

  /** @return whether to enable IPv6 */
  @Value.Default
  public boolean ipv6() {
    return false;
  }

  /** @return whether to install DigitalOcean's monitoring agent */
  @Value.Default
  public boolean monitoring() {
    return false;
  }

  /** @return the VPC to put it in, instead of the region's default one */
  public abstract Optional<String> vpcUuid();

  /** @return a new builder */
  public static ImmutableDropletCreateRequest.Builder builder() {
    return ImmutableDropletCreateRequest.builder();
  }

  /** Refuses values DigitalOcean would refuse. */
  @Value.Check
  protected void check() {
    if (!name().matches("[a-zA-Z0-9]?[a-zA-Z0-9.-]*[a-zA-Z0-9]") || name().length() > 255) {
      throw new InvalidInputException("Droplet name '" + name() + "' is not valid: use letters, digits,"
          + " dots and hyphens, starting and ending with a letter or digit.");
    }
    for (String slug : List.of(region(), size(), image())) {
      if (slug.isBlank()) {
        throw new InvalidInputException("Region, size and image slugs must not be blank.");
      }
    }
    if (userData().map(String::length).orElse(0) > 64 * 1024) {
      throw new InvalidInputException("User data is larger than DigitalOcean's 64 KiB limit.");
    }
  }
}
