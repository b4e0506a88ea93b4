package io.potions.provision;

import java.time.Duration;
import java.util.List;

/**
 * What one provision() run did.
 *
 * @param steps each step's outcome, in order
 * @param facts what the server runs afterwards
 * @param duration how long the whole run took
 */
public record ProvisionReport(List<StepOutcome> steps, ServerFacts facts, Duration duration) {
  /**
   * One step's outcome.
   *
   * @param id step id
   * @param title what it does
   * @param changed whether it changed anything
   * @param duration how long it took
   */
  public record StepOutcome(String id, String title, boolean changed, Duration duration) {}

  /** @return true when at least one step changed the server */
  public boolean changedAnything() {
    return steps.stream().anyMatch(StepOutcome::changed);
  }

  /** @return the ids of the steps that changed the server */
  public List<String> changedSteps() {
    return steps.stream().filter(StepOutcome::changed).map(StepOutcome::id).toList();
  }

  /** @return a one-line summary for people */
  public String summary() {
    long changed = steps.stream().filter(StepOutcome::changed).count();
    return changed == 0
        ? "nothing changed: all " + steps.size() + " steps were already in place (" + seconds() + ")"
        : changed + " of " + steps.size() + " steps changed the server: " + changedSteps()
            + " (" + seconds() + ")";
  }

  private String seconds() {
    return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }
}
