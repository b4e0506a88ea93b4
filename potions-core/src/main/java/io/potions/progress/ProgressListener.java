package io.potions.progress;

/** Receives {@link ProgressEvent}s. Called on the thread doing the work, so return quickly. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = event -> {};

  /** @param event what just happened */
  void onEvent(ProgressEvent event);

  /**
   * @param other a second listener
   * @return a listener that tells this one, then {@code other}
   */
  default ProgressListener andThen(ProgressListener other) {
    return event -> {
      onEvent(event);
      other.onEvent(event);
    };
  }
}
