package io.potions.github;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JSON Web Token a GitHub App signs to authenticate as itself (RS256, with the JDK's
 * {@code SHA256withRSA}): issued 60 seconds in the past against clock drift, expiring 9 minutes from
 * now (GitHub accepts at most 10), issuer the app's client id or app id.
 */
final class AppJwt {
  /** How far back {@code iat} is set, against clocks running ahead of GitHub's. */
  static final Duration BACKDATE = Duration.ofSeconds(60);
  /** How long the token lives from now; GitHub refuses more than 10 minutes. */
  static final Duration LIFETIME = Duration.ofMinutes(9);

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private AppJwt() {}

  static String create(String issuer, PrivateKey key, Instant now) {
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    long iat = now.minus(BACKDATE).getEpochSecond();
    long exp = now.plus(LIFETIME).getEpochSecond();
    String payload = "{\"iat\":" + iat + ",\"exp\":" + exp + ",\"iss\":" + jsonString(issuer) + "}";
    String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new io.potions.http.HttpApiException("GitHub", "Could not sign the GitHub App's JWT with its private key ("
          + e.getClass().getSimpleName() + "): check that it is the app's RSA private key.");
    }
  }

  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
