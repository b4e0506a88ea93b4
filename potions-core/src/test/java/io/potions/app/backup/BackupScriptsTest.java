package io.potions.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.internal.provision.SystemFiles;
import io.potions.internal.shell.ShellCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup scripts, run for real under bash against a stand-in for the root helper: a backup
 * lands whole or not at all, retention keeps the newest, the checksum check refuses a truncated or
 * altered part (and says which), an import that is not a dump is refused; the helper's new
 * commands refuse what they must. Everything passes ShellCheck.
 */
class BackupScriptsTest {
  private static final String HELPER = "sudo -n /usr/local/sbin/potions-admin";
  @TempDir
  Path dir;
  private Path backups;
  private Path fakeHelper;

  @BeforeEach
  void setUp() throws Exception {
    backups = dir.resolve("backups");
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Files.writeString(storage.resolve("kept.txt"), "written by v1");
    fakeHelper = dir.resolve("helper");
    // db-dump prints a dump-like stream (or fails halfway when FAIL_DUMP exists); storage-tar tars.
    // The offsite commands stand in for restic: with OFFSITE set up they keep a copy of the backup
    // directory under offsite-store (or fail like a refused key when OFFSITE_DENIED exists).
    Path store = dir.resolve("offsite-store");
    Files.writeString(fakeHelper, "#!/bin/bash\nset -euo pipefail\ncase \"$1\" in\n"
        + "  db-dump) printf 'PGDMP fake dump of %s\\n' \"$2\"; if [ -e " + dir + "/FAIL_DUMP ]; then echo 'pg_dump: error: disk full' >&2; exit 1; fi ;;\n"
        + "  storage-tar) tar -C " + storage + " -cf - . ;;\n"
        + "  offsite-backup) [ -e " + dir + "/OFFSITE ] || { echo POTIONS_OFFSITE=none; exit 0; }\n"
        + "    echo \"==> copying backup $3 offsite\"\n"
        + "    if [ -e " + dir + "/OFFSITE_DENIED ]; then echo 'Fatal: unable to save snapshot: Access Denied.' >&2;"
        + " echo \"potions-admin: the offsite copy of backup $3 FAILED\" >&2; exit 64; fi\n"
        + "    mkdir -p " + store + " && cp -r " + backups + "/\"$3\" " + store + "/\n"
        + "    echo POTIONS_OFFSITE_ADDED=1234; echo POTIONS_OFFSITE_SNAPSHOT=abcdef12; echo POTIONS_OFFSITE=ok ;;\n"
        + "  offsite-list) [ -e " + dir + "/OFFSITE ] || exit 0; sep=''; printf 'S ['; for d in " + store + "/*/; do"
        + " [ -d \"$d\" ] || continue; printf '%s{\"time\":\"2026-12-02T09:15:01Z\",\"tags\":[\"potions\",\"%s\",\"db-bytes:9\"]}'"
        + " \"$sep\" \"$(basename \"$d\")\"; sep=,; done; echo ']' ;;\n"
        // restic's tar holds the backup's absolute path on the server
        + "  offsite-dump) tar -C " + store + " --transform 's,^,opt/potions/keep/backups/,' -cf - \"$3\" ;;\n"
        + "  *) exit 64 ;;\nesac\n");
    fakeHelper.toFile().setExecutable(true);
  }

  private String local(String script) {
    return script.replace(HELPER, fakeHelper.toString()).replace("/opt/potions/keep/backups", backups.toString());
  }

