package io.potions.app.domain;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks, before a domain is added, that it resolves to the server, so that the certificate the
 * proxy asks for can be issued: a domain pointing elsewhere makes ACME fail later, quietly. When it
 * does not, the refusal says exactly which record to create (or change).
 */
public final class DomainCheck {
  private final DnsResolver resolver;

  /** @param resolver how names are looked up */
  public DomainCheck(DnsResolver resolver) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * What the lookup found.
   *
   * @param domain the domain checked
   * @param resolvesToServer true when one of its addresses is the server's and none points elsewhere
   * @param found the addresses it resolves to now
   * @param records the records to create or change so it does (empty when it already does)
   */
  public record Verdict(String domain, boolean resolvesToServer, List<String> found, List<DnsRecord> records) {
    /** @return a message for people: what is wrong and the exact records to create */
    public String explain() {
      if (resolvesToServer) {
        return domain + " resolves to the server (" + String.join(", ", found) + ").";
      }
      String records = records().stream().map(r -> "  " + r.type() + "  " + r.name() + "  ->  " + r.value())
          .collect(Collectors.joining("\n"));
      String now = found.isEmpty() ? domain + " has no A or AAAA record"
          : domain + " resolves to " + String.join(", ", found) + ", not to this server";
      return now + ". Create " + (found.isEmpty() ? "" : "(or change to) ") + "this DNS record at your DNS provider,"
          + " then add the domain again (DNS changes can take a few minutes to be visible):\n" + records;
    }
  }

  /**
   * @param domain the domain to check
   * @param serverAddresses the server's public addresses
   * @return the verdict
   */
  public Verdict check(String domain, List<InetAddress> serverAddresses) {
    String name = Names.domain(domain);
    if (serverAddresses.isEmpty()) {
      throw new InvalidInputException("The server's public address is unknown, so " + name + " cannot be checked.");
    }
    if (name.startsWith("*.")) {
      // A wildcard is checked through one name under it.
      name = "potions-check" + name.substring(1);
    }
    List<InetAddress> found = resolver.lookup(name);
    Set<InetAddress> server = Set.copyOf(serverAddresses);
    boolean anyServer = found.stream().anyMatch(server::contains);
    boolean allServer = !found.isEmpty() && found.stream().allMatch(server::contains);
    List<DnsRecord> records = new ArrayList<>();
    if (!allServer || !anyServer) {
      String shown = Names.domain(domain);
      serverAddresses.stream().filter(a -> a instanceof Inet4Address).findFirst()
          .ifPresent(a -> records.add(new DnsRecord("A", shown, a.getHostAddress())));
      serverAddresses.stream().filter(a -> a instanceof Inet6Address).findFirst()
          .ifPresent(a -> records.add(new DnsRecord("AAAA", shown, a.getHostAddress())));
    }
    return new Verdict(Names.domain(domain), anyServer && allServer,
        found.stream().map(InetAddress::getHostAddress).toList(), List.copyOf(records));
  }

  /**
   * @param domain the domain
   * @param serverAddresses the server's public addresses
   * @throws DomainNotPointedException when it does not resolve to the server; nothing was changed
   */
  public void require(String domain, List<InetAddress> serverAddresses) {
    Verdict v = check(domain, serverAddresses);
    if (!v.resolvesToServer()) {
      throw new DomainNotPointedException(v);
    }
  }
}
