package io.potions.app.backup;

import static io.potions.internal.shell.Shell.quote;

import io.potions.internal.Names;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.ScriptTemplate;
import java.util.regex.Pattern;

/**
 * Pure renderers of the scripts backups run on the server as the deploy user. Root work (reading
 * the database and the app's storage, restoring them) goes through the validating helper; this
 * side only writes, checks and reads files under the app's own 0700 backup directory.
 */
final class BackupScripts {
  /** Backup ids: a UTC timestamp, then a kind, such as {@code 20261202T091500Z-manual}. */
  static final Pattern ID = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[a-z-]{1,20}");
  /** Exit status of {@link #check} when the backup does not exist. */
  static final int MISSING = 3;
  /** Exit status of {@link #check} when a part is missing, truncated or altered. */
  static final int CORRUPT = 4;
  /** Exit status of {@link #create} when the local backup was made but its offsite copy failed. */
  static final int OFFSITE_FAILED = 5;

  private BackupScripts() {}

  /** @return {@code /opt/potions/<app>/backups}, the deploy user's 0700 directory */
  static String dir(String app) {
    return ServerLayout.ROOT + "/" + Names.app(app) + "/backups";
  }

  static String dir(String app, String id) {
    return dir(app) + "/" + id;
  }

  static String helper(String... args) {
    StringBuilder s = new StringBuilder("sudo -n " + ServerLayout.ADMIN_HELPER);
    for (String a : args) {
      s.append(' ').append(quote(a));
    }
    return s.toString();
  }

  static String create(String app, String id, String kind, String release, int keep) {
    // A pre-migration backup is there to undo this deploy on this server: the deploy neither waits
    // on the offsite storage (restic retries an unreachable one for minutes) nor fails with it. The
    // next scheduled or on-demand backup goes offsite.
    String offsite = Backups.PRE_MIGRATION.equals(kind) ? "echo POTIONS_OFFSITE=none"
        : helper("offsite-backup", app, id, Integer.toString(keep));
    return template("create.sh")
        .quoted("DIR", dir(app))
        .quoted("ID", id)
        .raw("DB_DUMP", helper("db-dump", app))
        .raw("STORAGE_TAR", helper("storage-tar", app))
        .quoted("APP_JSON", json(app))
        .quoted("KIND_JSON", json(kind))
        .quoted("RELEASE_JSON", release == null ? "null" : json(release))
        .raw("KEEP", Integer.toString(keep))
        .raw("OFFSITE_BACKUP", offsite)
        .render();
  }

  /** The create script as a program on the server, its id as the first argument (for the timer). */
  static String createProgram(String app, String kind, int keep) {
    return "#!/bin/bash\n# Managed by Potions: makes one backup of " + app + "; the id is the first argument.\n"
        + "set -euo pipefail\numask 077\n"
        + template("create.sh").quoted("DIR", dir(app)).raw("ID", "\"${1:?}\"")
        .raw("DB_DUMP", helper("db-dump", app)).raw("STORAGE_TAR", helper("storage-tar", app))
        .quoted("APP_JSON", json(app)).quoted("KIND_JSON", json(kind)).quoted("RELEASE_JSON", "null")
        .raw("KEEP", Integer.toString(keep))
        .raw("OFFSITE_BACKUP", helper("offsite-backup", app) + " \"$id\" " + keep).render();
  }

  /** The timer's script: runs {@link #createProgram} and records the run's result as JSON. */
  static String scheduledProgram(String app) {
    return template("scheduled.sh").quoted("RUNS", dir(app) + "/runs").quoted("CREATE", dir(app) + "/.create.sh")
        .render();
  }

  /** Prints the recorded scheduled runs, one JSON document per line, oldest first. */
  static String runs(String app) {
    return records(dir(app) + "/runs");
  }

  /** Prints each record file of a directory (named by time, so sorting orders them) on one line. */
  private static String records(String directory) {
    return "cd " + quote(directory) + " 2>/dev/null || exit 0\n"
        + "find . -maxdepth 1 -type f -name '[0-9]*.json' -printf '%f\\n' | sort | while IFS= read -r f; do"
        + " tr -d '\\n' < \"$f\"; echo; done";
  }

  static String list(String app) {
    return template("list.sh").quoted("DIR", dir(app)).raw("OFFSITE_LIST", helper("offsite-list", app)).render();
  }

  static String check(String app, String id) {
    return template("check.sh").quoted("DIR", dir(app, id)).raw("ID", id).render();
  }

  static String delete(String app, String id) {
    return "d=" + quote(dir(app, id)) + "\n[ -d \"$d\" ] || { echo \"backup " + id + " does not exist\" >&2; exit "
        + MISSING + "; }\nrm -rf -- \"$d\"";
  }

  /** Streams a part as base64 lines, so binary bytes survive a line-oriented channel. */
  static String download(String app, String id, String file) {
    return "f=" + quote(dir(app, id) + "/" + file) + "\n[ -f \"$f\" ] || { echo \"backup " + id
        + " has no " + file + "\" >&2; exit " + MISSING + "; }\nbase64 -w 76 -- \"$f\"";
  }

