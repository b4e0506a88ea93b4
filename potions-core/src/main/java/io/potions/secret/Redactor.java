package io.potions.secret;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Replaces known secret values in text before it is logged, streamed to a listener or put in an
 * exception message. Every place that turns server output into text goes through one of these.
 */
public final class Redactor {
  // Secrets shorter than this are not masked: masking "1" would shred every line of output.
  private static final int MIN_LENGTH = 4;

  private final List<String> secrets = new CopyOnWriteArrayList<>();

  /**
   * Remembers a value to mask from now on.
   *
   * @param secret the value
   */
  public void register(Secret secret) {
    register(secret.reveal());
  }

  /**
   * Remembers a raw value to mask from now on.
   *
   * @param value the value
   */
  public void register(String value) {
    if (value != null && value.length() >= MIN_LENGTH && !secrets.contains(value)) {
      secrets.add(value);
      // Longest first, so a secret that contains another is masked whole.
      secrets.sort(Comparator.comparingInt(String::length).reversed());
    }
  }

  /**
   * @param text any text
   * @return the text with every registered secret replaced by {@link Secret#MASK}
   */
  public String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, Secret.MASK);
    }
    return out;
  }
}
