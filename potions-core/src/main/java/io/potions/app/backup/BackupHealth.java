package io.potions.app.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether an app's backups are current, from what its server recorded.
 *
 * @param lastGoodBackup when the newest backup kept on the server was made
 * @param lastGoodOffsite when the newest offsite copy was made (offsite copies are not built yet: always empty)
 * @param scheduled whether a daily backup timer is installed
 * @param failedRuns scheduled runs that failed after the last good backup, oldest first
 * @param stale true when the last good backup is older than the schedule plus {@link #MARGIN} (or there is none)
 * @param summary one line for people
 */
public record BackupHealth(Optional<Instant> lastGoodBackup, Optional<Instant> lastGoodOffsite, boolean scheduled,
    List<BackupRun> failedRuns, boolean stale, String summary) {
  /** How late a daily backup may be before it counts as stale. */
  public static final Duration MARGIN = Duration.ofHours(2);

  /** @return true when backups are current and no run failed since the last good one */
  public boolean healthy() {
    return !stale && failedRuns.isEmpty();
  }
}
