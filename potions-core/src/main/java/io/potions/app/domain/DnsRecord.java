package io.potions.app.domain;

/**
 * A DNS record to create so a domain reaches the server.
 *
 * @param type {@code A} or {@code AAAA}
 * @param name the full host name
 * @param value the server's address
 */
public record DnsRecord(String type, String name, String value) {
  @Override
  public String toString() {
    return name + ". " + type + " " + value;
  }
}
