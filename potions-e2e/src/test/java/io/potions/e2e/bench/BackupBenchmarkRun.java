package io.potions.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.HealthCheck;
import io.potions.app.backup.AppDatabase;
import io.potions.app.backup.Backup;
import io.potions.app.backup.OffsiteCopy;
import io.potions.app.backup.OffsiteTarget;
import io.potions.app.backup.RestoreResult;
import io.potions.app.backup.VerifyResult;
import io.potions.progress.ProgressEvent;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.S3Server;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Backups measured (run with {@code -Pbench}, not part of the test command): one provisioned
 * server, the sample app deployed, its database filled server-side to at least
 * {@code bench.backup.bytes} (default 1 GiB) of rows that do not compress to nothing (hex of
 * random md5s, about 2:1 with zlib). In the same run: {@code app.backups().create()} and
 * {@code restore(id)} against {@code pg_dump -Fc} and {@code pg_restore} run by hand as postgres on
 * the same database (into a scratch database), alternating which goes first each round; with an
 * offsite target (S3Proxy in this JVM) the bytes a first and a second backup of the unchanged
 * database add to the repository; and a restore drill's ({@code verify(id)}) duration. Prints a
 * table and writes target/bench/backups.json.
 */
@ExtendWith(RequiresDocker.class)
class BackupBenchmarkRun {
  private static final String DOMAIN = "ledger.test";
  private static final String APP = "ledger";
  private static final String DB = "app_ledger";
  private static final String BUCKET = "ledger-backups";
  private static final long TARGET_BYTES = Long.getLong("bench.backup.bytes", 1L << 30);
  private static final int ROUNDS = Integer.getInteger("bench.backup.rounds", 2);
  private static final int BATCH_ROWS = 500_000;
  private final Map<String, Object> results = new LinkedHashMap<>();
  /** The last duration of each progress step (restore-database, restore-switch...). */
  private final Map<String, Duration> steps = new ConcurrentHashMap<>();
  private ThrowawayServer box;

