package io.potions.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.app.domain.AcmeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's ACME properties become the SDK's settings, and a bad one fails with what to use. */
class AcmeParametersTest {
  @Test
  void namedDirectoriesAndAUrlWithItsRootAndEmail(@TempDir Path dir) throws Exception {
    assertThat(AbstractPotionsMojo.acmeSettings(null, null, null)).isEqualTo(AcmeSettings.letsEncrypt());
    assertThat(AbstractPotionsMojo.acmeSettings("LetsEncrypt-Staging", null, " "))
        .isEqualTo(AcmeSettings.letsEncryptStaging());
    Path pem = dir.resolve("root.pem");
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    AcmeSettings own = AbstractPotionsMojo.acmeSettings("https://ca.internal:14000/dir", pem, "ops@example.com");
    assertThat(own.directory()).hasToString("https://ca.internal:14000/dir");
    assertThat(own.directoryRootPem()).hasValue("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    assertThat(own.email()).isEqualTo(Optional.of("ops@example.com"));
  }

  @Test
  void aBadDirectoryRootOrEmailSaysWhatToUse(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> AbstractPotionsMojo.acmeSettings("staging", null, null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("letsencrypt-staging");
    assertThatThrownBy(() -> AbstractPotionsMojo.acmeSettings("letsencrypt", dir.resolve("missing.pem"), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("potions.acmeRoot: cannot read");
    Path notPem = dir.resolve("x.pem");
    Files.writeString(notPem, "hello");
    assertThatThrownBy(() -> AbstractPotionsMojo.acmeSettings("letsencrypt", notPem, null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("PEM certificate");
    assertThatThrownBy(() -> AbstractPotionsMojo.acmeSettings("letsencrypt", null, "not-an-email"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not an email address");
  }
}
