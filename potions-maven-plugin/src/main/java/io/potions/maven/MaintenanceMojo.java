package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:maintenance}: {@code -Dpotions.maintenance=on -Dpotions.message="Back at 14:00"}
 * answers every request with a 503 page; {@code -Dpotions.maintenance=off} brings traffic back;
 * without the property, says whether the app is in maintenance.
 */
@Mojo(name = "maintenance", requiresProject = false, threadSafe = true)
public class MaintenanceMojo extends AbstractAppMojo {
  /** on or off. */
  @Parameter(property = "potions.maintenance")
  private String maintenance;

  /** What visitors read while it is on. */
  @Parameter(property = "potions.message")
  private String message;

  /** For Maven. */
  public MaintenanceMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    if (maintenance == null || maintenance.isBlank()) {
      getLog().info("App " + app.name() + app.maintenance().map(m -> " is in maintenance: " + m).orElse(" is not in maintenance"));
      return;
    }
    switch (maintenance.trim()) {
      case "on" -> {
        app.maintenance(true, message);
        getLog().info("App " + app.name() + " is in maintenance: every request gets 503 and the page.");
      }
      case "off" -> {
        app.maintenance(false, null);
        getLog().info("App " + app.name() + " serves traffic again.");
      }
      default -> throw new MojoFailureException("potions.maintenance must be on or off, not '" + maintenance + "'.");
    }
  }
}
