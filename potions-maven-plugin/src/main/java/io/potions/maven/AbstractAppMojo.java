package io.potions.maven;

import io.potions.Potions;
import io.potions.app.App;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/** What the goals that work on one app share: the app's name. */
public abstract class AbstractAppMojo extends AbstractPotionsMojo {
  /** The app's name on the server: lowercase letters, digits and hyphens, starting with a letter. */
  @Parameter(property = "potions.app", defaultValue = "${project.artifactId}", required = true)
  private String app;

  /** For Maven. */
  protected AbstractAppMojo() {}

  /** @return the app's name */
  protected final String appName() {
    return app;
  }

  @Override
  protected final void run(Potions potions) throws MojoFailureException, MojoExecutionException {
    run(server(potions, false).app(app));
  }

  /**
   * The goal's work on the app.
   *
   * @param app the app (it may not exist yet)
   * @throws MojoFailureException when the goal cannot do what was asked
   * @throws MojoExecutionException when something unexpected broke
   */
  protected abstract void run(App app) throws MojoFailureException, MojoExecutionException;
}
