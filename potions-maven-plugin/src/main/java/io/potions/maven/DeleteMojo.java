package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:delete}: deletes the app (units, route, env, releases, storage). Needs
 * {@code -Dpotions.confirm=<app>}; the database is kept unless {@code -Dpotions.dropDatabase=true}.
 */
@Mojo(name = "delete", requiresProject = false, threadSafe = true)
public class DeleteMojo extends AbstractAppMojo {
  /** The app's name again, to confirm. */
  @Parameter(property = "potions.confirm")
  private String confirm;

  /** Drop the app's database and role too (its data is lost). */
  @Parameter(property = "potions.dropDatabase", defaultValue = "false")
  private boolean dropDatabase;

  /** For Maven. */
  public DeleteMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    if (!app.name().equals(confirm)) {
      throw new MojoFailureException("Deleting app " + app.name() + " removes its releases and storage"
          + (dropDatabase ? " and its database" : "") + ". Confirm with -Dpotions.confirm=" + app.name() + "; nothing was changed.");
    }
    app.delete(dropDatabase);
    getLog().info("Deleted app " + app.name() + (dropDatabase ? " and its database" : " (its database was kept)"));
  }
}
