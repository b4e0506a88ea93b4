package io.potions.digitalocean.model;

import java.time.Instant;
import java.util.List;

/**
 * A DigitalOcean cloud firewall ({@code /v2/firewalls}): it filters traffic before it reaches the
 * droplets it applies to.
 *
 * @param id its id (a UUID)
 * @param name its name
 * @param status {@code waiting}, {@code succeeded} or {@code failed}
 * @param inboundRules what may come in (everything else is dropped)
 * @param outboundRules what may go out
 * @param dropletIds the droplets it applies to
 * @param tags the tags whose droplets it applies to
 * @param createdAt when it was created
 */
public record Firewall(
    String id, String name, String status, List<FirewallRule> inboundRules,
    List<FirewallRule> outboundRules, List<Long> dropletIds, List<String> tags, Instant createdAt) {
  /**
   * Normalizes absent lists to empty, unmodifiable ones.
   *
   * @param id its id (a UUID)
   * @param name its name
   * @param status {@code waiting}, {@code succeeded} or {@code failed}
   * @param inboundRules what may come in (everything else is dropped)
   * @param outboundRules what may go out
   * @param dropletIds the droplets it applies to
   * @param tags the tags whose droplets it applies to
   * @param createdAt when it was created
   */
  public Firewall {
    inboundRules = inboundRules == null ? List.of() : List.copyOf(inboundRules);
    outboundRules = outboundRules == null ? List.of() : List.copyOf(outboundRules);
    dropletIds = dropletIds == null ? List.of() : List.copyOf(dropletIds);
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
