package io.potions.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that checks for a Docker engine before a class of tests that start throwaway
 * servers or use the local cloud: {@code @ExtendWith(RequiresDocker.class)}. In CI ({@code CI=true})
 * a missing engine fails the class loudly; on a developer's machine the class is skipped with the
 * reason. (JUnit is an optional dependency of the testkit: tests that use this have it anyway.)
 */
public final class RequiresDocker implements BeforeAllCallback {
  /** Made by JUnit. */
  public RequiresDocker() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    try {
      ThrowawayServer.requireDocker();
    } catch (DockerUnavailableException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true and no Docker engine: tests that need throwaway servers"
            + " cannot run. " + e.getMessage(), e);
      }
      Assumptions.abort("Skipped: " + e.getMessage());
    }
  }
}
