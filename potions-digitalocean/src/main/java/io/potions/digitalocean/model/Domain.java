package io.potions.digitalocean.model;

/**
 * A domain whose DNS DigitalOcean serves ({@code /v2/domains}).
 *
 * @param name the domain name, such as {@code example.com}
 * @param ttl the default TTL of its records, in seconds
 * @param zoneFile its zone file, or {@code null}
 */
public record Domain(String name, Integer ttl, String zoneFile) {}
