package io.potions.maven;

import io.potions.app.App;
import io.potions.app.Deployment;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * {@code potions:rollback}: returns the app to the release before the live one, without building,
 * with the same zero-downtime switch as a deploy.
 */
@Mojo(name = "rollback", requiresProject = false, threadSafe = true)
public class RollbackMojo extends AbstractAppMojo {
  /** For Maven. */
  public RollbackMojo() {}

  @Override
  protected void run(App app) {
    Deployment d = app.rollback();
    getLog().info("Rolled back app " + app.name() + " to commit " + d.commit().substring(0, 7) + " in the "
        + d.slot() + " slot (" + MavenProgress.seconds(d.duration()) + ")");
  }
}
