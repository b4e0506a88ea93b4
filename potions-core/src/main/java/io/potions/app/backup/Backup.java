package io.potions.app.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * One backup of an app: a PostgreSQL custom-format dump of the app's database and a tar of its
 * storage directory, each with its SHA-256 in the backup's manifest, kept on its server, offsite
 * (an encrypted restic copy in the app's S3 bucket), or both.
 *
 * @param id the backup's id (starts with its UTC time, so ids sort by age)
 * @param createdAt when it was made
 * @param kind why: {@code manual}, {@code scheduled}, {@code pre-migration}, {@code import}
 * @param release the release that was live when it was made (a restore starts that one), if any;
 *     unknown for a backup kept only offsite until it is fetched back
 * @param databaseBytes size of the database dump
 * @param storageBytes size of the storage archive (0 when the backup has no storage part)
 * @param location where it is stored, such as {@code server:/opt/potions/shop/backups/<id>} or, when
 *     only offsite, {@code offsite:<restic repository>}
 * @param verifiedAt when a restore drill last proved it restores, if ever
 * @param stored whether it is on the server, offsite or both
 * @param offsiteAt when its offsite copy was made, if it has one
 */
public record Backup(String id, Instant createdAt, String kind, Optional<String> release, long databaseBytes,
    long storageBytes, String location, Optional<Instant> verifiedAt, Stored stored, Optional<Instant> offsiteAt) {

  /** Where a backup is kept. */
  public enum Stored {
    /** Only on the app's server. */
    LOCAL,
    /** Only in the offsite repository (restore fetches it back first). */
    OFFSITE,
    /** On the server and offsite. */
    BOTH;

    /** @return true when the server has it */
    public boolean local() {
      return this != OFFSITE;
    }

    /** @return true when the offsite repository has it */
    public boolean offsite() {
      return this != LOCAL;
    }
  }

  /** @return the total size of its parts */
  public long bytes() {
    return databaseBytes + storageBytes;
  }

  /** @return true when a restore drill proved it */
  public boolean verified() {
    return verifiedAt.isPresent();
  }
}
