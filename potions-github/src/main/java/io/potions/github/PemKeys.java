package io.potions.github;

import io.potions.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads an RSA private key from PEM text with the JDK alone: PKCS#8 ({@code BEGIN PRIVATE KEY}) as
 * is, and PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what GitHub hands out for apps) by wrapping it in
 * the PKCS#8 structure. Messages never carry key material.
 */
final class PemKeys {
  private static final String PKCS1 = "RSA PRIVATE KEY";
  private static final String PKCS8 = "PRIVATE KEY";
  // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
  private static final byte[] RSA_ALGORITHM = {
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

  private PemKeys() {}

  static PrivateKey rsaPrivateKey(String pem) {
    if (pem == null || pem.isBlank()) {
      throw new InvalidInputException("The GitHub App private key is empty: pass the PEM file GitHub generated"
          + " for the app (Settings > Developer settings > GitHub Apps > Private keys).");
    }
    if (pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new InvalidInputException("The GitHub App private key is encrypted; pass it decrypted"
          + " (for example: openssl pkcs8 -topk8 -nocrypt -in key.pem -out app.pem).");
    }
    String type;
    if (pem.contains("-----BEGIN " + PKCS1 + "-----")) {
      type = PKCS1;
    } else if (pem.contains("-----BEGIN " + PKCS8 + "-----")) {
      type = PKCS8;
    } else {
      throw new InvalidInputException("The GitHub App private key is not a PEM RSA private key: expected a"
          + " '-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN PRIVATE KEY-----' block.");
    }
    int start = pem.indexOf("-----BEGIN " + type + "-----") + ("-----BEGIN " + type + "-----").length();
    int end = pem.indexOf("-----END " + type + "-----", start);
    if (end < 0) {
      throw new InvalidInputException("The GitHub App private key's PEM block has no END line.");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(start, end).trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("The GitHub App private key's PEM block is not valid base64.");
    }
    byte[] pkcs8 = type.equals(PKCS1) ? wrapPkcs1(der) : der;
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("The GitHub App private key could not be read as an RSA key ("
          + e.getClass().getSimpleName() + "); download a new one from the app's settings.");
    }
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING pkcs1 }. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
    inner.writeBytes(RSA_ALGORITHM);
    inner.write(0x04);
    inner.writeBytes(length(pkcs1.length));
    inner.writeBytes(pkcs1);
    ByteArrayOutputStream outer = new ByteArrayOutputStream();
    outer.write(0x30);
    outer.writeBytes(length(inner.size()));
    outer.writeBytes(inner.toByteArray());
    return outer.toByteArray();
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    if (n < 0x100) {
      return new byte[] {(byte) 0x81, (byte) n};
    }
    if (n < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    }
    return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
  }
}
