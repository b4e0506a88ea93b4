package io.potions.examples;

import io.potions.testkit.DockerUnavailableException;
import io.potions.testkit.ThrowawayServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks for a Docker engine before a class that runs examples on the local cloud. In CI
 * ({@code CI=true}) a missing engine fails the class; elsewhere it is skipped with the reason.
 */
final class RequiresDocker implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    try {
      ThrowawayServer.requireDocker();
    } catch (DockerUnavailableException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true and no Docker engine: the examples cannot run. " + e.getMessage(), e);
      }
      Assumptions.abort("Skipped: " + e.getMessage());
    }
  }
}
