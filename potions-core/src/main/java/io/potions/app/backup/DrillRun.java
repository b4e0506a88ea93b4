package io.potions.app.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * One restore drill, as the server recorded it: a scheduled one (the weekly timer, see
 * {@link Backups#scheduleDrill}) or one the SDK ran ({@link Backups#verify(String)}).
 *
 * @param backupId the backup drilled (empty when there was none to drill)
 * @param at when it started
 * @param ok whether the backup restored into a scratch database with tables (and passed the smoke query)
 * @param tables how many tables the scratch restore held (-1 when it did not get that far)
 * @param duration how long it took
 * @param backupAge how old the backup was
 * @param scheduled whether the timer ran it (rather than the SDK)
 * @param output its last lines (scheduled drills), for a failed one
 */
public record DrillRun(String backupId, Instant at, boolean ok, int tables, Duration duration, Duration backupAge,
    boolean scheduled, String output) {}
