package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugins.annotations.Mojo;

/** {@code potions:restart}: starts the live release again and switches to it (zero downtime); applies env changes. */
@Mojo(name = "restart", requiresProject = false, threadSafe = true)
public class RestartMojo extends AbstractAppMojo {
  /** For Maven. */
  public RestartMojo() {}

  @Override
  protected void run(App app) {
    var d = app.restart();
    getLog().info("Restarted app " + app.name() + " in the " + d.slot() + " slot (" + MavenProgress.seconds(d.duration()) + ")");
  }
}
