package io.potions.app.domain;

/**
 * Creates a DNS record where the user's DNS is managed by a provider the SDK can drive (a
 * DigitalOcean-managed domain: {@code DigitalOceanProvider.dnsRecords()}).
 */
@FunctionalInterface
public interface DnsRecordCreator {
  /**
   * @param record the record to create (or to change to)
   * @return true when the provider manages the name's zone and the record now exists; false when
   *     the zone is not the provider's (the user must create the record at their DNS host)
   */
  boolean create(DnsRecord record);

  /** @return a creator that manages no zone */
  static DnsRecordCreator none() {
    return record -> false;
  }
}
