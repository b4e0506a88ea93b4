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
    Files.writeString(fakeHelper, "#!/bin/bash\nset -euo pipefail\ncase \"$1\" in\n"
        + "  db-dump) printf 'PGDMP fake dump of %s\\n' \"$2\"; if [ -e " + dir + "/FAIL_DUMP ]; then echo 'pg_dump: error: disk full' >&2; exit 1; fi ;;\n"
        + "  storage-tar) tar -C " + storage + " -cf - . ;;\n  *) exit 64 ;;\nesac\n");
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
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("20261201T000000Z-manual");
    }
  }

  @Test
  void retentionKeepsTheNewest() throws Exception {
    for (String id : List.of("20261201T000000Z-manual", "20261202T000000Z-scheduled", "20261203T000000Z-manual")) {
      Run r = bash(local(BackupScripts.create("keep", id, "manual", null, 2)));
      assertThat(r.status).as(r.output).isZero();
    }
    try (var files = Files.list(backups)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("20261202T000000Z-scheduled", "20261203T000000Z-manual");
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
    Path units = Files.createDirectories(dir.resolve("units"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("systemctl"), "#!/bin/bash\necho \"systemctl $*\"\n").toFile().setExecutable(true);
    Path helper = Files.writeString(dir.resolve("potions-admin"),
        SystemFiles.adminHelper().replace("UNIT_DIR=/etc/systemd/system", "UNIT_DIR=" + units));
    String path = "PATH=" + bin + ":" + System.getenv("PATH");
    Run bad = bash(helper, List.of("backup-schedule", "keep", "25:00"), path);
    assertThat(bad.status).isEqualTo(64);
    assertThat(bad.output).contains("invalid time");
    Run ok = bash(helper, List.of("backup-schedule", "keep", "03:30"), path);
    assertThat(ok.status).as(ok.output).isZero();
    assertThat(ok.output).contains("systemctl enable --now potions-backup-keep.timer");
    assertThat(Files.readString(units.resolve("potions-backup-keep.timer"))).contains("OnCalendar=*-*-* 03:30:00 UTC");
    assertThat(Files.readString(units.resolve("potions-backup-keep.service"))).contains("User=deploy",
        "OnFailure=potions-backup-failed@keep.service", "ExecStart=/bin/bash /opt/potions/keep/backups/.scheduled.sh");
    assertThat(Files.readString(units.resolve("potions-backup-failed@.service")))
        .contains("ExecStart=" + helper.toRealPath() + " backup-failed %i");
  }

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
    scripts.put("record-verification", BackupScripts.recordVerification("keep", id, "{\"ok\":true}"));
    Map<String, String> withPrelude = new LinkedHashMap<>();
    scripts.forEach((k, v) -> withPrelude.put(k, ShellCheck.REMOTE_PRELUDE + v));
    ShellCheck.assertClean(withPrelude);
  }

  private record Run(int status, String output) {}

  private Run bash(String script) throws Exception {
    return bash(Files.writeString(dir.resolve("script-" + System.nanoTime() + ".sh"), "set -euo pipefail\n" + script),
        List.of(), null);
  }

  private static Run bash(Path script, List<String> args, String env) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (env != null) {
      String[] kv = env.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }
}
