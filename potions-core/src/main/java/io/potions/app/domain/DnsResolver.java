package io.potions.app.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Looks up a host name's A and AAAA records. The system resolver by default; tests and programs
 * with their own DNS (a DNS-over-HTTPS client, a fixed table) pass another.
 */
@FunctionalInterface
public interface DnsResolver {
  /**
   * @param host a host name
   * @return its addresses, empty when it has none
   */
  List<InetAddress> lookup(String host);

  /** @return the JVM's resolver (an unknown name resolves to nothing) */
  static DnsResolver system() {
    return host -> {
      try {
        return List.of(InetAddress.getAllByName(host));
      } catch (UnknownHostException e) {
        return List.of();
      }
    };
  }
}
