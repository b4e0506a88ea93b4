package io.potions.digitalocean.model;

import java.util.List;

/**
 * One firewall rule: a protocol and ports, and where the traffic may come from (inbound rules) or
 * go to (outbound rules).
 *
 * @param protocol {@code tcp}, {@code udp} or {@code icmp}
 * @param ports a port, a range such as {@code 8000-9000}, or {@code 0} for all
 * @param sources for an inbound rule, who may connect; {@code null} on outbound rules
 * @param destinations for an outbound rule, where to; {@code null} on inbound rules
 */
public record FirewallRule(String protocol, String ports, Targets sources, Targets destinations) {
  /** Every IPv4 and IPv6 address. */
  public static final List<String> ANYWHERE = List.of("0.0.0.0/0", "::/0");

  /**
   * @param protocol {@code tcp} or {@code udp}
   * @param ports a port or range
   * @return an inbound rule open to every address
   */
  public static FirewallRule inboundFromAnywhere(String protocol, String ports) {
    return new FirewallRule(protocol, ports, Targets.addresses(ANYWHERE), null);
  }

  /**
   * @param protocol {@code tcp}, {@code udp} or {@code icmp}
   * @return an outbound rule allowing every port to every address
   */
  public static FirewallRule outboundToAnywhere(String protocol) {
    return new FirewallRule(protocol, "0", null, Targets.addresses(ANYWHERE));
  }

  /**
   * Where traffic may come from or go to.
   *
   * @param addresses IPv4/IPv6 addresses and CIDR ranges
   * @param dropletIds droplet ids
   * @param tags droplet tags
   * @param loadBalancerUids load balancer ids
   * @param kubernetesIds Kubernetes cluster ids
   */
  public record Targets(
      List<String> addresses, List<Long> dropletIds, List<String> tags,
      List<String> loadBalancerUids, List<String> kubernetesIds) {
    /**
     * Normalizes absent lists to empty, unmodifiable ones.
     *
     * @param addresses IPv4/IPv6 addresses and CIDR ranges
     * @param dropletIds droplet ids
     * @param tags droplet tags
     * @param loadBalancerUids load balancer ids
     * @param kubernetesIds Kubernetes cluster ids
     */
    public Targets {
      addresses = addresses == null ? List.of() : List.copyOf(addresses);
      dropletIds = dropletIds == null ? List.of() : List.copyOf(dropletIds);
      tags = tags == null ? List.of() : List.copyOf(tags);
      loadBalancerUids = loadBalancerUids == null ? List.of() : List.copyOf(loadBalancerUids);
      kubernetesIds = kubernetesIds == null ? List.of() : List.copyOf(kubernetesIds);
    }

    /**
     * @param addresses addresses and CIDR ranges
     * @return targets made of those addresses only
     */
    public static Targets addresses(List<String> addresses) {
      return new Targets(addresses, null, null, null, null);
    }
  }
}
