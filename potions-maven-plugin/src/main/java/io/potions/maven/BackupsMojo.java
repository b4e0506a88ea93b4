package io.potions.maven;

import io.potions.app.App;
import io.potions.app.backup.Backup;
import io.potions.app.backup.BackupHealth;
import java.util.List;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugin.MojoFailureException;

/**
 * {@code potions:backups}: lists the app's backups (id, time, sizes, verified or not) and their
 * health; fails the build when asked and backups are stale or a scheduled run failed.
 */
@Mojo(name = "backups", requiresProject = false, threadSafe = true)
public class BackupsMojo extends AbstractAppMojo {
  /** Fail the build when the backups are not healthy (for a monitoring job). */
  @Parameter(property = "potions.requireHealthyBackups", defaultValue = "false")
  private boolean requireHealthy;

  /** For Maven. */
  public BackupsMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    List<Backup> backups = app.backups().list();
    getLog().info("Backups of app " + app.name() + " (" + backups.size() + "):");
    for (Backup b : backups) {
      getLog().info("  " + b.id() + "  " + b.createdAt() + "  db " + b.databaseBytes() + " B  storage "
          + b.storageBytes() + " B  " + (b.verified() ? "verified " + b.verifiedAt().get() : "not verified")
          + "  " + b.stored().name().toLowerCase(java.util.Locale.ROOT) + "  " + b.location());
    }
    BackupHealth health = app.backups().health();
    getLog().info("Health: " + health.summary());
    if (requireHealthy && !health.healthy()) {
      throw new MojoFailureException("Backups of app " + app.name() + " are not healthy: " + health.summary());
    }
  }
}
