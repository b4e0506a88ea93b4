package io.potions.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/**
 * The test CA starts from Debian's package, serves its directory over TLS trusted only through the
 * root it hands to Caddy, and gives out the root its certificates chain to. Needs pebble installed
 * (scripts/test-prerequisites.sh); without it, it fails, as in CI.
 */
class PebbleTest {
  @Test
  void theDirectoryAnswersOverTlsTrustedThroughItsOwnRootAndTheIssuingRootIsACa() throws Exception {
    try (Pebble pebble = Pebble.start("127.0.0.1", "127.0.0.1")) {
      assertThat(pebble.acme().directory()).hasToString(pebble.directory());
      assertThat(pebble.acme().directoryRootPem()).hasValueSatisfying(pem -> assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----"));
      X509Certificate root = pebble.issuingRoot();
      assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
      assertThat(root.getSubjectX500Principal().getName()).containsIgnoringCase("pebble");
      // A client trusting only the issuing root does not trust the directory's own certificate.
      HttpClient wrongTrust = HttpClient.newBuilder().sslContext(pebble.clientTrustingIssuedCertificates()).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> wrongTrust.send(
          HttpRequest.newBuilder(URI.create(pebble.directory())).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }
}
