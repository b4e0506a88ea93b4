package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.app.domain.AcmeSettings;
import org.junit.jupiter.api.Test;

class CaddyTlsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

  @Test
  void theDefaultIssuerIsLetsEncryptProductionWithNoRootNorEmail() throws Exception {
    JsonNode tls = CaddyTls.withAcme(JSON.readTree("null"), new CaddyProxy().acme());
    assertThat(tls.toString()).isEqualTo("{\"automation\":{\"policies\":[{\"@id\":\"potions-acme\",\"issuers\":"
        + "[{\"module\":\"acme\",\"ca\":\"https://acme-v02.api.letsencrypt.org/directory\"}]}]}}");
  }

  @Test
  void aPrivateDirectoryIsTrustedThroughItsRootFileAndTheEmailIsTheAccountContact() throws Exception {
    AcmeSettings acme = AcmeSettings.directory("https://172.17.0.1:14000/dir").withDirectoryRootPem(PEM)
        .withEmail("ops@example.com");
    JsonNode tls = CaddyTls.withAcme(JSON.readTree("{\"automation\":{\"policies\":[{\"subjects\":[\"manual.example.com\"]}]}}"), acme);
    assertThat(tls.toString()).isEqualTo("{\"automation\":{\"policies\":[{\"@id\":\"potions-acme\",\"issuers\":"
        + "[{\"module\":\"acme\",\"ca\":\"https://172.17.0.1:14000/dir\",\"email\":\"ops@example.com\","
        + "\"trusted_roots_pem_files\":[\"/opt/potions/.acme/directory-root.pem\"]}]},"
        + "{\"subjects\":[\"manual.example.com\"]}]}}");
    // Applying again replaces ours in place and changes nothing else; a current config is left alone.
    assertThat(CaddyTls.withAcme(tls, acme)).isEqualTo(tls);
    assertThat(CaddyTls.isCurrent(tls, acme)).isTrue();
    assertThat(CaddyTls.isCurrent(tls, AcmeSettings.letsEncryptStaging())).isFalse();
    assertThat(CaddyTls.withAcme(tls, AcmeSettings.letsEncryptStaging()).at("/automation/policies/0/issuers/0/ca").asText())
        .isEqualTo(AcmeSettings.LETS_ENCRYPT_STAGING);
  }

  @Test
  void theRootIsWrittenFromStdinWhereCaddysUserCanReadIt() {
    assertThat(CaddyTls.writeRootScript()).isEqualTo("""
        install -d -m 0755 /opt/potions/.acme
        tmp=$(mktemp /opt/potions/.acme/.upload.XXXXXX)
        cat > "$tmp"
        chmod 0644 "$tmp"
        mv -f "$tmp" /opt/potions/.acme/directory-root.pem
        """);
    assertThat(((CaddyProxy) new CaddyProxy().withAcme(AcmeSettings.letsEncryptStaging())).acme())
        .isEqualTo(AcmeSettings.letsEncryptStaging());
  }
}
