package io.potions.app.domain;

import io.potions.InvalidInputException;
import java.net.URI;
import java.util.Optional;

/**
 * Where the reverse proxy obtains certificates for apps served over HTTPS: an ACME directory (Let's
 * Encrypt unless set), optionally a CA root to trust for that directory's own TLS (a private CA such
 * as Pebble in tests), and optionally the account's contact email. Set once per {@code Potions}
 * instance with {@code Potions.builder().acme(...)}.
 *
 * @param directory the ACME directory URL (https)
 * @param directoryRootPem a PEM certificate the proxy trusts for the directory's TLS, or empty for the
 *     system's roots
 * @param email the ACME account's contact email, or empty for none
 */
public record AcmeSettings(URI directory, Optional<String> directoryRootPem, Optional<String> email) {
  /** Let's Encrypt's production directory: browsers trust its certificates; rate limits apply. */
  public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
  /**
   * Let's Encrypt's staging directory: generous rate limits for trials, but browsers do not trust
   * its certificates.
   */
  public static final String LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

  /**
   * @param directory the ACME directory URL (https)
   * @param directoryRootPem a PEM certificate to trust for the directory's TLS, or empty
   * @param email the account's contact email, or empty
   * @throws InvalidInputException when a value is not acceptable
   */
  public AcmeSettings {
    if (directory == null || !"https".equals(directory.getScheme()) || directory.getHost() == null) {
      throw new InvalidInputException("The ACME directory '" + directory + "' must be an https URL, such as "
          + LETS_ENCRYPT + " (or AcmeSettings.LETS_ENCRYPT_STAGING for trials).");
    }
    directoryRootPem = directoryRootPem == null ? Optional.empty() : directoryRootPem;
    email = email == null ? Optional.empty() : email;
    directoryRootPem.ifPresent(pem -> {
      String trimmed = pem.strip();
      if (!trimmed.startsWith("-----BEGIN CERTIFICATE-----") || !trimmed.endsWith("-----END CERTIFICATE-----")) {
        throw new InvalidInputException("The ACME directory's root must be a PEM certificate"
            + " ('-----BEGIN CERTIFICATE-----' ... '-----END CERTIFICATE-----').");
      }
    });
    email.ifPresent(e -> {
      if (!e.matches("[^@\\s'\"\\\\]+@[^@\\s'\"\\\\]+\\.[^@\\s'\"\\\\]+")) {
        throw new InvalidInputException("The ACME account email '" + e + "' is not an email address,"
            + " such as 'ops@example.com'.");
      }
    });
  }

  /** @return Let's Encrypt's production directory, no account email: the default */
  public static AcmeSettings letsEncrypt() {
    return directory(LETS_ENCRYPT);
  }

  /** @return Let's Encrypt's staging directory, for trials (its certificates are not trusted by browsers) */
  public static AcmeSettings letsEncryptStaging() {
    return directory(LETS_ENCRYPT_STAGING);
  }

  /**
   * @param url the ACME directory URL, such as {@link #LETS_ENCRYPT}
   * @return settings for that directory, with the system's roots and no account email
   * @throws InvalidInputException when the URL is not an https URL
   */
  public static AcmeSettings directory(String url) {
    URI uri;
    try {
      uri = URI.create(url == null ? "" : url.strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("The ACME directory '" + url + "' is not a URL, such as " + LETS_ENCRYPT + ".");
    }
    return new AcmeSettings(uri, Optional.empty(), Optional.empty());
  }

  /**
   * @param pem a PEM certificate the proxy trusts for the directory's own TLS (not for the
   *     certificates it issues)
   * @return a copy trusting that root for the directory
   */
  public AcmeSettings withDirectoryRootPem(String pem) {
    return new AcmeSettings(directory, Optional.ofNullable(pem).map(p -> p.strip() + "\n"), email);
  }

  /**
   * @param address the ACME account's contact email (expiry and problem notices)
   * @return a copy with that email
   */
  public AcmeSettings withEmail(String address) {
    return new AcmeSettings(directory, directoryRootPem, Optional.ofNullable(address).map(String::strip));
  }
}
