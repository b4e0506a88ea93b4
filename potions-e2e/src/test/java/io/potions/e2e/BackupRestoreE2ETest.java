package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.HealthCheck;
import io.potions.app.backup.AppDatabase;
import io.potions.app.backup.Backup;
import io.potions.app.backup.BackupFailedException;
import io.potions.app.backup.BackupHealth;
import io.potions.app.backup.BackupRun;
import io.potions.app.backup.DrillRun;
import io.potions.app.backup.BackupNotFoundException;
import io.potions.app.backup.RestoreResult;
import io.potions.app.backup.VerifyResult;
import io.potions.progress.ProgressEvent;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Backups and restore end to end on one provisioned server: rows and a storage file under v1, a
 * backup, a v2 whose migration drops the table, a restore under load through Caddy (0 failed
 * requests) that brings the rows and the file back; then the faults: an unknown id, a truncated
 * backup, a file that is not a dump; and the least-privilege layout of the backups.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreE2ETest {
  private static final String DOMAIN = "keep.test";
  /** v2's migration: drops the table v1 wrote its rows to (the destructive migration to undo). */
  private static final String DROPPING_RELEASE = """
      defmodule PotionsSample.Release do
        @moduledoc "v2: a destructive migration."
        alias PotionsSample.DB

        def migrate do
          {:ok, _} = DB.query("set client_min_messages = warning; drop table if exists potions_sample_migrations;")
          IO.puts("potions-sample migrated: dropped potions_sample_migrations")
          :ok
        end
      end
      """;

  private ServerFixture fixture;
  private ThrowawayServer box;
  private App app;
  private SampleRepository repo;
  private Path tmp;
  private final RecordingListener progress = new RecordingListener();
  private Backup v1Backup;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("backup");
    box = fixture.box();
    tmp = fixture.dir();
    Server server = fixture.connect(Potions.builder().progress(progress).build()).provision();
    repo = fixture.repo();
    app = fixture.app(server, "keep");
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .migrationCommand("PotionsSample.Release.migrate()")
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build()).build());
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void aBackupHoldsTheDatabaseAndStorageAndOnlyTheDeployUserReadsIt() throws Exception {
    app.deploy("main");
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    assertThat(post("/storage/kept.txt", "written by v1").status()).isEqualTo(200);

    v1Backup = app.backups().create();
    assertThat(v1Backup.id()).endsWith("-manual");
    assertThat(v1Backup.databaseBytes()).isGreaterThan(100);
    assertThat(v1Backup.storageBytes()).isGreaterThan(0);
    assertThat(v1Backup.release()).isPresent();
    assertThat(app.backups().list()).extracting(Backup::id).containsExactly(v1Backup.id());
    String dir = "/opt/potions/keep/backups/" + v1Backup.id();
    assertThat(exec("head -c 5 " + dir + "/db.dump")).isEqualTo("PGDMP");
    assertThat(exec("tar -tf " + dir + "/storage.tar")).contains("./kept.txt");
    assertThat(exec("stat -c '%U %a' /opt/potions/keep/backups")).isEqualTo("deploy 700");
    // Neither the app's own user nor its build user can read (or list) its backups.
    for (String user : List.of("p-keep", "pb-keep")) {
      Container.ExecResult r = box.console("runuser -u " + user + " -- cat " + dir + "/db.dump > /dev/null");
      assertThat(r.getExitCode()).as(user + " read a backup").isNotZero();
      assertThat(r.getStderr()).contains("Permission denied");
    }
    // The download is streamed, byte for byte, and checked against the manifest's checksums.
    Path local = app.backups().download(v1Backup.id(), tmp.resolve("download"));
    assertThat(Files.size(local.resolve("db.dump"))).isEqualTo(v1Backup.databaseBytes());
    assertThat(Files.size(local.resolve("storage.tar"))).isEqualTo(v1Backup.storageBytes());
  }

  @Test
  @Order(2)
  void aRestoreUndoesADestructiveMigrationWithZeroFailedRequests() throws Exception {
    repo.write("lib/potions_sample/release.ex", DROPPING_RELEASE, "v2: drop the table");
    repo.setVersion("0.2.0");
    app.deploy("main");
    assertThat(get("/version").body()).isEqualTo("0.2.0");
    // The deploy ran a migration, so it backed up first (the first deploy had nothing to back up).
    assertThat(app.backups().list()).extracting(Backup::kind).containsExactly("manual", "pre-migration");
    assertThat(progress.of(ProgressEvent.StepOutput.class)).extracting(ProgressEvent.StepOutput::line)
        .anyMatch(l -> l.startsWith("backup ") && l.contains("-pre-migration made"));
    assertThat(get("/db/migrations").status()).isEqualTo(503);  // the table is gone
    assertThat(post("/storage/kept.txt", "overwritten by v2").status()).isEqualTo(200);

    progress.events.clear();
    RestoreResult result;
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/version", 2, 2, 5)) {
      result = app.backups().restore(v1Backup.id());
      load.close();
      System.out.println("restore.load " + load.summary());
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.requests.get()).isGreaterThan(50);
    }
    System.out.printf("restore.total_s=%.2f tables=%d database=%s%n", result.duration().toMillis() / 1000.0,
        result.tables(), result.database());
    assertThat(result.database()).startsWith("app_keep__r");
    assertThat(result.previousDatabase()).isEqualTo("app_keep");
    assertThat(result.tables()).isGreaterThanOrEqualTo(1);
    // Progress streamed live, step by step.
    assertThat(progress.of(ProgressEvent.StepStarted.class))
        .extracting(ProgressEvent.StepStarted::step)
        .contains("backup-check", "restore-database", "restore-storage", "restore-switch");

    // The backup's release (v1) serves again, on the restored rows and file.
    assertThat(get("/version").body()).isEqualTo("0.1.0");
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    assertThat(get("/db").body().trim()).isEqualTo(result.database() + ":" + result.database());
    assertThat(get("/storage/kept.txt").body()).isEqualTo("written by v1");

    // The previous database is kept until the caller drops it; the current one cannot be dropped.
    assertThat(app.backups().databases()).extracting(AppDatabase::name, AppDatabase::current)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("app_keep", false),
            org.assertj.core.groups.Tuple.tuple(result.database(), true));
    assertThatThrownBy(() -> app.backups().dropKeptDatabase(result.database()))
        .isInstanceOf(InvalidInputException.class);
    app.backups().dropKeptDatabase("app_keep");
    assertThat(app.backups().databases()).extracting(AppDatabase::name).containsExactly(result.database());
    // Backups made after the restore dump the database the app uses now.
    Backup after = app.backups().create();
    assertThat(exec("pg_restore --list /opt/potions/keep/backups/" + after.id()
        + "/db.dump | grep -c 'TABLE DATA public potions_sample_migrations'")).isEqualTo("1");
  }

  @Test
  @Order(3)
  void badBackupsAndBadInputAreRefusedBeforeAnythingChanges() throws Exception {
    List<AppDatabase> before = app.backups().databases();
    assertThatThrownBy(() -> app.backups().restore("20200101T000000Z-manual"))
        .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("no backup");
    assertThatThrownBy(() -> app.backups().restore("../../etc"))
        .isInstanceOf(BackupNotFoundException.class);

    Backup damaged = app.backups().list().get(app.backups().list().size() - 1);
    exec("truncate -s -200 /opt/potions/keep/backups/" + damaged.id() + "/db.dump");
    assertThatThrownBy(() -> app.backups().restore(damaged.id()))
        .isInstanceOf(BackupFailedException.class).hasMessageContaining("truncated or altered");
    // Same databases, same current one (their sizes move on their own: autovacuum, statistics).
    assertThat(app.backups().databases()).extracting(AppDatabase::name, AppDatabase::current)
        .containsExactlyElementsOf(before.stream()
            .map(d -> org.assertj.core.groups.Tuple.tuple(d.name(), d.current())).toList());
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    app.backups().delete(damaged.id());
    assertThat(app.backups().list()).extracting(Backup::id).doesNotContain(damaged.id());

    Path notADump = tmp.resolve("notes.sql");
    Files.writeString(notADump, "create table x (id int);\n");
    assertThatThrownBy(() -> app.backups().importDump(notADump))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a PostgreSQL custom-format dump");
  }

  @Test
  @Order(4)
  void anImportedDumpAndABackupPassARestoreDrill() {
    Backup imported = app.backups().importDump(tmp.resolve("download/db.dump"));
    assertThat(imported.kind()).isEqualTo("import");
    VerifyResult drill = app.backups().verify(imported.id());
    System.out.printf("verify.drill_s=%.2f tables=%d%n", drill.duration().toMillis() / 1000.0, drill.tables());
    assertThat(drill.tables()).isGreaterThanOrEqualTo(1);
    assertThat(app.backups().get(imported.id()).verified()).isTrue();
    // The drill's scratch database is gone.
    assertThat(app.backups().databases()).hasSize(1);
  }

  @Test
  @Order(5)
  void scheduledRunsAreRecordedAndAFailedOneIsLoud() {
    app.backups().scheduleDaily(java.time.LocalTime.of(3, 30));
    assertThat(exec("systemctl is-enabled potions-backup-keep.timer")).isEqualTo("enabled");
    assertThat(exec("systemctl show -p TimersCalendar --value potions-backup-keep.timer")).contains("03:30:00 UTC");
    BackupRun good = app.backups().runScheduledNow();
    assertThat(good.ok()).as(good.output()).isTrue();
    assertThat(app.backups().list()).extracting(Backup::id).contains(good.id());
    BackupHealth healthy = app.backups().health();
    assertThat(healthy.healthy()).as(healthy.summary()).isTrue();
    assertThat(healthy.scheduled()).isTrue();

    // The storage directory goes away: the run fails, the OnFailure hook logs it, health() says so.
    exec("mv /var/lib/potions/storage/keep /var/lib/potions/storage/keep.away");
    progress.events.clear();
    try {
      BackupRun bad = app.backups().runScheduledNow();
      assertThat(bad.ok()).isFalse();
      assertThat(bad.output()).contains("no storage directory");
    } finally {
      exec("mv /var/lib/potions/storage/keep.away /var/lib/potions/storage/keep");
    }
    assertThat(progress.of(ProgressEvent.BackupFailed.class)).hasSize(1);
    // The OnFailure unit starts right after the failed run: give it a few seconds to log.
    assertThat(exec("for _ in $(seq 1 20); do journalctl -t potions-backup --no-pager -o cat | grep -q FAILED && break;"
        + " sleep 0.5; done; journalctl -t potions-backup --no-pager -o cat")).contains("scheduled backup of app keep FAILED");
    BackupHealth unhealthy = app.backups().health();
    assertThat(unhealthy.healthy()).isFalse();
    assertThat(unhealthy.failedRuns()).hasSize(1);
    assertThat(unhealthy.summary()).contains("failed run");
    assertThat(app.backups().list()).extracting(Backup::id).doesNotContain(unhealthy.failedRuns().get(0).id());
    app.backups().unschedule();
    assertThat(box.console("systemctl is-enabled potions-backup-keep.timer").getExitCode()).isNotZero();
  }

  @Test
  @Order(6)
  void aFullDiskFailsTheBackupKeepsTheOlderOnesAndStopsAMigratingDeploy() {
    List<Backup> before = app.backups().list();
    String dir = "/opt/potions/keep/backups";
    // A tiny file system over the backup directory holding copies of the backups, then filled up.
    exec("cp -a " + dir + " /tmp/backups-copy && mount -t tmpfs -o size=2m,mode=0700,uid=$(id -u deploy),gid=$(id -g deploy)"
        + " tmpfs " + dir + " && cp -a /tmp/backups-copy/. " + dir + "/ && (dd if=/dev/zero of=" + dir
        + "/.filler bs=4k 2>/dev/null || true)");
    try {
      assertThatThrownBy(() -> app.backups().create()).isInstanceOf(BackupFailedException.class)
          .hasMessageContaining("partial backup was removed");
      assertThat(exec("ls -A " + dir + " | grep -c partial || true")).isEqualTo("0");
      assertThat(app.backups().list()).isEqualTo(before);
      app.backups().check(before.get(0).id());
      // A deploy that runs a migration backs up first: with the disk full it stops before the migration.
      repo.setVersion("0.3.0");
      assertThatThrownBy(() -> app.deploy("main")).isInstanceOf(io.potions.app.DeployFailedException.class)
          .hasMessageContaining("BACKUP_FAILED").hasMessageContaining("the migration did not run");
      assertThat(get("/version").body()).isEqualTo("0.1.0");
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      exec("umount " + dir + " && rm -rf /tmp/backups-copy");
    }
  }

  @Test
  @Order(7)
  void aRestoreCutOffByADroppedConnectionLeavesTheLiveDatabaseServingAndALaterOneWorks() throws Exception {
    String live = app.backups().databases().stream().filter(AppDatabase::current).map(AppDatabase::name)
        .findFirst().orElseThrow();
    // Enough rows that pg_restore runs for a few seconds: time to cut the connection in the middle.
    exec("runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d " + live + " -c \"CREATE TABLE bulk (id bigint, note text);"
        + " ALTER TABLE bulk OWNER TO " + live + "; INSERT INTO bulk SELECT g, md5(g::text) || md5(random()::text)"
        + " FROM generate_series(1, 600000) g; CREATE INDEX ON bulk (note)\"");
    Backup b = app.backups().create();
    List<String> before = app.backups().databases().stream().map(d -> d.name() + ":" + d.current()).toList();
    String recorded = exec("cat /etc/potions/db/keep 2>/dev/null || echo original");
    // On the server: once pg_restore runs, end every SSH session (sshd's per-session processes; the
    // listener stays), as a dropped network or a closed laptop would.
    CompletableFuture<Container.ExecResult> cut = CompletableFuture.supplyAsync(() -> box.console(
        "for _ in $(seq 1 2400); do if pgrep -x pg_restore >/dev/null; then sleep 0.3;"
        + " pids=$(pgrep -f '^sshd(-session)?: [a-z]'); [ -n \"$pids\" ] || exit 2; kill $pids; echo \"cut $pids\"; exit 0; fi;"
        + " sleep 0.05; done; exit 1"));
    try (LoadLoop load = new LoadLoop(box.httpPort(), DOMAIN, "/db/migrations", 2, 2, 5)) {
      assertThatThrownBy(() -> app.backups().restore(b.id())).isInstanceOf(BackupFailedException.class)
          .hasMessageContaining("was interrupted").hasMessageContaining("still serves from " + live)
          .hasMessageContaining("was dropped");
      Container.ExecResult c = cut.get(2, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(c.getExitCode()).as("the connection was cut: %s%s", c.getStdout(), c.getStderr()).isZero();
      load.close();
      System.out.println("restore.cut " + c.getStdout().trim() + "; load " + load.summary());
      // The live database served its rows through Caddy throughout.
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.requests.get()).isGreaterThan(10);
    }
    // Consistent: the same databases as before (the half-restored one dropped, no pg_restore left),
    // the same database recorded for backups, the app on it.
    assertThat(app.backups().databases()).extracting(d -> d.name() + ":" + d.current()).isEqualTo(before);
    assertThat(exec("pgrep -x pg_restore || true")).isEmpty();
    assertThat(exec("cat /etc/potions/db/keep 2>/dev/null || echo original")).isEqualTo(recorded);
    assertThat(get("/db").body().trim()).isEqualTo(live + ":" + live);
    assertThat(get("/db/migrations").body()).contains("0.1.0");

    // A later restore succeeds (it takes the deploy lock for its switch, so nothing was left holding it).
    RestoreResult again = app.backups().restore(b.id());
    assertThat(exec("runuser -u postgres -- psql -tAq -d " + again.database() + " -c 'SELECT count(*) FROM bulk'"))
        .isEqualTo("600000");
    assertThat(get("/db").body().trim()).isEqualTo(again.database() + ":" + again.database());
    app.backups().dropKeptDatabase(live);
  }

  @Test
  @Order(8)
  void theWeeklyRestoreDrillRunsUnattendedAndHealthReportsIt() {
    app.backups().scheduleDrill(java.time.DayOfWeek.SUNDAY, java.time.LocalTime.of(4, 0));
    assertThat(exec("systemctl is-enabled potions-drill-keep.timer")).isEqualTo("enabled");
    assertThat(exec("systemctl show -p TimersCalendar --value potions-drill-keep.timer")).contains("Sun", "04:00:00 UTC");
    List<Backup> all = app.backups().list();
    Backup newest = all.get(all.size() - 1);
    List<String> databases = app.backups().databases().stream().map(AppDatabase::name).toList();
    int before = app.backups().drills().size();

    // Started the way its timer starts it: systemd runs the service, no SDK in the loop.
    exec("systemctl start potions-drill-keep.service");
    List<DrillRun> drills = app.backups().drills();
    assertThat(drills).hasSize(before + 1);
    DrillRun drill = drills.get(drills.size() - 1);
    System.out.printf("drill.scheduled_s=%.2f tables=%d backup=%s%n", drill.duration().toMillis() / 1000.0,
        drill.tables(), drill.backupId());
    assertThat(drill.scheduled()).isTrue();
    assertThat(drill.ok()).as(drill.output()).isTrue();
    assertThat(drill.backupId()).isEqualTo(newest.id());
    assertThat(drill.tables()).isGreaterThanOrEqualTo(2);
    assertThat(app.backups().get(newest.id()).verified()).isTrue();
    // The scratch database is gone, and the server's journal says the drill ran as the deploy user.
    assertThat(app.backups().databases()).extracting(AppDatabase::name).isEqualTo(databases);
    assertThat(exec("systemctl show -p User --value potions-drill-keep.service")).isEqualTo("deploy");
    BackupHealth health = app.backups().health();
    assertThat(health.lastDrill()).contains(drill);
    assertThat(health.drillScheduled()).isTrue();
    assertThat(health.drillStale()).isFalse();
    assertThat(health.summary()).contains("last restore drill", "ok (");

    // A newest backup that was altered on disk fails the unattended drill, and health() says so.
    exec("truncate -s -100 /opt/potions/keep/backups/" + newest.id() + "/db.dump");
    Container.ExecResult failed = box.console("systemctl start potions-drill-keep.service");
    assertThat(failed.getExitCode()).isNotZero();
    DrillRun bad = app.backups().drills().get(app.backups().drills().size() - 1);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.backupId()).isEqualTo(newest.id());
    assertThat(bad.output()).contains("does not match its checksum");
    progress.events.clear();
    BackupHealth unhealthy = app.backups().health();
    assertThat(unhealthy.healthy()).isFalse();
    assertThat(unhealthy.summary()).contains("last restore drill", "FAILED");
    assertThat(progress.of(ProgressEvent.BackupFailed.class)).extracting(ProgressEvent.BackupFailed::step)
        .contains("drill");
    assertThat(app.backups().databases()).extracting(AppDatabase::name).isEqualTo(databases);

    app.backups().delete(newest.id());
    app.backups().unscheduleDrill();
    assertThat(box.console("systemctl is-enabled potions-drill-keep.timer").getExitCode()).isNotZero();
  }

  private HttpProbe.Response get(String path) throws Exception {
    return HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", path, null);
  }

  private HttpProbe.Response post(String path, String body) throws Exception {
    return HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "POST", path, body);
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
