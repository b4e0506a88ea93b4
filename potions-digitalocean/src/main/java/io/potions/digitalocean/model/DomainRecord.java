package io.potions.digitalocean.model;

/**
 * One DNS record of a domain ({@code /v2/domains/{domain}/records}).
 *
 * @param id its id
 * @param type {@code A}, {@code AAAA}, {@code CNAME}, ...
 * @param name the host name relative to the domain, {@code @} for the domain itself
 * @param data the value, such as an IPv4 address for an {@code A} record
 * @param priority priority (MX, SRV), or {@code null}
 * @param port port (SRV), or {@code null}
 * @param ttl time to live in seconds
 * @param weight weight (SRV), or {@code null}
 * @param flags flags (CAA), or {@code null}
 * @param tag tag (CAA), or {@code null}
 */
public record DomainRecord(
    long id, String type, String name, String data, Integer priority, Integer port, Integer ttl,
    Integer weight, Integer flags, String tag) {}
