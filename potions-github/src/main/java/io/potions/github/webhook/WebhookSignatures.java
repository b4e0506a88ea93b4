package io.potions.github.webhook;

import io.potions.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub's webhook signature: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
 * keyed with the webhook secret>}, checked in constant time.
 */
public final class WebhookSignatures {
  /** The header GitHub signs deliveries in. */
  public static final String HEADER = "X-Hub-Signature-256";

  private static final String PREFIX = "sha256=";

  private WebhookSignatures() {}

  /**
   * @param secret the webhook secret
   * @param body the raw body, exactly as sent
   * @return the header value GitHub would send, {@code sha256=...}
   */
  public static String sign(Secret secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
  }

  /**
   * @param secret the webhook secret
   * @param body the raw body, exactly as received
   * @param header the received {@code X-Hub-Signature-256} value, or {@code null}
   * @return true only when the header carries the body's signature with this secret
   */
  public static boolean matches(Secret secret, byte[] body, String header) {
    byte[] expected = hmac(secret, body);
    if (header == null) {
      return false;
    }
    String value = header.trim();
    if (!value.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
      return false;
    }
    String hex = value.substring(PREFIX.length());
    byte[] given;
    try {
      given = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, given);
  }

  private static byte[] hmac(Secret secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