  @Test
  void run() throws Exception {
    Path tmp = Files.createTempDirectory("potions-bench-backups-");
    String keyId = "bench-key";
    String secret = "bench-secret-" + UUID.randomUUID();
    try (S3Server s3 = S3Server.start(tmp.resolve("s3"), keyId, secret);
         ThrowawayServer server0 = ThrowawayServer.provisioned();
         Potions potions = Potions.builder().progress(e -> {
           if (e instanceof ProgressEvent.StepFinished f) {
             steps.put(f.step(), f.duration());
           }
         }).build();
         SampleRepository repo = SampleRepository.openOrCreate(tmp.resolve("ledger"), SampleRepository.sampleAppSources())) {
      box = server0;
      box.start();
      put("machine", exec("nproc").trim() + " cores, " + exec("free -g | awk '/^Mem:/{print $2}'").trim()
          + " GiB; server " + exec(". /etc/os-release; echo $PRETTY_NAME") + ", " + exec("runuser -u postgres -- psql -tAq -c 'SHOW server_version'"));
      Server server = potions.existingServer("bench-backups", box.sshTarget()).provision();
      App app = server.app(APP).withSource(GitRepositorySource.local(repo.dir()));
      app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
          .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(60)).build()).build());
      app.deploy("main");

      fill();
      long dbBytes = Long.parseLong(sql(DB, "SELECT pg_database_size(current_database())"));
      long rows = Long.parseLong(sql(DB, "SELECT count(*) FROM bench_rows"));
      put("database.bytes", dbBytes);
      put("database.rows", rows);

      List<Double> handDump = new ArrayList<>();
      List<Double> handRestore = new ArrayList<>();
      List<Double> potionsBackup = new ArrayList<>();
      List<Double> potionsRestore = new ArrayList<>();
      List<Double> potionsRestoreDb = new ArrayList<>();
      List<Double> potionsSwitch = new ArrayList<>();
      long handDumpBytes = 0;
      long potionsDumpBytes = 0;
      for (int round = 1; round <= ROUNDS; round++) {
        // Alternate which goes first, so the page cache and the machine's noise favour neither.
        boolean handFirst = round % 2 == 1;
        for (int turn = 0; turn < 2; turn++) {
          if (handFirst == (turn == 0)) {
            String current = currentDatabase(app);
            long t0 = System.nanoTime();
            exec("runuser -u postgres -- pg_dump --format=custom --dbname=" + current + " --file=/var/tmp/hand.dump");
            handDump.add(since(t0));
            handDumpBytes = Long.parseLong(exec("stat -c %s /var/tmp/hand.dump"));
            exec("runuser -u postgres -- createdb hand_scratch");
            t0 = System.nanoTime();
            exec("runuser -u postgres -- pg_restore --exit-on-error --no-owner --dbname=hand_scratch /var/tmp/hand.dump");
            handRestore.add(since(t0));
            assertRows(rows, "hand_scratch");
            exec("runuser -u postgres -- dropdb hand_scratch && rm -f /var/tmp/hand.dump");
          } else {
            long t0 = System.nanoTime();
            Backup b = app.backups().retention(2).create();
            potionsBackup.add(since(t0));
            potionsDumpBytes = b.databaseBytes();
            t0 = System.nanoTime();
            RestoreResult r = app.backups().restore(b.id());
            potionsRestore.add(since(t0));
            potionsRestoreDb.add(steps.get("restore-database").toMillis() / 1000.0);
            potionsSwitch.add(steps.get("restore-switch").toMillis() / 1000.0);
            assertRows(rows, r.database());
            HttpProbe.Response db = HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", "/db", null);
            if (!db.body().trim().startsWith(r.database())) {
              throw new AssertionError("the app does not serve from the restored database: " + db.body());
            }
            // Keep the disk steady: the previous database is no longer needed here.
            app.backups().dropKeptDatabase(r.previousDatabase());
          }
        }
        System.out.printf(Locale.ROOT, "bench round %d done: hand dump %s restore %s, potions backup %s restore %s%n",
            round, handDump, handRestore, potionsBackup, potionsRestore);
      }
      double mb = dbBytes / 1e6;
      put("rounds", ROUNDS);
      put("hand.pg_dump_s", handDump);
      put("hand.pg_restore_s", handRestore);
      put("potions.backup_s", potionsBackup);
      put("potions.restore_total_s", potionsRestore);
      put("potions.restore_database_step_s", potionsRestoreDb);
      put("potions.restore_switch_step_s", potionsSwitch);
      put("hand.dump_bytes", handDumpBytes);
      put("potions.dump_bytes", potionsDumpBytes);
      put("hand.pg_dump_median_MBps", round2(mb / median(handDump)));
      put("potions.backup_median_MBps", round2(mb / median(potionsBackup)));
      put("backup.throughput_ratio", round3(median(handDump) / median(potionsBackup)));
      put("hand.pg_restore_median_MBps", round2(mb / median(handRestore)));
      put("potions.restore_total_median_MBps", round2(mb / median(potionsRestore)));
      put("restore.throughput_ratio_total", round3(median(handRestore) / median(potionsRestore)));
      put("restore.throughput_ratio_database_step", round3(median(handRestore) / median(potionsRestoreDb)));

      // Offsite: a first copy, then a second backup of the unchanged database.
      String gateway = exec("ip route show default | awk '{print $3; exit}'");
      app.backups().offsite(OffsiteTarget.s3(s3.endpointFor(gateway), BUCKET, "us-east-1", keyId, secret,
          "bench-password-" + UUID.randomUUID()));
      long t0 = System.nanoTime();
      Backup first = app.backups().retention(2).create();
      double firstS = since(t0);
      long bucketAfterFirst = s3.bytes(BUCKET);
      t0 = System.nanoTime();
      Backup second = app.backups().retention(2).create();
      double secondS = since(t0);
      long bucketAfterSecond = s3.bytes(BUCKET);
      if (first.stored() != Backup.Stored.BOTH || second.stored() != Backup.Stored.BOTH) {
        throw new AssertionError("offsite copies missing: " + first + " " + second);
      }
      List<OffsiteCopy> copies = app.backups().offsiteCopies();
      long firstAdded = added(copies, first.id());
      long secondAdded = added(copies, second.id());
      put("offsite.first_backup_s", firstS);
      put("offsite.second_backup_s", secondS);
      put("offsite.first_added_bytes", firstAdded);
      put("offsite.second_added_bytes", secondAdded);
      put("offsite.second_over_first", round3((double) secondAdded / firstAdded));
      put("offsite.bucket_bytes_after_first", bucketAfterFirst);
      put("offsite.bucket_growth_second", bucketAfterSecond - bucketAfterFirst);
      put("offsite.bucket_growth_second_over_first", round3((double) (bucketAfterSecond - bucketAfterFirst) / bucketAfterFirst));

      // A restore drill of the latest backup.
      VerifyResult drill = app.backups().verify(second.id(), "SELECT count(*) FROM bench_rows");
      if (!drill.smokeResult().orElse("").equals(Long.toString(rows))) {
        throw new AssertionError("the drill's smoke query returned " + drill.smokeResult());
      }
      put("drill.verify_s", round2(drill.duration().toMillis() / 1000.0));
      put("drill.tables", drill.tables());
      if (app.backups().databases().stream().map(AppDatabase::name).anyMatch(n -> !n.equals(currentDatabase(app)))) {
        throw new AssertionError("the drill left a scratch database: " + app.backups().databases());
      }
    }
    Path out = Path.of("target", "bench", "backups.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    System.out.println();
    System.out.println("Potions backups (one provisioned Debian 12 container, this machine)");
    results.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-44s %s%n", k, v));
    System.out.println("written to " + out.toAbsolutePath());
  }

  /**
   * Rows made on the server, batch by batch until the database reaches the target size: an id, a
   * note and 192 hex characters of random md5s (compresses about 2:1, like real text-ish data).
   */
  private void fill() {
    long t0 = System.nanoTime();
    sql(DB, "CREATE TABLE bench_rows (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),"
        + " note text, payload text); ALTER TABLE bench_rows OWNER TO " + DB);
    long from = 1;
    while (Long.parseLong(sql(DB, "SELECT pg_database_size(current_database())")) < TARGET_BYTES) {
      sql(DB, "INSERT INTO bench_rows (id, note, payload) SELECT g, 'row ' || g || ' of the ledger',"
          + " md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text)"
          + " || md5(random()::text) || md5(random()::text) FROM generate_series(" + from + ", "
          + (from + BATCH_ROWS - 1) + ") g");
      from += BATCH_ROWS;
    }
    sql(DB, "VACUUM ANALYZE bench_rows");
    exec("runuser -u postgres -- psql -q -c CHECKPOINT");
    put("database.fill_s", since(t0));
  }

  private void assertRows(long rows, String database) {
    String n = sql(database, "SELECT count(*) FROM bench_rows");
    if (!n.equals(Long.toString(rows))) {
      throw new AssertionError(database + " has " + n + " rows, expected " + rows);
    }
  }

  private static String currentDatabase(App app) {
    return app.backups().databases().stream().filter(AppDatabase::current).map(AppDatabase::name).findFirst().orElseThrow();
  }

  private static long added(List<OffsiteCopy> copies, String id) {
    return copies.stream().filter(c -> c.backupId().equals(id)).mapToLong(OffsiteCopy::addedBytes).findFirst()
        .orElseThrow(() -> new AssertionError("no offsite record for " + id + ": " + copies));
  }

  private String sql(String database, String statement) {
    return exec("runuser -u postgres -- psql -tAq -v ON_ERROR_STOP=1 -d " + database + " -c \"" + statement + "\"");
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    if (r.getExitCode() != 0) {
      throw new AssertionError("console: " + script + "\n" + r.getStdout() + r.getStderr());
    }
    return r.getStdout().trim();
  }

  private void put(String key, Object value) {
    results.put(key, value);
    System.out.printf(Locale.ROOT, "bench %s=%s%n", key, value);
  }

  private static double since(long nanos) {
    return round2((System.nanoTime() - nanos) / 1e9);
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double round2(double x) {
    return Math.round(x * 100) / 100.0;
  }

  private static double round3(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
