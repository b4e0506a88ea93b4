package io.potions.app.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * One backup of an app, as kept on its server: a PostgreSQL custom-format dump of the app's
 * database and a tar of its storage directory, each with its SHA-256 in the backup's manifest.
 *
 * @param id the backup's id (starts with its UTC time, so ids sort by age)
 * @param createdAt when it was made
 * @param kind why: {@code manual}, {@code scheduled}, {@code pre-migration}, {@code import}
 * @param release the release that was live when it was made (a restore starts that one), if any
 * @param databaseBytes size of the database dump
 * @param storageBytes size of the storage archive (0 when the backup has no storage part)
 * @param location where it is stored, such as {@code server:/opt/potions/shop/backups/<id>}
 * @param verifiedAt when a restore drill last proved it restores, if ever
 */
public record Backup(String id, Instant createdAt, String kind, Optional<String> release, long databaseBytes,
    long storageBytes, String location, Optional<Instant> verifiedAt) {

  /** @return the total size of its parts */
  public long bytes() {
    return databaseBytes + storageBytes;
  }

  /** @return true when a restore drill proved it */
  public boolean verified() {
    return verifiedAt.isPresent();
  }
}