  @Test
  void aBackupLandsWholeWithChecksumsAndPassesItsCheck() throws Exception {
    Run r = bash(local(BackupScripts.create("keep", "20261202T091500Z-manual", "manual", "r-1", 7)));
    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output).contains("POTIONS_BACKUP=20261202T091500Z-manual");
    Path b = backups.resolve("20261202T091500Z-manual");
    assertThat(Files.readString(b.resolve("db.dump"))).startsWith("PGDMP");
    String manifest = Files.readString(b.resolve("manifest.json"));
    assertThat(manifest).contains("\"app\":\"keep\"", "\"kind\":\"manual\"", "\"release\":\"r-1\"",
        "\"bytes\":" + Files.size(b.resolve("db.dump")));
    assertThat(Files.getPosixFilePermissions(backups)).hasSize(3);  // rwx for the owner only
    Run check = bash(local(BackupScripts.check("keep", "20261202T091500Z-manual")));
    assertThat(check.status).as(check.output).isZero();
    assertThat(check.output).contains("db.dump: checksum ok", "storage.tar: checksum ok");
    Run list = bash(local(BackupScripts.list("keep")));
    assertThat(list.output.lines().toList()).hasSize(1).allMatch(l -> l.startsWith("M {\"id\":\"20261202T091500Z-manual\""));
  }

  @Test
  void aFailedBackupLeavesNoPartialAndKeepsOlderOnes() throws Exception {
    assertThat(bash(local(BackupScripts.create("keep", "20261201T000000Z-manual", "manual", null, 7))).status).isZero();
    Files.writeString(dir.resolve("FAIL_DUMP"), "");
    Run r = bash(local(BackupScripts.create("keep", "20261202T000000Z-manual", "manual", null, 7)));
    assertThat(r.status).isNotZero();
    assertThat(r.output).contains("disk full");
    try (var files = Files.list(backups)) {
      // .lock is the per-app backup lock's file (empty); no partial directory is left.
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")))
          .containsExactly("20261201T000000Z-manual");
    }
  }

  @Test
  void retentionKeepsTheNewest() throws Exception {
    for (String id : List.of("20261201T000000Z-manual", "20261202T000000Z-scheduled", "20261203T000000Z-manual")) {
      Run r = bash(local(BackupScripts.create("keep", id, "manual", null, 2)));
      assertThat(r.status).as(r.output).isZero();
    }
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")))
          .containsExactlyInAnyOrder("20261202T000000Z-scheduled", "20261203T000000Z-manual");
    }
  }

  @Test
  void aSecondBackupOfTheSameIdIsRefusedAndChangesNothing() throws Exception {
    String id = "20261201T000000Z-manual";
    assertThat(bash(local(BackupScripts.create("keep", id, "manual", null, 7))).status).isZero();
    byte[] manifest = Files.readAllBytes(backups.resolve(id).resolve("manifest.json"));
    Run again = bash(local(BackupScripts.create("keep", id, "manual", null, 7)));
    assertThat(again.status).isNotZero();
    assertThat(again.output).contains("exists already");
    assertThat(backups.resolve(id).resolve("manifest.json")).hasBinaryContent(manifest);
    try (var files = Files.list(backups.resolve(id))) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain(".partial-" + id);
    }
  }

  @Test
  void theCheckRefusesATruncatedOrAlteredPartAndAMissingBackup() throws Exception {
    String id = "20261202T091500Z-manual";
    assertThat(bash(local(BackupScripts.create("keep", id, "manual", null, 7))).status).isZero();
    Path dump = backups.resolve(id).resolve("db.dump");
    byte[] good = Files.readAllBytes(dump);

    Files.write(dump, java.util.Arrays.copyOf(good, good.length - 3));
    Run truncated = bash(local(BackupScripts.check("keep", id)));
    assertThat(truncated.status).isEqualTo(BackupScripts.CORRUPT);
    assertThat(truncated.output).contains("db.dump does not match its checksum (truncated or altered)");

    byte[] altered = good.clone();
    altered[altered.length - 2] ^= 1;
    Files.write(dump, altered);
    assertThat(bash(local(BackupScripts.check("keep", id))).status).isEqualTo(BackupScripts.CORRUPT);

    Files.write(dump, good);
    Files.delete(backups.resolve(id).resolve("storage.tar"));
    Run missingPart = bash(local(BackupScripts.check("keep", id)));
    assertThat(missingPart.status).isEqualTo(BackupScripts.CORRUPT);
    assertThat(missingPart.output).contains("storage.tar is missing");

    assertThat(bash(local(BackupScripts.check("keep", "20200101T000000Z-manual"))).status).isEqualTo(BackupScripts.MISSING);
  }

  @Test
  void anImportIsAdoptedOnlyWhenItIsACustomFormatDump() throws Exception {
    Files.createDirectories(backups);
    Path upload = Files.writeString(backups.resolve(".upload-x"), "create table t (id int);\n");
    Run refused = bash(local(BackupScripts.adoptImport("keep", "20261202T091500Z-import", backups.resolve(".upload-x").toString())));
    assertThat(refused.status).isEqualTo(BackupScripts.CORRUPT);
    assertThat(refused.output).contains("not a PostgreSQL custom-format dump");
    assertThat(upload).doesNotExist();
    assertThat(backups.resolve("20261202T091500Z-import")).doesNotExist();

    Files.writeString(upload, "PGDMP\u0001\u000e rest of a dump");
    Run adopted = bash(local(BackupScripts.adoptImport("keep", "20261202T091500Z-import", upload.toString())));
    assertThat(adopted.status).as(adopted.output).isZero();
    Run check = bash(local(BackupScripts.check("keep", "20261202T091500Z-import")));
    assertThat(check.status).as(check.output).isZero();
    assertThat(check.output).contains("db.dump: checksum ok").doesNotContain("storage.tar");
  }

  @Test
  void idsAndKindsAreValidatedBeforeAnyScriptIsRendered() {
    assertThat(BackupScripts.ID.matcher("20261202T091500Z-pre-migration").matches()).isTrue();
    assertThat(BackupScripts.ID.matcher("../../etc").matches()).isFalse();
    assertThat(BackupScripts.ID.matcher("20261202T091500Z-x;rm").matches()).isFalse();
    assertThatThrownBy(() -> BackupScripts.json("a\"b")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Backups.databaseUrl("postgres://app_keep:old@127.0.0.1:5432/app_keep", "app_keep__r20261202091500", "pw"))
        .isEqualTo("postgres://app_keep__r20261202091500:pw@127.0.0.1:5432/app_keep__r20261202091500");
  }

  @Test
  void theHelperRefusesToDropOrRestoreOverTheDatabaseInUseOrAnotherAppsDatabase() throws Exception {
    Path dbDir = Files.createDirectories(dir.resolve("db"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("runuser"), "#!/bin/bash\necho \"RAN: $*\"\n").toFile().setExecutable(true);
    Path helper = Files.writeString(dir.resolve("potions-admin"),
        SystemFiles.adminHelper().replace("DB_DIR=/etc/potions/db", "DB_DIR=" + dbDir));
    String path = "PATH=" + bin + ":" + System.getenv("PATH");
    Files.writeString(dbDir.resolve("keep"), "app_keep__r20261202091500\n");

    Run current = bash(helper, List.of("db-drop-kept", "keep", "app_keep__r20261202091500"), path);
    assertThat(current.status).isEqualTo(64);
    assertThat(current.output).contains("is the database app keep uses").doesNotContain("RAN:");
    Run other = bash(helper, List.of("db-drop-kept", "keep", "app_shop"), path);
    assertThat(other.status).isEqualTo(64);
    assertThat(other.output).contains("is not a database of app keep");
    Run overLive = bash(helper, List.of("db-restore", "keep", "20261202091500"), path);
    assertThat(overLive.status).isEqualTo(64);
    assertThat(overLive.output).contains("restore into a new one");
    Run badGen = bash(helper, List.of("db-new", "keep", "2026; drop"), path);
    assertThat(badGen.status).isEqualTo(64);
    Run kept = bash(helper, List.of("db-drop-kept", "keep", "app_keep"), path);
    assertThat(kept.status).as(kept.output).isZero();
    assertThat(kept.output).contains("RAN: -u postgres -- psql");
    // A tampered record of the database in use is refused, not used.
    Files.writeString(dbDir.resolve("keep"), "app_shop\n");
    Run tampered = bash(helper, List.of("db-dump", "keep"), path);
    assertThat(tampered.status).isNotZero();
    assertThat(tampered.output).contains("invalid database name").doesNotContain("RAN:");
  }

  @Test
  void theTimersScriptRecordsEachRunGoodOrFailed() throws Exception {
    Files.createDirectories(backups);
    Files.writeString(backups.resolve(".create.sh"), local(BackupScripts.createProgram("keep", "scheduled", 7)));
    Path scheduled = Files.writeString(backups.resolve(".scheduled.sh"), local(BackupScripts.scheduledProgram("keep")));
    Run good = bash(scheduled, List.of(), null);
    assertThat(good.status).as(good.output).isZero();
    Files.writeString(dir.resolve("FAIL_DUMP"), "");
    Thread.sleep(1100);  // run ids have one-second resolution
    Run bad = bash(scheduled, List.of(), null);
    assertThat(bad.status).isNotZero();
    List<String> runs = bash(local(BackupScripts.runs("keep"))).output.lines().toList();
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0)).contains("\"ok\":true", "-scheduled\"");
    assertThat(runs.get(1)).contains("\"ok\":false", "disk full");
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("2"))).hasSize(1);
    }
  }

  @Test
  void theHelperWritesTheTimerAndRefusesABadTime() throws Exception {
    TimerHelper h = timerHelper();
    Run bad = bash(h.script(), List.of("backup-schedule", "keep", "25:00"), h.path());
    assertThat(bad.status).isEqualTo(64);
    assertThat(bad.output).contains("invalid time");
    Run ok = bash(h.script(), List.of("backup-schedule", "keep", "03:30"), h.path());
    assertThat(ok.status).as(ok.output).isZero();
    assertThat(ok.output).contains("systemctl enable --now potions-backup-keep.timer");
    assertThat(Files.readString(h.units().resolve("potions-backup-keep.timer"))).contains("OnCalendar=*-*-* 03:30:00 UTC");
    assertThat(Files.readString(h.units().resolve("potions-backup-keep.service"))).contains("User=deploy",
        "OnFailure=potions-backup-failed@keep.service", "ExecStart=/bin/bash /opt/potions/keep/backups/.scheduled.sh");
    assertThat(Files.readString(h.units().resolve("potions-backup-failed@.service")))
        .contains("ExecStart=" + h.script().toRealPath() + " backup-failed %i");
    Run off = bash(h.script(), List.of("backup-unschedule", "keep"), h.path());
    assertThat(off.status).as(off.output).isZero();
    assertThat(off.output).contains("systemctl disable --now potions-backup-keep.timer");
    assertThat(h.units().resolve("potions-backup-keep.timer")).doesNotExist();
    assertThat(h.units().resolve("potions-backup-keep.service")).doesNotExist();
  }

  @Test
  void theHelperWritesTheWeeklyDrillTimerAndRefusesABadDayOrTime() throws Exception {
    TimerHelper h = timerHelper();
    Run badDay = bash(h.script(), List.of("drill-schedule", "keep", "Someday", "04:00"), h.path());
    assertThat(badDay.status).isEqualTo(64);
    assertThat(badDay.output).contains("invalid day");
    Run badTime = bash(h.script(), List.of("drill-schedule", "keep", "Sun", "4am"), h.path());
    assertThat(badTime.status).isEqualTo(64);
    assertThat(badTime.output).contains("invalid time");
    assertThat(h.units()).isEmptyDirectory();
    Run ok = bash(h.script(), List.of("drill-schedule", "keep", "Sun", "04:00"), h.path());
    assertThat(ok.status).as(ok.output).isZero();
    assertThat(ok.output).contains("systemctl enable --now potions-drill-keep.timer");
    assertThat(Files.readString(h.units().resolve("potions-drill-keep.timer"))).contains("OnCalendar=Sun *-*-* 04:00:00 UTC");
    assertThat(Files.readString(h.units().resolve("potions-drill-keep.service"))).contains("User=deploy",
        "ExecStart=/bin/bash /opt/potions/keep/backups/.drill.sh").doesNotContain("OnFailure=");
    Run off = bash(h.script(), List.of("drill-unschedule", "keep"), h.path());
    assertThat(off.status).as(off.output).isZero();
    assertThat(h.units().resolve("potions-drill-keep.timer")).doesNotExist();
  }

  /** The root helper writing units into the test's directory, with a systemctl that only says what it was asked. */
  private TimerHelper timerHelper() throws Exception {
    Path units = Files.createDirectories(dir.resolve("units"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("systemctl"), "#!/bin/bash\necho \"systemctl $*\"\n").toFile().setExecutable(true);
    Path helper = Files.writeString(dir.resolve("potions-admin"),
        SystemFiles.adminHelper().replace("UNIT_DIR=/etc/systemd/system", "UNIT_DIR=" + units));
    return new TimerHelper(helper, units, "PATH=" + bin + ":" + System.getenv("PATH"));
  }

  private record TimerHelper(Path script, Path units, String path) {}

  @Test
  void aDumpIsRestoredAsTheNewRoleNeverAsPostgresWithThePasswordOffTheCommandLine() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(bin.resolve("pg_restore"), "#!/bin/bash\nprintf '%s\\n' \"$@\" > " + out + "/argv; printf '%s' \"$PGPASSWORD\" > "
        + out + "/env; id -un > " + out + "/user; cat > " + out + "/stdin\n").toFile().setExecutable(true);
    // ANALYZE and the table count (as postgres; no SQL from the dump): runuser -u postgres -- psql ...
    Files.writeString(bin.resolve("runuser"), "#!/bin/bash\nshift 3; [ \"$1\" = psql ] && echo 3\n").toFile().setExecutable(true);
    Path helper = Files.writeString(dir.resolve("potions-admin"), SystemFiles.adminHelper()
        .replace("DB_DIR=/etc/potions/db", "DB_DIR=" + dir.resolve("db")));
    String password = "s3cret-Pa55word-0123456789abcdef";
    List<String> command = List.of("bash", helper.toString(), "db-restore", "keep", "20261202091500");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write((password + "\nPGDMP\u0001binary dump bytes\n").getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("POTIONS_TABLES=3");
    String argv = Files.readString(out.resolve("argv"));
    assertThat(argv).doesNotContain(password).contains("--username=app_keep__r20261202091500", "--host=127.0.0.1",
        "--dbname=app_keep__r20261202091500", "--exit-on-error", "--single-transaction").doesNotContain("--role");
    assertThat(Files.readString(out.resolve("env"))).isEqualTo(password);
    assertThat(Files.readString(out.resolve("stdin"))).isEqualTo("PGDMP\u0001binary dump bytes\n");
    assertThat(BackupScripts.restoreDatabase("keep", "20261202T091500Z-manual", "20261202091500"))
        .doesNotContain(password).contains("printf '%s\\n' \"$pw\"");
  }

  @Test
  void anOffsiteCopyIsRecordedAndAFailedOneKeepsTheLocalBackupAndFailsLoudly() throws Exception {
    Files.writeString(dir.resolve("OFFSITE"), "");
    Run good = bash(local(BackupScripts.create("keep", "20261202T091500Z-manual", "manual", null, 7)));
    assertThat(good.status).as(good.output).isZero();
    assertThat(dir.resolve("offsite-store/20261202T091500Z-manual/db.dump")).exists();
    assertThat(Files.readString(backups.resolve("offsite/20261202T091500Z-manual.json")))
        .contains("\"ok\":true", "\"addedBytes\":1234", "\"snapshot\":\"abcdef12\"");

    Files.writeString(dir.resolve("OFFSITE_DENIED"), "");
    Run denied = bash(local(BackupScripts.create("keep", "20261202T101500Z-manual", "manual", null, 7)));
    assertThat(denied.status).isEqualTo(BackupScripts.OFFSITE_FAILED);
    assertThat(denied.output).contains("POTIONS_BACKUP=20261202T101500Z-manual", "POTIONS_OFFSITE=failed");
    // The local backup is whole and passes its check; only the copy is missing.
    assertThat(bash(local(BackupScripts.check("keep", "20261202T101500Z-manual"))).status).isZero();
    assertThat(Files.readString(backups.resolve("offsite/20261202T101500Z-manual.json")))
        .contains("\"ok\":false", "Fatal: unable to save snapshot: Access Denied.", "FAILED");

    List<String> list = bash(local(BackupScripts.list("keep"))).output.lines().toList();
    assertThat(list).filteredOn(l -> l.startsWith("M ")).hasSize(2);
    assertThat(list).filteredOn(l -> l.startsWith("O ")).hasSize(2);
    assertThat(list).filteredOn(l -> l.startsWith("S [")).singleElement().asString()
        .contains("\"20261202T091500Z-manual\"").doesNotContain("20261202T101500Z-manual");
  }

  @Test
  void aPreMigrationBackupStaysLocalSoAnOffsiteOutageNeverStopsADeploy() throws Exception {
    Files.writeString(dir.resolve("OFFSITE"), "");
    Files.writeString(dir.resolve("OFFSITE_DENIED"), "");
    Run r = bash(local(BackupScripts.create("keep", "20261202T091500Z-pre-migration", Backups.PRE_MIGRATION, null, 7)));
    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output).contains("POTIONS_BACKUP=20261202T091500Z-pre-migration").doesNotContain("copying backup");
    assertThat(dir.resolve("offsite-store")).doesNotExist();
    assertThat(backups.resolve("offsite")).doesNotExist();
  }

  @Test
  void withoutOffsiteSettingsNothingIsCopiedOrRecorded() throws Exception {
    Run r = bash(local(BackupScripts.create("keep", "20261202T091500Z-manual", "manual", null, 7)));
    assertThat(r.status).as(r.output).isZero();
    assertThat(backups.resolve("offsite")).doesNotExist();
    assertThat(bash(local(BackupScripts.list("keep"))).output).doesNotContain("S [", "S-FAILED");
  }

  @Test
  void aBackupKeptOnlyOffsiteIsFetchedBackWholeAndCheckedLikeALocalOne() throws Exception {
    Files.writeString(dir.resolve("OFFSITE"), "");
    String id = "20261202T091500Z-manual";
    assertThat(bash(local(BackupScripts.create("keep", id, "manual", null, 7))).status).isZero();
    byte[] dump = Files.readAllBytes(backups.resolve(id).resolve("db.dump"));
    deleteTree(backups.resolve(id));

    Run fetched = bash(local(BackupScripts.fetchOffsite("keep", id)));
    assertThat(fetched.status).as(fetched.output).isZero();
    assertThat(Files.readAllBytes(backups.resolve(id).resolve("db.dump"))).isEqualTo(dump);
    assertThat(bash(local(BackupScripts.check("keep", id))).status).isZero();
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".partial"));
    }

    // An offsite copy altered in the bucket is fetched, then refused by the checksum check.
    deleteTree(backups.resolve(id));
    Path copy = dir.resolve("offsite-store").resolve(id).resolve("db.dump");
    Files.write(copy, "PGDMP altered".getBytes(StandardCharsets.UTF_8));
    assertThat(bash(local(BackupScripts.fetchOffsite("keep", id))).status).isZero();
    Run check = bash(local(BackupScripts.check("keep", id)));
    assertThat(check.status).isEqualTo(BackupScripts.CORRUPT);
    assertThat(check.output).contains("db.dump does not match its checksum");

    // A copy that is not there leaves nothing behind.
    Run missing = bash(local(BackupScripts.fetchOffsite("keep", "20200101T000000Z-manual")));
    assertThat(missing.status).isNotZero();
    assertThat(backups.resolve("20200101T000000Z-manual")).doesNotExist();
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".partial"));
    }
  }

  @Test
  void theTimersRunFailsWhenTheOffsiteCopyFailsSoTheOnFailureHookFires() throws Exception {
    Files.createDirectories(backups);
    Files.writeString(dir.resolve("OFFSITE"), "");
    Files.writeString(dir.resolve("OFFSITE_DENIED"), "");
    Files.writeString(backups.resolve(".create.sh"), local(BackupScripts.createProgram("keep", "scheduled", 7)));
    Path scheduled = Files.writeString(backups.resolve(".scheduled.sh"), local(BackupScripts.scheduledProgram("keep")));
    Run run = bash(scheduled, List.of(), null);
    assertThat(run.status).isEqualTo(BackupScripts.OFFSITE_FAILED);
    List<String> runs = bash(local(BackupScripts.runs("keep"))).output.lines().toList();
    assertThat(runs).singleElement().asString().contains("\"ok\":false", "\"exit\":5");
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("2"))).hasSize(1);
    }
  }

  @Test
  void theHelperStoresOffsiteSettingsRootOnlyAndKeepsSecretsOffCommandLines() throws Exception {
    Path offsiteDir = dir.resolve("offsite-settings");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path out = Files.createDirectories(dir.resolve("out"));
    // A stand-in restic: records its arguments and whether the secrets reached its environment.
    Files.writeString(bin.resolve("restic"), "#!/bin/bash\nprintf '%s\\n' \"$*\" >> " + out + "/argv\n"
        + "printf '%s|%s|%s\\n' \"$AWS_SECRET_ACCESS_KEY\" \"$(cat \"$RESTIC_PASSWORD_FILE\")\" \"$RESTIC_REPOSITORY\" > " + out + "/env\n"
        + "if [ -e " + dir + "/DENY ]; then echo 'Fatal: unable to open config file: Stat: Access Denied.' >&2; exit 1; fi\n")
        .toFile().setExecutable(true);
    Path helper = Files.writeString(dir.resolve("potions-admin"), SystemFiles.adminHelper()
        .replace("OFFSITE_DIR=/etc/potions/offsite", "OFFSITE_DIR=" + offsiteDir)
        .replace("install -d -o root -g root -m 0700 \"$OFFSITE_DIR\"", "install -d -m 0700 \"$OFFSITE_DIR\""));
    String path = "PATH=" + bin + ":" + System.getenv("PATH");
    OffsiteTarget target = OffsiteTarget.s3("http://172.17.0.1:9000", "shop-backups", "us-east-1", "AKIAKEEP",
        "s3cret/Key+value", "user-held-password-1");

    Run set = bashWithStdin(helper, List.of("offsite-set", "keep"), path, BackupScripts.offsiteSettings(target, "keep"));
    assertThat(set.status).as(set.output).isZero();
    assertThat(set.output).contains("POTIONS_OFFSITE=configured").doesNotContain("s3cret/Key+value", "user-held-password-1");
    assertThat(Files.readString(offsiteDir.resolve("keep.env"))).contains("AWS_SECRET_ACCESS_KEY=s3cret/Key+value",
        "RESTIC_REPOSITORY=s3:http://172.17.0.1:9000/shop-backups/potions/keep");
    assertThat(Files.getPosixFilePermissions(offsiteDir.resolve("keep.env"))).hasSize(2);  // rw for the owner only
    assertThat(Files.getPosixFilePermissions(offsiteDir.resolve("keep.password"))).hasSize(2);
    assertThat(Files.readString(out.resolve("env")))
        .isEqualTo("s3cret/Key+value|user-held-password-1|s3:http://172.17.0.1:9000/shop-backups/potions/keep\n");

    Run list = bash(helper, List.of("offsite-list", "keep"), path);
    assertThat(list.status).as(list.output).isZero();
    assertThat(Files.readString(out.resolve("argv"))).doesNotContain("s3cret/Key+value", "user-held-password-1")
        .contains("snapshots --json --host potions-keep --tag potions");

    // Settings restic cannot open are refused, and the working ones stay.
    Files.writeString(dir.resolve("DENY"), "");
    OffsiteTarget wrong = OffsiteTarget.s3("http://172.17.0.1:9000", "shop-backups", "us-east-1", "AKIAKEEP",
        "wrong-secret", "user-held-password-1");
    Run refused = bashWithStdin(helper, List.of("offsite-set", "keep"), path, BackupScripts.offsiteSettings(wrong, "keep"));
    assertThat(refused.status).isEqualTo(64);
    assertThat(refused.output).contains("refused the access key", "Access Denied").doesNotContain("wrong-secret");
    assertThat(Files.readString(offsiteDir.resolve("keep.env"))).contains("s3cret/Key+value");
    try (var files = Files.list(offsiteDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("keep.env", "keep.password");
    }

    // Values that are not settings never reach restic.
    Files.delete(out.resolve("argv"));
    Run bad = bashWithStdin(helper, List.of("offsite-set", "keep"), path,
        "s3:http://h/b;rm -rf /\nus-east-1\nk\ns\nuser-held-password-1\n".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.status).isEqualTo(64);
    assertThat(bad.output).contains("invalid offsite repository");
    assertThat(out.resolve("argv")).doesNotExist();

    Files.delete(offsiteDir.resolve("keep.env"));
    Run none = bash(helper, List.of("offsite-backup", "keep", "20261202T091500Z-manual", "7"), path);
    assertThat(none.status).as(none.output).isZero();
    assertThat(none.output).contains("POTIONS_OFFSITE=none");
  }

  @Test
  void offsiteTargetsAreValidatedAndNeverShowTheirSecrets() {
    OffsiteTarget t = OffsiteTarget.s3("https://fra1.digitaloceanspaces.com/", "shop-backups", "fra1", "DO00KEY",
        "very-secret", "user-held-password-1");
    assertThat(t.resticRepository("shop")).isEqualTo("s3:https://fra1.digitaloceanspaces.com/shop-backups/potions/shop");
    assertThat(t.withPrefix("prod/shop").resticRepository("shop"))
        .isEqualTo("s3:https://fra1.digitaloceanspaces.com/shop-backups/prod/shop");
    assertThat(t.toString()).doesNotContain("very-secret", "user-held-password-1").contains("shop-backups", "DO00KEY");
    assertThat(new String(BackupScripts.offsiteSettings(t, "shop"), StandardCharsets.UTF_8)).isEqualTo(
        "s3:https://fra1.digitaloceanspaces.com/shop-backups/potions/shop\nfra1\nDO00KEY\nvery-secret\nuser-held-password-1\n");
    assertThatThrownBy(() -> OffsiteTarget.s3("fra1.digitaloceanspaces.com", "b-1", "fra1", "k", "s", "user-held-password-1"))
        .isInstanceOf(io.potions.InvalidInputException.class).hasMessageContaining("not an S3 endpoint URL");
    assertThatThrownBy(() -> OffsiteTarget.s3("https://h/path", "b-1", "fra1", "k", "s", "user-held-password-1"))
        .hasMessageContaining("no path");
    assertThatThrownBy(() -> OffsiteTarget.s3("https://h", "", "fra1", "k", "s", "user-held-password-1"))
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> OffsiteTarget.s3("https://h", "Shop_Backups", "fra1", "k", "s", "user-held-password-1"))
        .hasMessageContaining("bucket 'Shop_Backups' is not valid");
    assertThatThrownBy(() -> OffsiteTarget.s3("https://h", "b-1", "fra1", "k", "s", "short"))
        .hasMessageContaining("repository password").hasMessageNotContaining("short");
    assertThatThrownBy(() -> OffsiteTarget.s3("https://h", "b-1", "fra1", "k", "has space", "user-held-password-1"))
        .hasMessageContaining("secret key").hasMessageNotContaining("has space");
    assertThatThrownBy(() -> t.withPrefix("../etc")).hasMessageContaining("prefix");
  }

  @Test
  void aDrillsSmokeQueryRunsAsTheScratchRoleWithThePasswordAndSqlOnStdin() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(bin.resolve("psql"), "#!/bin/bash\nprintf '%s\\n' \"$@\" > " + out + "/argv; printf '%s' \"$PGPASSWORD\" > "
        + out + "/env; cat > " + out + "/stdin; echo 42\n").toFile().setExecutable(true);
    String database = "app_keep__r20261202091500";
    Path script = Files.writeString(dir.resolve("smoke.sh"), "set -euo pipefail\n" + BackupScripts.smokeQuery(database));
    String password = "s3cret-Pa55word-0123456789abcdef";
    Run r = bashWithStdin(script, List.of(), "PATH=" + bin + ":" + System.getenv("PATH"),
        (password + "\nSELECT count(*) FROM orders\n").getBytes(StandardCharsets.UTF_8));
    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output.trim()).isEqualTo("42");
    assertThat(Files.readString(out.resolve("argv"))).doesNotContain(password)
        .contains("-U\n" + database + "\n", "-d\n" + database + "\n", "ON_ERROR_STOP=1", "-h\n127.0.0.1\n");
    assertThat(Files.readString(out.resolve("env"))).isEqualTo(password);
    assertThat(Files.readString(out.resolve("stdin"))).isEqualTo("SELECT count(*) FROM orders\n");
    assertThatThrownBy(() -> BackupScripts.smokeQuery("postgres")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyBackupScriptPassesShellCheck() throws Exception {
    Map<String, String> scripts = new LinkedHashMap<>();
    String id = "20261202T091500Z-manual";
    scripts.put("create", BackupScripts.create("keep", id, "manual", "r-1", 7));
    scripts.put("list", BackupScripts.list("keep"));
    scripts.put("check", BackupScripts.check("keep", id));
    scripts.put("delete", BackupScripts.delete("keep", id));
    scripts.put("download", BackupScripts.download("keep", id, "db.dump"));
    scripts.put("restore-database", BackupScripts.restoreDatabase("keep", id, "20261202091500"));
    scripts.put("restore-storage", BackupScripts.restoreStorage("keep", id));
    scripts.put("adopt-import", BackupScripts.adoptImport("keep", id, "/opt/potions/keep/backups/.upload-x"));
    scripts.put("create-program", BackupScripts.createProgram("keep", "scheduled", 7));
    scripts.put("scheduled-program", BackupScripts.scheduledProgram("keep"));
    scripts.put("runs", BackupScripts.runs("keep"));
    scripts.put("drill-program", BackupScripts.drillProgram("keep"));
    scripts.put("drills", BackupScripts.drills("keep"));
    scripts.put("fetch-offsite", BackupScripts.fetchOffsite("keep", id));
    scripts.put("smoke-query", BackupScripts.smokeQuery("app_keep__r20261202091500"));
    scripts.put("record-verification", BackupScripts.recordVerification("keep", id, "{\"ok\":true}"));
    Map<String, String> withPrelude = new LinkedHashMap<>();
    scripts.forEach((k, v) -> withPrelude.put(k, ShellCheck.REMOTE_PRELUDE + v));
    ShellCheck.assertClean(withPrelude);
  }

  private record Run(int status, String output) {}

  private static void deleteTree(Path root) throws Exception {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Runs a script with one extra environment variable ({@code NAME=value}, or null) and the given stdin. */
  private static Run bashWithStdin(Path script, List<String> args, String env, byte[] stdin) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (env != null) {
      String[] kv = env.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }

  private Run bash(String script) throws Exception {
    return bash(Files.writeString(dir.resolve("script-" + System.nanoTime() + ".sh"), "set -euo pipefail\n" + script),
        List.of(), null);
  }

  private static Run bash(Path script, List<String> args, String env) throws Exception {
    return bashWithStdin(script, args, env, new byte[0]);
  }

}
