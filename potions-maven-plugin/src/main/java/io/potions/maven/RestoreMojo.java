package io.potions.maven;

import io.potions.app.App;
import io.potions.app.backup.RestoreResult;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:restore -Dpotions.backup=ID}: restores a backup into a new database and storage,
 * then moves the app onto them with the zero-downtime switch. The previous database is kept.
 */
@Mojo(name = "restore", requiresProject = false, threadSafe = true)
public class RestoreMojo extends AbstractAppMojo {
  /** The backup to restore (see {@code potions:backups}). */
  @Parameter(property = "potions.backup")
  private String backup;

  /** For Maven. */
  public RestoreMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    if (backup == null || backup.isBlank()) {
      throw new MojoFailureException("Say which backup to restore: -Dpotions.backup=ID (list them with potions:backups).");
    }
    RestoreResult r = app.backups().restore(backup.trim());
    getLog().info("Restored backup " + r.backupId() + " of app " + app.name() + ": database " + r.database()
        + " (" + r.tables() + " tables) is live; the previous database " + r.previousDatabase()
        + " is kept until dropped" + r.previousStorage().map(s -> "; previous storage kept at " + s).orElse("")
        + " (" + MavenProgress.seconds(r.duration()) + ")");
  }
}
