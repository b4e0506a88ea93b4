package io.potions.e2e;

import io.potions.testkit.DockerUnavailableException;
import io.potions.testkit.ThrowawayServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks for a Docker engine before a class of end-to-end tests. In CI ({@code CI=true}) a missing
 * engine fails the run loudly; on a developer's machine the class is skipped with the reason.
 */
public final class RequiresDocker implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    try {
      ThrowawayServer.requireDocker();
    } catch (DockerUnavailableException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true and no Docker engine: end-to-end tests cannot run. "
            + e.getMessage(), e);
      }
      Assumptions.abort("Skipped: " + e.getMessage());
    }
  }
}
