package io.potions.cloud;

import java.util.Map;

/**
 * A server as a {@link io.potions.spi.CloudProvider} reports it.
 *
 * @param id the provider's id for it
 * @param name its name
 * @param publicIpv4 its public IPv4 address (or loopback, for the local cloud)
 * @param sshPort the SSH port to use (22 on real clouds)
 * @param region region slug
 * @param size size slug
 * @param status the provider's status word, such as {@code active}
 * @param labels anything else the provider wants to remember (tags, firewall id, ...)
 */
public record CloudServer(
    String id, String name, String publicIpv4, int sshPort, String region, String size, String status,
    Map<String, String> labels) {}
