package io.potions.app.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.Potions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AcmeSettingsTest {
  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

  @Test
  void letsEncryptIsTheDefaultAndItsStagingDirectoryANamedChoice() {
    assertThat(AcmeSettings.letsEncrypt().directory()).hasToString("https://acme-v02.api.letsencrypt.org/directory");
    assertThat(AcmeSettings.letsEncryptStaging().directory())
        .hasToString("https://acme-staging-v02.api.letsencrypt.org/directory");
    assertThat(AcmeSettings.letsEncrypt().directoryRootPem()).isEmpty();
    assertThat(AcmeSettings.letsEncrypt().email()).isEmpty();
    AcmeSettings pebble = AcmeSettings.directory(" https://172.17.0.1:14000/dir ").withDirectoryRootPem("\n" + PEM)
        .withEmail("ops@example.com");
    assertThat(pebble.directory()).hasToString("https://172.17.0.1:14000/dir");
    assertThat(pebble.directoryRootPem()).contains(PEM + "\n");
    assertThat(pebble.email()).contains("ops@example.com");
  }

  @Test
  void badSettingsAreRefusedWithWhatWouldBeAccepted() {
    assertThatThrownBy(() -> AcmeSettings.directory("http://acme.example.com/dir"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("must be an https URL")
        .hasMessageContaining("LETS_ENCRYPT_STAGING");
    assertThatThrownBy(() -> AcmeSettings.directory("not a url")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> AcmeSettings.letsEncrypt().withDirectoryRootPem("MIIB"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("PEM certificate");
    assertThatThrownBy(() -> AcmeSettings.letsEncrypt().withEmail("ops at example.com"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not an email address");
    assertThatThrownBy(() -> AcmeSettings.letsEncrypt().withEmail("o'ps@example.com"))
        .isInstanceOf(InvalidInputException.class);
    assertThat(new AcmeSettings(AcmeSettings.letsEncrypt().directory(), null, null).email()).isEqualTo(Optional.empty());
  }

  @Test
  void theBaseDomainIsCheckedWhenTheInstanceIsConfigured() {
    assertThatThrownBy(() -> Potions.builder().baseDomain("*.apps.example.com"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("plain domain");
    assertThatThrownBy(() -> Potions.builder().baseDomain("not a domain")).isInstanceOf(InvalidInputException.class);
  }
}
