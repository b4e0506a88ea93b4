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
import io.potions.app.backup.OffsiteCopy;
import io.potions.app.backup.OffsiteTarget;
import io.potions.app.backup.RestoreResult;
import io.potions.app.backup.VerifyResult;
import io.potions.progress.ProgressEvent;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.S3Server;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
 * Offsite copies end to end: a real S3 server (S3Proxy over a local directory, in this JVM) reached
 * by a provisioned server through the Docker bridge; restic on the server copies each backup there,
 * encrypted (a known file's plaintext is in the local backup but in no object of the bucket) and
 * deduplicated (the second copy adds a small fraction of the first); with every local backup deleted,
 * a restore from the offsite copy alone brings the rows and the file back, checked through the
 * database and through Caddy; a revoked key fails the copy loudly and keeps the local backup.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OffsiteBackupE2ETest {
  private static final String DOMAIN = "vault.test";
  private static final String BUCKET = "vault-backups";
  private static final String KEY_ID = "vault-key";
  private static final String SECRET = "vault-secret-" + UUID.randomUUID();
  private static final String PASSWORD = "user-held-" + UUID.randomUUID();
  /** A file whose plaintext must never reach the bucket. */
  private static final String FILE_TEXT = "offsite-canary-file-" + UUID.randomUUID();
  private static final String ROW_TEXT = "offsite-canary-row-" + UUID.randomUUID();

  private ServerFixture fixture;
  private ThrowawayServer box;
  private App app;
  private Path tmp;
  private S3Server s3;
  private String endpoint;
  private final RecordingListener progress = new RecordingListener();
  private Backup first;
  private Backup second;

  @BeforeAll
  void start() throws Exception {
    fixture = ServerFixture.start("offsite");
    box = fixture.box();
    tmp = fixture.dir();
    s3 = S3Server.start(tmp.resolve("s3"), KEY_ID, SECRET);
    // The server reaches this machine at its default gateway (the Docker bridge).
    String gateway = exec("ip route show default | awk '{print $3; exit}'");
    endpoint = s3.endpointFor(gateway);
    Server server = fixture.connect(Potions.builder().progress(progress).build()).provision();
    app = fixture.app(server, "vault");
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .migrationCommand("PotionsSample.Release.migrate()")
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build()).build());
    app.deploy("main");
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    // Not one of the fixture's: the tests replace it (a restarted or re-keyed S3 server).
    if (s3 != null) {
      s3.close();
    }
  }

  private OffsiteTarget target(String secret) {
    return OffsiteTarget.s3(endpoint, BUCKET, "us-east-1", KEY_ID, secret, PASSWORD);
  }

  @Test
  @Order(1)
  void copiesLandInTheBucketEncryptedAndTheSecondAddsLittle() throws Exception {
    assertThat(post("/storage/kept.txt", FILE_TEXT).status()).isEqualTo(200);
    // Some bulk that does not change between the two backups, so deduplication has something to show.
    exec("runuser -u p-vault -- sh -c 'head -c 3000000 /dev/urandom > /var/lib/potions/storage/vault/photos.bin'");
    sql("app_vault", "CREATE TABLE canary (note text); ALTER TABLE canary OWNER TO app_vault;"
        + " INSERT INTO canary VALUES ('" + ROW_TEXT + "')");

    app.backups().offsite(target(SECRET));
    assertThat(exec("stat -c '%U %a' /etc/potions/offsite/vault.env /etc/potions/offsite/vault.password"))
        .isEqualTo("root 600\nroot 600");

    first = app.backups().create();
    assertThat(first.stored()).isEqualTo(Backup.Stored.BOTH);
    assertThat(first.offsiteAt()).isPresent();
    long afterFirst = s3.bytes(BUCKET);
    assertThat(s3.objects(BUCKET)).anyMatch(p -> p.endsWith(Path.of("potions", "vault", "config")));
    // The local backup holds the file's plaintext; no object in the bucket does (restic encrypted it).
    assertThat(exec("grep -c " + FILE_TEXT + " /opt/potions/vault/backups/" + first.id() + "/storage.tar")).isEqualTo("1");
    assertThat(s3.anyObjectContains(BUCKET, FILE_TEXT)).isFalse();
    assertThat(s3.anyObjectContains(BUCKET, ROW_TEXT)).isFalse();

    sql("app_vault", "INSERT INTO canary VALUES ('a second row')");
    second = app.backups().create();
    long afterSecond = s3.bytes(BUCKET);
    List<OffsiteCopy> copies = app.backups().offsiteCopies();
    assertThat(copies).extracting(OffsiteCopy::backupId).containsExactly(first.id(), second.id());
    assertThat(copies).allMatch(OffsiteCopy::ok);
    long firstAdded = copies.get(0).addedBytes();
    long secondAdded = copies.get(1).addedBytes();
    System.out.printf("offsite.first_added_bytes=%d offsite.second_added_bytes=%d ratio=%.4f"
        + " bucket_bytes_after_first=%d bucket_bytes_after_second=%d backup_bytes=%d%n", firstAdded, secondAdded,
        (double) secondAdded / firstAdded, afterFirst, afterSecond, second.bytes());
    assertThat(firstAdded).isGreaterThan(3_000_000L);
    assertThat(secondAdded).isLessThan(firstAdded / 20);
    assertThat(afterSecond - afterFirst).isLessThan(afterFirst / 10);

    BackupHealth health = app.backups().health();
    assertThat(health.offsiteConfigured()).isTrue();
    assertThat(health.lastGoodOffsite()).isPresent();
    assertThat(health.offsiteStale()).as(health.summary()).isFalse();
    // No secret in the server's logs.
    assertThat(box.console("journalctl --no-pager -o cat | grep -c -e " + SECRET + " -e " + PASSWORD).getStdout().trim())
        .isEqualTo("0");
  }

  @Test
  @Order(2)
  void withEveryLocalBackupGoneARestoreFromTheOffsiteCopyBringsRowsAndFileBack() throws Exception {
    sql("app_vault", "DELETE FROM canary");
    assertThat(post("/storage/kept.txt", "overwritten after the backup").status()).isEqualTo(200);
    // The server's disk loses its backups.
    exec("rm -rf /opt/potions/vault/backups/2*");
    List<Backup> listed = app.backups().list();
    assertThat(listed).extracting(Backup::id).containsExactly(first.id(), second.id());
    assertThat(listed).allMatch(b -> b.stored() == Backup.Stored.OFFSITE);

    progress.events.clear();
    RestoreResult result = app.backups().restore(second.id());
    System.out.printf("offsite.restore_total_s=%.2f tables=%d%n", result.duration().toMillis() / 1000.0, result.tables());
    assertThat(progress.of(ProgressEvent.StepStarted.class)).extracting(ProgressEvent.StepStarted::step)
        .containsSubsequence("backup-fetch", "backup-check", "restore-database", "restore-storage", "restore-switch");
    assertThat(sql(result.database(), "SELECT string_agg(note, ',' ORDER BY note) FROM canary"))
        .isEqualTo("a second row," + ROW_TEXT);
    assertThat(get("/storage/kept.txt").body()).isEqualTo(FILE_TEXT);
    assertThat(get("/db/migrations").body()).contains("0.1.0");
    assertThat(get("/db").body().trim()).isEqualTo(result.database() + ":" + result.database());
    // The fetched copy is on the server again, whole.
    assertThat(app.backups().get(second.id()).stored()).isEqualTo(Backup.Stored.BOTH);
  }

  @Test
  @Order(3)
  void aRevokedKeyFailsTheOffsiteCopyLoudlyAndTheLocalBackupIsKept() throws Exception {
    int port = s3.port();
    s3.close();
    s3 = S3Server.start(tmp.resolve("s3"), port, KEY_ID, "rotated-" + UUID.randomUUID());
    progress.events.clear();

    Backup local = app.backups().create();
    assertThat(local.stored()).isEqualTo(Backup.Stored.LOCAL);
    app.backups().check(local.id());
    List<ProgressEvent.BackupFailed> failed = progress.of(ProgressEvent.BackupFailed.class);
    assertThat(failed).singleElement().satisfies(f -> {
      assertThat(f.step()).isEqualTo("offsite");
      assertThat(f.backupId()).isEqualTo(local.id());
      assertThat(f.message()).contains("OFFSITE COPY FAILED", "local backup is kept").doesNotContain(SECRET, PASSWORD);
    });
    System.out.println("offsite.failure " + failed.get(0).message().replace('\n', ' '));
    OffsiteCopy last = app.backups().offsiteCopies().get(app.backups().offsiteCopies().size() - 1);
    assertThat(last.ok()).isFalse();
    assertThat(last.backupId()).isEqualTo(local.id());

    BackupHealth health = app.backups().health();
    System.out.println("offsite.health " + health.summary());
    assertThat(health.healthy()).isFalse();
    assertThat(health.offsiteStale()).isTrue();
    assertThat(health.failedOffsite()).extracting(OffsiteCopy::backupId).containsExactly(local.id());
    assertThat(health.lastGoodOffsite()).isPresent();
    assertThat(health.summary()).contains("OFFSITE STALE");

    // Setting up with a key the bucket refuses is refused at once, and the settings in use stay.
    String before = exec("sha256sum /etc/potions/offsite/vault.env");
    assertThatThrownBy(() -> app.backups().offsite(target("not-the-secret")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("could not be set up")
        .hasMessageNotContaining("not-the-secret");
    assertThat(exec("sha256sum /etc/potions/offsite/vault.env")).isEqualTo(before);

    // The key works again: copies resume, health() is good again, and retention applies offsite too.
    s3.close();
    s3 = S3Server.start(tmp.resolve("s3"), port, KEY_ID, SECRET);
    Backup again = app.backups().retention(2).create();
    assertThat(again.stored()).isEqualTo(Backup.Stored.BOTH);
    List<Backup> all = app.backups().list();
    assertThat(all.stream().filter(b -> b.stored().offsite())).extracting(Backup::id)
        .containsExactly(second.id(), again.id());
    assertThat(all.stream().filter(b -> b.stored().local())).extracting(Backup::id)
        .containsExactly(local.id(), again.id());
    assertThat(s3.objects(BUCKET)).filteredOn(p -> p.getParent().endsWith("snapshots")).hasSize(2);
    BackupHealth good = app.backups().health();
    assertThat(good.healthy()).as(good.summary()).isTrue();
  }

  @Test
  @Order(4)
  void aDrillOfABackupKeptOnlyOffsiteRunsTheCallersSmokeQuery() {
    // second is only offsite now: the drill fetches it, restores it into a scratch database and asks it.
    VerifyResult drill = app.backups().verify(second.id(), "SELECT count(*) FROM canary");
    System.out.printf("offsite.drill_s=%.2f smoke=%s%n", drill.duration().toMillis() / 1000.0, drill.smokeResult());
    assertThat(drill.smokeResult()).contains("2");
    assertThat(app.backups().get(second.id()).verified()).isTrue();
    // A smoke query that finds nothing fails the drill, and the scratch database is dropped either way.
    assertThatThrownBy(() -> app.backups().verify(second.id(), "SELECT count(*) FROM canary WHERE note = 'missing'"))
        .isInstanceOf(BackupFailedException.class).hasMessageContaining("the smoke query returned '0'");
    assertThatThrownBy(() -> app.backups().verify(second.id(), "SELECT * FROM no_such_table"))
        .isInstanceOf(BackupFailedException.class).hasMessageContaining("the smoke query failed");
    assertThat(app.backups().databases()).filteredOn(d -> !d.current()).extracting(AppDatabase::name)
        .containsExactly("app_vault");
  }

  @Test
  @Order(5)
  void theTimersBackupAndAnOnDemandOneAtOnceWaitForEachOtherAndBothLand() throws Exception {
    app.backups().scheduleDaily(java.time.LocalTime.of(3, 30));
    int runsBefore = app.backups().runs().size();
    // The timer's run, started as systemd's timer starts it; once its script runs, an on-demand one.
    exec("systemctl start --no-block potions-backup-vault.service; for _ in $(seq 1 400); do"
        + " pgrep -f 'backups/[.]create[.]sh' >/dev/null && exit 0; sleep 0.05; done; exit 1");
    progress.events.clear();
    Backup onDemand = app.backups().create();
    exec("for _ in $(seq 1 1200); do systemctl is-active --quiet potions-backup-vault.service || exit 0; sleep 0.5; done;"
        + " exit 1");
    List<io.potions.app.backup.BackupRun> runs = app.backups().runs();
    assertThat(runs).hasSize(runsBefore + 1);
    io.potions.app.backup.BackupRun timer = runs.get(runs.size() - 1);
    assertThat(timer.ok()).as(timer.output()).isTrue();
    // They overlapped, and the on-demand one waited for the timer's (the per-app backup lock).
    assertThat(progress.of(ProgressEvent.StepOutput.class)).extracting(ProgressEvent.StepOutput::line)
        .contains("==> waiting for another backup of this app to finish");
    assertThat(progress.of(ProgressEvent.BackupFailed.class)).isEmpty();
    // Both are whole on the server and both copies reached the bucket (no restic lock clash).
    assertThat(onDemand.stored()).isEqualTo(Backup.Stored.BOTH);
    app.backups().check(timer.id());
    app.backups().check(onDemand.id());
    assertThat(app.backups().offsiteCopies()).filteredOn(c -> c.backupId().equals(timer.id())
        || c.backupId().equals(onDemand.id())).hasSize(2).allMatch(OffsiteCopy::ok);
    assertThat(app.backups().get(timer.id()).stored()).isEqualTo(Backup.Stored.BOTH);
    assertThat(exec("ls -A /opt/potions/vault/backups | grep -c partial || true")).isEqualTo("0");
    app.backups().unschedule();
  }

  @Test
  @Order(6)
  void aMissingBucketNamesTheBucketAndTheLocalBackupIsStillMade() throws Exception {
    List<String> localBefore = app.backups().list().stream().filter(b -> b.stored().local()).map(Backup::id).toList();
    String settings = exec("sha256sum /etc/potions/offsite/vault.env /etc/potions/offsite/vault.password");
    // The bucket is deleted behind the server's back (S3Proxy keeps each bucket as a directory).
    try (var files = Files.walk(s3.directory().resolve(BUCKET))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThat(s3.directory().resolve(BUCKET)).doesNotExist();
    progress.events.clear();

    long t0 = System.nanoTime();
    Backup local = app.backups().create();
    System.out.printf("offsite.missing_bucket_backup_s=%.2f%n", (System.nanoTime() - t0) / 1e9);
    // The local backup is made, whole.
    assertThat(local.stored()).isEqualTo(Backup.Stored.LOCAL);
    app.backups().check(local.id());
    List<ProgressEvent.BackupFailed> failed = progress.of(ProgressEvent.BackupFailed.class);
    assertThat(failed).singleElement().satisfies(f -> {
      System.out.println("offsite.missing_bucket " + f.message().replace('\n', ' '));
      assertThat(f.step()).isEqualTo("offsite");
      assertThat(f.message()).contains("OFFSITE COPY FAILED", "local backup is kept",
          "the bucket '" + BUCKET + "' or the restic repository in it is missing", "create the bucket again")
          .doesNotContain(SECRET, PASSWORD);
    });
    OffsiteCopy last = app.backups().offsiteCopies().get(app.backups().offsiteCopies().size() - 1);
    assertThat(last.backupId()).isEqualTo(local.id());
    assertThat(last.ok()).isFalse();
    assertThat(last.error()).hasValueSatisfying(e -> assertThat(e).contains("bucket '" + BUCKET + "' or the restic"));
    assertThat(app.backups().health().summary()).contains("OFFSITE STALE");
    // Nothing else changed: the older local backups stay, the settings stay, no bucket was made up.
    assertThat(app.backups().list().stream().filter(b -> b.stored().local()).map(Backup::id))
        .containsAll(localBefore);
    assertThat(exec("sha256sum /etc/potions/offsite/vault.env /etc/potions/offsite/vault.password")).isEqualTo(settings);
    assertThat(s3.directory().resolve(BUCKET)).doesNotExist();
    assertThat(get("/db").body().trim()).isNotEmpty();
  }

  private String sql(String database, String statement) {
    return exec("runuser -u postgres -- psql -tAq -v ON_ERROR_STOP=1 -d " + database + " -c \"" + statement + "\"");
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
