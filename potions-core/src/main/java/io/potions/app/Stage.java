package io.potions.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Locale;

/**
 * One stage of a deployment and how it went.
 *
 * @param name {@code build}, {@code verify} or {@code switch}
 * @param status how it went
 * @param duration how long it took
 */
public record Stage(String name, Outcome status, Duration duration) {
  /** How a stage went. Stored on the server in lowercase ({@code succeeded}). */
  public enum Outcome {
    /** It did what it should. */
    SUCCEEDED,
    /** It failed; the deployment failed with it. */
    FAILED,
    /** It had nothing to do (a rollback builds nothing). */
    SKIPPED;

    /** @return the lowercase name stored on the server */
    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @return the lowercase name, as people read it in logs and messages */
    @Override
    public String toString() {
      return id();
    }

    /**
     * @param id a stored name
     * @return the outcome
     */
    @JsonCreator
    public static Outcome of(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }
}
