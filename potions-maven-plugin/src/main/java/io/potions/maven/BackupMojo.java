package io.potions.maven;

import io.potions.app.App;
import io.potions.app.backup.Backup;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:backup}: backs up the app now (its database and storage, on its server), and
 * optionally proves the backup restores with a restore drill.
 */
@Mojo(name = "backup", requiresProject = false, threadSafe = true)
public class BackupMojo extends AbstractAppMojo {
  /** Also run a restore drill of the new backup into a scratch database. */
  @Parameter(property = "potions.verify", defaultValue = "false")
  private boolean verify;

  /** How many backups to keep (1-30). */
  @Parameter(property = "potions.retention", defaultValue = "7")
  private int retention;

  /** For Maven. */
  public BackupMojo() {}

  @Override
  protected void run(App app) {
    Backup b = app.backups().retention(retention).create();
    getLog().info("Backed up app " + app.name() + ": " + b.id() + " (database " + b.databaseBytes()
        + " bytes, storage " + b.storageBytes() + " bytes) at " + b.location());
    if (verify) {
      var drill = app.backups().verify(b.id());
      getLog().info("Restore drill of " + b.id() + ": " + drill.tables() + " table(s) restored in "
          + MavenProgress.seconds(drill.duration()));
    }
  }
}
