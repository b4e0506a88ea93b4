package io.potions.app.backup;

import java.time.Instant;

/**
 * One scheduled backup run, as the server recorded it.
 *
 * @param id the backup id it made (or tried to)
 * @param at when it started
 * @param ok whether it succeeded
 * @param exitStatus its exit status
 * @param output its last lines
 */
public record BackupRun(String id, Instant at, boolean ok, int exitStatus, String output) {}