  /** The new role's password arrives on stdin; printf is a builtin, so it never shows in the process list. */
  static String restoreDatabase(String app, String id, String generation) {
    return "IFS= read -r pw\n"
        + "printf '%s\\n' \"$pw\" | " + helper("db-new", app, generation) + "\n"
        + "{ printf '%s\\n' \"$pw\"; cat -- " + quote(dir(app, id) + "/db.dump") + "; } | "
        + helper("db-restore", app, generation);
  }

  /**
   * Fetches a backup back from its offsite copy (the root helper streams restic's tar of it; this
   * shell, the deploy user's, extracts it beside the backups and moves it in whole), so that
   * {@link #check} then verifies it against its manifest exactly as a local one.
   */
  static String fetchOffsite(String app, String id) {
    // restic's tar holds the absolute path: drop the leading directories down to the id.
    int depth = dir(app).split("/").length - 1;
    return template("fetch-offsite.sh").quoted("DIR", dir(app)).quoted("ID", id)
        .raw("OFFSITE_DUMP", helper("offsite-dump", app, id)).raw("STRIP", Integer.toString(depth)).render();
  }

  /** The app's offsite settings as the helper reads them on stdin: one value a line, secrets included. */
  static byte[] offsiteSettings(OffsiteTarget target, String app) {
    return String.join("\n", target.resticRepository(app), target.region(), target.accessKeyId(), target.secretKey(),
        target.repositoryPassword(), "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Runs a restore drill's smoke query in the scratch database, connected as its own role over
   * loopback (never as postgres): the password line, then the SQL, arrive on stdin.
   */
  static String smokeQuery(String database) {
    if (!database.matches("app_[a-z0-9_]+__r[0-9]{14}")) {
      throw new IllegalArgumentException("not a scratch database: " + database);
    }
    return "IFS= read -r pw\nPGPASSWORD=\"$pw\" psql --no-psqlrc -X -h 127.0.0.1 -p 5432 -U " + database + " -d " + database
        + " -tAq -v ON_ERROR_STOP=1 -f -";
  }

  static String restoreStorage(String app, String id) {
    return helper("storage-restore", app) + " < " + quote(dir(app, id) + "/storage.tar");
  }

  /** Turns an uploaded dump into a backup of kind {@code import} with no storage part. */
  static String adoptImport(String app, String id, String uploaded) {
    String d = quote(dir(app, id));
    return "set -o noclobber\nf=" + quote(uploaded) + "\n"
        + "if [ \"$(head -c 5 -- \"$f\")\" != PGDMP ]; then rm -f -- \"$f\"; echo 'not a PostgreSQL custom-format dump' >&2; exit "
        + CORRUPT + "; fi\n"
        + "mkdir -m 0700 -- " + d + "\nmv -- \"$f\" " + d + "/db.dump\n"
        + "sha=$(sha256sum " + d + "/db.dump | cut -d' ' -f1)\nsize=$(stat -c %s " + d + "/db.dump)\n"
        + "printf '{\"id\":\"%s\",\"app\":%s,\"createdAt\":\"%s\",\"kind\":\"import\",\"release\":null,"
        + "\"database\":{\"file\":\"db.dump\",\"bytes\":%s,\"sha256\":\"%s\"},\"storage\":null}\\n' "
        + quote(id) + " " + quote(json(app)) + " \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$size\" \"$sha\" > " + d + "/manifest.json";
  }

  /** Records a drill beside its backup (list() reads it) and among the drill records (health() reads them). */
  static String recordVerification(String app, String id, String json) {
    return "cat > " + quote(dir(app, id) + "/verified.json") + " <<'POTIONS_JSON'\n" + json + "\nPOTIONS_JSON\n"
        + "install -d -m 0700 " + quote(dir(app) + "/drills") + "\n"
        + "cp -- " + quote(dir(app, id) + "/verified.json") + " " + quote(dir(app) + "/drills/") + "\"$(date -u +%Y%m%d%H%M%S)-$$.json\"";
  }

  /**
   * The weekly drill's program (uploaded beside the backups, run by the timer as the deploy user):
   * the newest local backup checked, restored into a scratch database of a generation made from
   * the time, its tables counted, the scratch database dropped, the result recorded.
   */
  static String drillProgram(String app) {
    String scratch = "\"" + "app_" + Names.app(app).replace('-', '_') + "__r$gen\"";
    return template("drill.sh").quoted("DIR", dir(app))
        .raw("CHECK", template("check.sh").raw("DIR", "\"$dir/$id\"").raw("ID", "$id").render().strip()
            .replace("\n", "\n      "))
        .raw("DB_NEW", helper("db-new", app) + " \"$gen\"")
        .raw("DB_RESTORE", helper("db-restore", app) + " \"$gen\"")
        .raw("DROP", helper("db-drop-kept", app) + " " + scratch)
        .render();
  }

  /** Prints the recorded drills (scheduled and the SDK's), one JSON document per line, oldest first. */
  static String drills(String app) {
    return records(dir(app) + "/drills");
  }

  /** A JSON string literal of a value that is already validated (names, ids, kinds). */
  static String json(String value) {
    if (!value.matches("[A-Za-z0-9._:-]*")) {
      throw new IllegalArgumentException("not a plain value: " + value);
    }
    return "\"" + value + "\"";
  }

  private static ScriptTemplate template(String name) {
    return ScriptTemplate.load(BackupScripts.class, "/io/potions/scripts/backup/" + name);
  }
}
