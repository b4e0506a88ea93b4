package io.potions.app.backup;

import io.potions.app.Deployment;
import java.time.Duration;
import java.util.Optional;

/**
 * What a restore did.
 *
 * @param backupId the backup restored
 * @param database the database the app uses now (new, restored from the backup)
 * @param previousDatabase the database it used before, kept until dropped
 * @param tables how many tables the restored database holds
 * @param previousStorage where the storage directory from before the restore was kept, when storage was restored
 * @param deployment the zero-downtime restart that moved the app onto the restored data
 * @param duration how long the whole restore took
 */
public record RestoreResult(String backupId, String database, String previousDatabase, int tables,
    Optional<String> previousStorage, Deployment deployment, Duration duration) {}
