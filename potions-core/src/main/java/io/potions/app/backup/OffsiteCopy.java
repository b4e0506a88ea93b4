package io.potions.app.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * One attempt to copy a backup offsite, as the server recorded it after the backup.
 *
 * @param backupId the backup it copied (or tried to)
 * @param at when the attempt ended
 * @param ok whether the copy is in the offsite repository
 * @param addedBytes bytes the copy added to the repository after restic's deduplication and
 *     compression (0 when it failed)
 * @param snapshot restic's snapshot id, when it succeeded
 * @param error the last lines of the failure (never a secret), when it failed
 */
public record OffsiteCopy(String backupId, Instant at, boolean ok, long addedBytes, Optional<String> snapshot,
    Optional<String> error) {}
