package io.potions.app.backup;

import java.time.Duration;
import java.util.Optional;

/**
 * A restore drill's result.
 *
 * @param backupId the backup proved
 * @param tables how many tables the scratch restore held
 * @param duration how long the drill took (check, restore, ANALYZE, smoke query, drop)
 * @param backupAge how old the backup was when the drill ran
 * @param smokeResult the first value the caller's smoke query returned, when one was given
 */
public record VerifyResult(String backupId, int tables, Duration duration, Duration backupAge,
    Optional<String> smokeResult) {

  /**
   * A drill with no smoke query of the caller's.
   *
   * @param backupId the backup proved
   * @param tables how many tables the scratch restore held
   * @param duration how long the drill took
   * @param backupAge how old the backup was when the drill ran
   */
  public VerifyResult(String backupId, int tables, Duration duration, Duration backupAge) {
    this(backupId, tables, duration, backupAge, Optional.empty());
  }
}
