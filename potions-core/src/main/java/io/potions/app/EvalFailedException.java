package io.potions.app;

import io.potions.PotionsException;

/** An expression given to {@link App#eval(String)} raised, or could not be evaluated; nothing else changed. */
public class EvalFailedException extends PotionsException {
  private static final long serialVersionUID = 1L;
  /** What the evaluation printed (redacted). */
  private final String output;

  /**
   * @param message what happened
   * @param output what the evaluation printed (redacted)
   */
  public EvalFailedException(String message, String output) {
    super(message);
    this.output = output;
  }

  /** @return what the evaluation printed, standard error included (redacted) */
  public String output() {
    return output;
  }
}
