package io.potions.app.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.app.AppSettings;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainCheckTest {
  private static final InetAddress V4 = ip("203.0.113.10");
  private static final InetAddress V6 = ip("2001:db8::10");

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static final DomainCheck CHECK = new DomainCheck(host -> Map.of(
      "shop.example.com", List.of(V4),
      "both.example.com", List.of(V4, V6),
      "elsewhere.example.com", List.of(ip("198.51.100.7")),
      "half.example.com", List.of(V4, ip("198.51.100.7")),
      "potions-check.apps.example.com", List.of(V4)).getOrDefault(host, List.of()));

  @Test
  void aDomainPointingAtTheServerPasses() {
    assertThat(CHECK.check("Shop.Example.com", List.of(V4, V6)).resolvesToServer()).isTrue();
    assertThat(CHECK.check("both.example.com", List.of(V4, V6)).records()).isEmpty();
    assertThat(CHECK.check("*.apps.example.com", List.of(V4)).resolvesToServer()).isTrue();
  }

  @Test
  void aDomainWithNoRecordIsRefusedWithTheRecordsToCreate() {
    assertThatThrownBy(() -> CHECK.require("new.example.com", List.of(V4, V6)))
        .isInstanceOf(DomainNotPointedException.class).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("new.example.com has no A or AAAA record. Create this DNS record")
        .hasMessageContaining("A  new.example.com  ->  203.0.113.10")
        .hasMessageContaining("AAAA  new.example.com  ->  2001:db8:0:0:0:0:0:10");
    DomainCheck.Verdict v = CHECK.check("new.example.com", List.of(V4));
    assertThat(v.records()).containsExactly(new DnsRecord("A", "new.example.com", "203.0.113.10"));
  }

  @Test
  void aDomainPointingElsewhereSaysWhereAndWhatToChange() {
    DomainCheck.Verdict v = CHECK.check("elsewhere.example.com", List.of(V4));
    assertThat(v.resolvesToServer()).isFalse();
    assertThat(v.explain()).startsWith("elsewhere.example.com resolves to 198.51.100.7, not to this server."
        + " Create (or change to) this DNS record");
    // One stray address is enough to make some clients (and ACME) miss the server.
    assertThat(CHECK.check("half.example.com", List.of(V4)).resolvesToServer()).isFalse();
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> CHECK.check("not a domain", List.of(V4))).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> CHECK.check("shop.example.com", List.of())).hasMessageContaining("public address is unknown");
  }

  @Test
  void everyAppGetsADefaultDomainUnderTheBase() {
    assertThat(Domains.defaultDomain("shop", "Apps.Example.com")).isEqualTo("shop.apps.example.com");
    assertThatThrownBy(() -> Domains.defaultDomain("shop", "*.apps.example.com")).hasMessageContaining("plain domain");
    AppSettings s = Domains.withDefaultDomain(AppSettings.builder().addDomains("shop.com").build(), "shop", "apps.example.com");
    // The app's own domain stays first: it is PHX_HOST.
    assertThat(s.domains()).containsExactly("shop.com", "shop.apps.example.com");
    assertThat(Domains.withDefaultDomain(s, "shop", "apps.example.com")).isSameAs(s);
  }
}
