package io.potions.digitalocean.sim;

import java.util.List;

/**
 * A droplet creation the simulation accepted, as the request described it.
 *
 * @param id the droplet's id
 * @param name its name
 * @param region region slug
 * @param size size slug
 * @param image image slug
 * @param tags its tags
 * @param userData the cloud-init user data sent, or {@code null}
 * @param sshKeys the key ids or fingerprints sent
 */
public record CreatedDroplet(long id, String name, String region, String size, String image, List<String> tags,
    String userData, List<String> sshKeys) {
  @Override
  public String toString() {
    return "CreatedDroplet[" + id + ", " + name + ", " + region + ", " + size + ", " + image + ", " + tags + "]";
  }
}
