package io.potions.testkit;

/** No Docker engine answers, so no throwaway server can start. */
public class DockerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what is missing and how to get it */
  public DockerUnavailableException(String message) {
    super(message);
  }
}
