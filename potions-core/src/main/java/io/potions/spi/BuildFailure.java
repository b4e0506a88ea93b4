package io.potions.spi;

import io.potions.PotionsException;
import io.potions.app.DeployFailedException.Reason;
import java.util.Objects;

/**
 * A {@link ReleaseBuilder} could not make the release. The message says what failed, the last
 * lines of the log, and what to do; the reason is one of the build reasons of a deploy.
 */
public class BuildFailure extends PotionsException {
  private static final long serialVersionUID = 1L;
  /** Why the build failed. */
  private final Reason reason;

  /**
   * @param reason {@link Reason#BUILD_FAILED}, {@link Reason#BUILD_TIMED_OUT},
   *     {@link Reason#RUNTIME_UNAVAILABLE} or {@link Reason#TRANSFER_FAILED}
   * @param message what failed and what to do
   */
  public BuildFailure(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** @return why the build failed */
  public Reason reason() {
    return reason;
  }
}
