package io.potions.app;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * How a new slot proves it is ready before traffic moves to it. Run from the server itself against
 * the slot's own port, with the app's Host header (so apps that check Host or force HTTPS redirect
 * do not fail it), polled every {@link #interval()} until {@link #deadline()}.
 */
@Value.Immutable
public abstract class HealthCheck {
  /** @return the path requested, {@code /health} unless set */
  @Value.Default
  public String path() {
    return "/health";
  }

  /** @return the status that counts as healthy, 200 unless set */
  @Value.Default
  public int expectedStatus() {
    return 200;
  }

  /** @return the Host header to send; the app's first domain when empty */
  public abstract Optional<String> host();

  /** @return how long the slot has to become healthy, 60 s unless set */
  @Value.Default
  public Duration deadline() {
    return Duration.ofSeconds(60);
  }

  /** @return the pause between attempts, 1 s unless set */
  @Value.Default
  public Duration interval() {
    return Duration.ofSeconds(1);
  }

  /**
   * @return how long the slot must stay healthy after its first good answer before traffic moves
   *     (3 s unless set): a release that crashes right after passing is caught here, not after the switch
   */
  @Value.Default
  public Duration settle() {
    return Duration.ofSeconds(3);
  }

  /** @return the defaults */
  public static HealthCheck defaults() {
    return builder().build();
  }

  /** @return a new builder */
  public static ImmutableHealthCheck.Builder builder() {
    return ImmutableHealthCheck.builder();
  }

  /** Refuses values the server could not use, with a message that says what would be accepted. */
  @Value.Check
  protected void check() {
    if (!path().matches("/[A-Za-z0-9._~!$&'()*+,;=:@/%?-]{0,200}") || path().contains("..")) {
      throw new InvalidInputException("Health check path '" + Names.abbreviate(path())
          + "' is not valid: use an absolute URL path such as /health.");
    }
    if (expectedStatus() < 100 || expectedStatus() > 599) {
      throw new InvalidInputException("Expected health status " + expectedStatus() + " is not an HTTP status.");
    }
    host().ifPresent(Names::domain);
    if (deadline().isNegative() || deadline().isZero() || deadline().compareTo(Duration.ofHours(1)) > 0) {
      throw new InvalidInputException("Health check deadline " + deadline() + " must be between 1 s and 1 h.");
    }
    if (settle().isNegative() || settle().compareTo(Duration.ofMinutes(5)) > 0) {
      throw new InvalidInputException("Health check settle time " + settle() + " must be between 0 and 5 minutes.");
    }
    if (interval().toMillis() < 100 || interval().compareTo(deadline()) > 0) {
      throw new InvalidInputException("Health check interval " + interval()
          + " must be at least 100 ms and no longer than the deadline.");
    }
  }
}
