package io.potions.secret;

import java.util.Objects;

/**
 * A value that must never reach a log, an exception message or a {@code toString()}. The only way
 * to read it is {@link #reveal()}, which makes every use easy to find in review.
 */
public final class Secret {
  /** What every secret prints as. */
  public static final String MASK = "******";

  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /**
   * @param value the secret value
   * @return a wrapper that hides it
   */
  public static Secret of(String value) {
    return new Secret(value);
  }

  /** @return the secret value itself; do not log it */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return MASK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && java.security.MessageDigest.isEqual(
        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        other.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // equal secrets must hash alike; a constant keeps the value out of hash-based probes
  }
}
