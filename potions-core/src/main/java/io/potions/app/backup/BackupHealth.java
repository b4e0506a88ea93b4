package io.potions.app.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether an app's backups are current, from what its server recorded.
 *
 * @param lastGoodBackup when the newest backup kept on the server was made
 * @param lastGoodOffsite when the newest successful offsite copy was made, if any
 * @param scheduled whether a daily backup timer is installed
 * @param failedRuns scheduled runs that failed after the last good backup, oldest first
 * @param stale true when the last good backup is older than the schedule plus {@link #MARGIN} (or there is none)
 * @param offsiteConfigured whether the app has offsite settings
 * @param failedOffsite offsite copies that failed after the last good one, oldest first
 * @param offsiteStale true when offsite copies are configured and the last good one is older than
 *     the schedule plus {@link #MARGIN}, missing, or followed by a failed copy
 * @param lastDrill the newest restore drill recorded (scheduled or the SDK's), if any
 * @param drillScheduled whether a weekly restore drill timer is installed
 * @param drillStale true when drills are scheduled and none succeeded within a week plus {@link #MARGIN}
 * @param summary one line for people
 */
public record BackupHealth(Optional<Instant> lastGoodBackup, Optional<Instant> lastGoodOffsite, boolean scheduled,
    List<BackupRun> failedRuns, boolean stale, boolean offsiteConfigured, List<OffsiteCopy> failedOffsite,
    boolean offsiteStale, Optional<DrillRun> lastDrill, boolean drillScheduled, boolean drillStale, String summary) {
  /** How late a daily backup may be before it counts as stale. */
  public static final Duration MARGIN = Duration.ofHours(2);

  /**
   * @return true when backups (and offsite copies, when configured) are current and none failed
   *     since, and the last restore drill (if any) passed and is current when drills are scheduled
   */
  public boolean healthy() {
    return !stale && failedRuns.isEmpty() && !offsiteStale && failedOffsite.isEmpty() && !drillStale
        && lastDrill.map(DrillRun::ok).orElse(true);
  }
}
