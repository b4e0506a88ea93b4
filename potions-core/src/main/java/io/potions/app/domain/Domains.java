package io.potions.app.domain;

import io.potions.InvalidInputException;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.internal.Names;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Adding domains to an app only once they reach the server, and default URLs under a base domain. */
public final class Domains {
  private Domains() {}

  /**
   * Adds a domain to the app after checking that it resolves to the server; refused (nothing
   * changed) with the record to create when it does not.
   *
   * @param app the app
   * @param domain the domain to add
   * @param check the DNS check
   * @param serverAddresses the server's public addresses
   * @throws DomainNotPointedException when the domain does not resolve to the server
   */
  public static void add(App app, String domain, DomainCheck check, List<InetAddress> serverAddresses) {
    String name = Names.domain(domain);
    check.require(name, serverAddresses);
    List<String> domains = new ArrayList<>(app.manifest().domains());
    if (!domains.contains(name)) {
      domains.add(name);
      app.setDomains(domains);
    }
  }

  /**
   * Like {@link #add(App, String, DomainCheck, List)}, but where the domain does not resolve to the
   * server and its zone is managed by {@code records}' provider, the A record is created there
   * first; the domain is then added (the provider's own name servers answer with it at once, even if
   * a resolver's cache does not yet). A zone the provider does not manage is refused as without it.
   *
   * @param app the app
   * @param domain the domain to add
   * @param check the DNS check
   * @param serverAddresses the server's public addresses
   * @param records where records can be created
   * @return the records created (empty when the domain already resolved to the server)
   * @throws DomainNotPointedException when it does not resolve and the provider does not manage it
   */
  public static List<DnsRecord> add(App app, String domain, DomainCheck check, List<InetAddress> serverAddresses,
      DnsRecordCreator records) {
    String name = Names.domain(domain);
    DomainCheck.Verdict verdict = check.check(name, serverAddresses);
    List<DnsRecord> created = new ArrayList<>();
    if (!verdict.resolvesToServer()) {
      for (DnsRecord r : verdict.records()) {
        if (r.type().equals("A") && records.create(r)) {
          created.add(r);
        }
      }
      if (created.isEmpty()) {
        throw new DomainNotPointedException(verdict);
      }
    }
    List<String> domains = new ArrayList<>(app.manifest().domains());
    if (!domains.contains(name)) {
      domains.add(name);
      app.setDomains(domains);
    }
    return List.copyOf(created);
  }

  /**
   * The default URL every app gets under a base domain (point {@code *.<base>} at the server once).
   *
   * @param app app name
   * @param baseDomain the base domain, such as {@code apps.example.com}
   * @return {@code <app>.<base>}
   */
  public static String defaultDomain(String app, String baseDomain) {
    String base = Names.domain(baseDomain);
    if (base.startsWith("*.")) {
      throw new InvalidInputException("The base domain '" + baseDomain + "' must be a plain domain such as"
          + " 'apps.example.com' (its wildcard record '*." + base.substring(2) + "' points at the server).");
    }
    return Names.domain(Names.app(app) + "." + base);
  }

  /**
   * @param settings the app's settings
   * @param app app name
   * @param baseDomain the base domain
   * @return the settings with {@code <app>.<base>} added after the app's own domains (so PHX_HOST
   *     stays the app's primary domain when it has one)
   */
  public static AppSettings withDefaultDomain(AppSettings settings, String app, String baseDomain) {
    String domain = defaultDomain(app, baseDomain);
    if (settings.domains().contains(domain)) {
      return settings;
    }
    return AppSettings.builder().from(settings).addDomains(domain).build();
  }
}
