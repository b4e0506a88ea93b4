package io.potions.app.backup;

import java.time.Duration;

/**
 * A restore drill's result.
 *
 * @param backupId the backup proved
 * @param tables how many tables the scratch restore held
 * @param duration how long the drill took (check, restore, ANALYZE, drop)
 * @param backupAge how old the backup was when the drill ran
 */
public record VerifyResult(String backupId, int tables, Duration duration, Duration backupAge) {}
