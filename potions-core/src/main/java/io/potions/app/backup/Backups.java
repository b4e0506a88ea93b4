package io.potions.app.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.InvalidInputException;
import io.potions.app.Deployment;
import io.potions.internal.Names;
import io.potions.internal.engine.EnvFile;
import io.potions.internal.engine.ServerContext;
import io.potions.internal.provision.ServerLayout;
import io.potions.progress.ProgressEvent;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An app's backups, kept on its server under {@code /opt/potions/<app>/backups} (the deploy user's,
 * 0700: neither the app's user nor its build user can read them). Obtain with {@code app.backups()}.
 *
 * <pre>{@code
 * Backup b = shop.backups().create();
 * shop.backups().restore(b.id());   // new database, checked, then a zero-downtime restart onto it
 * }</pre>
 */
public final class Backups {
  private static final Logger log = LoggerFactory.getLogger(Backups.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The kind of the backup made before a migrating deploy (part of its id). */
  static final String PRE_MIGRATION = "pre-migration";
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERATION = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
  /** Backups kept unless the caller says otherwise. */
  public static final int DEFAULT_RETENTION = 7;
  private static final Duration LONG = Duration.ofHours(6);

  /** What a backup needs from its app; the app supplies it (the deploy engine is not public API). */
  public interface AppHooks {
    /** @return the id of the release live now, if any */
    Optional<String> liveRelease();

    /**
     * @param releaseId a kept release
     * @return the zero-downtime switch onto it (restart when it is the live one)
     */
    Deployment activate(String releaseId);

    /** @return the zero-downtime restart of the live release */
    Deployment restart();
  }

  private final ServerContext ctx;
  private final String app;
  private final AppHooks hooks;
  private final int retention;
  private final Clock clock;

  /**
   * @param ctx the server
   * @param app the app's name
   * @param hooks the app's deploy operations
   */
  public Backups(ServerContext ctx, String app, AppHooks hooks) {
    this(ctx, app, hooks, DEFAULT_RETENTION, Clock.systemUTC());
  }

  private Backups(ServerContext ctx, String app, AppHooks hooks, int retention, Clock clock) {
    this.ctx = Objects.requireNonNull(ctx);
    this.app = Names.app(app);
    this.hooks = Objects.requireNonNull(hooks);
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * @param keep how many backups to keep, 1 to 30 (older ones are removed after each new backup)
   * @return a handle with that retention
   */
  public Backups retention(int keep) {
    if (keep < 1 || keep > 30) {
      throw new InvalidInputException("Backup retention must be between 1 and 30 (was " + keep + ").");
    }
    return new Backups(ctx, app, hooks, keep, clock);
  }

  private RemoteExecutor server() {
    return ctx.executor();
  }

  /** @return a backup made now (kind {@code manual}) */
  public Backup create() {
    return create("manual");
  }

  /**
   * @param kind why it is made ({@code manual}, {@code pre-migration}...): part of its id
   * @return the backup
   * @throws BackupFailedException when it failed; the partial backup is removed, older ones stay
   */
  public Backup create(String kind) {
    return create(kind, line -> { });
  }

  private Backup create(String kind, java.util.function.Consumer<String> lines) {
    if (!kind.matches("[a-z][a-z-]{0,19}")) {
      throw new InvalidInputException("Backup kind '" + kind + "' is not valid: 1-20 lowercase letters or hyphens.");
    }
    String id = ID_TIME.format(clock.instant()) + "-" + kind;
    String release = hooks.liveRelease().orElse(null);
    Step step = new Step("backup", "Backing up " + app + " (" + id + ")");
    ExecResult r = server().run(RemoteCommand.of("Backing up " + app,
        BackupScripts.create(app, id, kind, release, retention)).limit(LONG), (stream, line) -> {
          step.onLine(stream, line);
          lines.accept(line);
        });
    boolean offsiteFailed = r.exitStatus() == BackupScripts.OFFSITE_FAILED && r.marker("POTIONS_BACKUP").isPresent();
    if (offsiteFailed) {
      // The local backup is whole and kept; only its copy offsite is missing: loud, but not lost.
      String why = "Backup " + id + " of " + app + " was made on the server, but its OFFSITE COPY FAILED; the local"
          + " backup is kept." + r.marker("POTIONS_OFFSITE_ERROR").map(e -> " Why: " + e).orElse("")
          + " Check the offsite settings (app.backups().offsite(...)) and the bucket. Output:\n" + r.tail(8);
      step.failed(why);
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "offsite", app, id, why));
      log.error("[{}] {}", ctx.serverName(), why);
      return get(id);
    }
    if (!r.ok() || r.marker("POTIONS_BACKUP").isEmpty()) {
      String why = "Backup of " + app + " failed (exit " + r.exitStatus() + "); the partial backup was removed and"
          + " older backups are untouched. Output:\n" + r.tail(15);
      step.failed(why);
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "backup", app, id, why));
      throw new BackupFailedException(why);
    }
    step.finished();
    Backup b = get(id);
    log.info("[{}] backup {} of {}: {} bytes", ctx.serverName(), id, app, b.bytes());
    return b;
  }

  /**
   * Copies every backup of this app offsite from now on (scheduled, on demand and before
   * migrations): right after each backup the server runs restic, which encrypts it with the
   * target's repository password before it leaves the server, stores each chunk once, and keeps
   * the newest copies as local retention does. The settings are kept on the server in root-only
   * (0600) files and reach restic through its environment, never a command line nor a log. The
   * repository is opened (or created, with the bucket when the keys may) now, so wrong keys, a
   * missing bucket or an unreachable endpoint are reported here and the previous settings stay.
   *
   * @param target the bucket and keys
   * @throws InvalidInputException when the repository cannot be opened or created (nothing changed)
   */
  public void offsite(OffsiteTarget target) {
    Objects.requireNonNull(target, "target");
    ctx.redactor().register(target.secretKey());
    ctx.redactor().register(target.repositoryPassword());
    Step step = new Step("backup-offsite-setup", "Setting up offsite copies of " + app + " to " + target);
    ExecResult r = server().run(RemoteCommand.of("Setting up offsite copies of " + app,
        BackupScripts.helper("offsite-set", app)).limit(Duration.ofMinutes(10))
        .stdin(BackupScripts.offsiteSettings(target, app)), step);
    if (!r.ok() || r.marker("POTIONS_OFFSITE").isEmpty()) {
      String why = "Offsite copies of " + app + " to " + target + " could not be set up; the previous settings"
          + " were kept and nothing was changed: " + String.join(" ", r.stderr()).trim();
      step.failed(why);
      throw new InvalidInputException(why);
    }
    step.finished();
  }

  /** Stops copying this app's backups offsite (the copies already in the bucket stay). */
  public void offsiteOff() {
    server().require(RemoteCommand.of("Turning off offsite copies of " + app, BackupScripts.helper("offsite-unset", app)));
  }

  /**
   * @return the offsite copies the server recorded after each backup (the last 100, oldest first),
   *     good and failed, with the bytes each added to the repository
   */
  public List<OffsiteCopy> offsiteCopies() {
    return listing().offsiteCopies();
  }

  private List<OffsiteCopy> offsiteRecords(List<String> lines) {
    List<OffsiteCopy> out = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith("O ")) {
        continue;
      }
      try {
        JsonNode o = JSON.readTree(line.substring(2));
        out.add(new OffsiteCopy(o.path("id").asText(), Instant.parse(o.path("at").asText()), o.path("ok").asBoolean(),
            o.path("addedBytes").asLong(0), o.path("snapshot").isTextual() ? Optional.of(o.path("snapshot").asText())
            : Optional.empty(), o.path("error").isTextual() ? Optional.of(o.path("error").asText()) : Optional.empty()));
      } catch (IOException | RuntimeException e) {
        log.warn("[{}] skipping an unreadable offsite record of {}: {}", ctx.serverName(), app, e.toString());
      }
    }
    out.sort(java.util.Comparator.comparing(OffsiteCopy::at).thenComparing(OffsiteCopy::backupId));
    return out;
  }

  /**
   * Brings a backup kept only offsite back onto the server (restic streams it; it is checked
   * against its manifest's checksums exactly as a local one). {@link #restore(String)} does this by
   * itself when the local copy is gone.
   *
   * @param id the backup
   * @return the backup, now on the server too
   * @throws BackupNotFoundException when neither the server nor the offsite repository has it
   * @throws BackupFailedException when the fetch or the check failed (nothing else changed)
   */
  public Backup fetchFromOffsite(String id) {
    Backup b = get(id);
    if (b.stored().local()) {
      return b;
    }
    Step step = new Step("backup-fetch", "Fetching backup " + b.id() + " from its offsite copy");
    ExecResult r = server().run(RemoteCommand.of("Fetching backup " + b.id() + " from offsite",
        BackupScripts.fetchOffsite(app, b.id())).limit(LONG), step);
    if (!r.ok()) {
      String why = "Fetching backup " + b.id() + " of " + app + " from its offsite copy failed; nothing was changed."
          + " Output:\n" + r.tail(10);
      step.failed(why);
      throw new BackupFailedException(why);
    }
    step.finished();
    check(b.id());
    return get(b.id());
  }

  /**
   * Turns the automatic backup before each deploy that runs a migration on or off (on unless
   * turned off; the choice is kept on the server, so every SDK sees it).
   *
   * @param enabled whether deploys with a migration back up first
   */
  public void setBeforeMigration(boolean enabled) {
    String flag = io.potions.internal.shell.Shell.quote(BackupScripts.dir(app) + "/.pre-migration-off");
    server().require(RemoteCommand.of("Setting the pre-migration backup of " + app, enabled ? "rm -f -- " + flag
        : "install -d -m 0700 " + io.potions.internal.shell.Shell.quote(BackupScripts.dir(app)) + " && touch -- " + flag));
  }

  /** @return whether deploys that run a migration back up first */
  public boolean beforeMigration() {
    return !server().run(RemoteCommand.of("Reading the pre-migration backup setting", "test -e "
        + io.potions.internal.shell.Shell.quote(BackupScripts.dir(app) + "/.pre-migration-off"))).ok();
  }

  /**
   * The deploy engine's hook: makes a {@code pre-migration} backup unless turned off.
   *
   * @param lines receives the backup's output
   * @return the backup, or empty when turned off
   * @throws BackupFailedException when it failed (the deploy then stops before the migration)
   */
  public Optional<Backup> runBeforeMigration(java.util.function.Consumer<String> lines) {
    if (!beforeMigration()) {
      lines.accept("backup before the migration: turned off for this app");
      return Optional.empty();
    }
    if (hooks.liveRelease().isEmpty()) {
      lines.accept("backup before the migration: skipped, nothing is deployed yet");
      return Optional.empty();
    }
    lines.accept("backing up before the migration");
    Backup b = create(PRE_MIGRATION, lines);
    lines.accept("backup " + b.id() + " made (" + b.bytes() + " bytes); restore it with app.backups().restore(\""
        + b.id() + "\")");
    return Optional.of(b);
  }

  /**
   * Installs (or moves) the app's daily backup: a systemd timer on the server, so backups happen
   * when no SDK runs. Each run is recorded on the server ({@link #health()} reads the records); a
   * failed run starts {@code potions-backup-failed@<app>.service}, which logs at error level and
   * runs {@code /etc/potions/backup-failed-hook <app>} when that root-owned executable exists.
   *
   * @param utcTime when, every day, in UTC
   */
  public void scheduleDaily(java.time.LocalTime utcTime) {
    String time = String.format("%02d:%02d", utcTime.getHour(), utcTime.getMinute());
    server().require(RemoteCommand.of("Preparing the backup directory", "install -d -m 0700 "
        + io.potions.internal.shell.Shell.quote(BackupScripts.dir(app))));
    server().upload(BackupScripts.createProgram(app, "scheduled", retention).getBytes(StandardCharsets.UTF_8),
        BackupScripts.dir(app) + "/.create.sh", 0700);
    server().upload(BackupScripts.scheduledProgram(app).getBytes(StandardCharsets.UTF_8),
        BackupScripts.dir(app) + "/.scheduled.sh", 0700);
    server().require(RemoteCommand.of("Scheduling the daily backup of " + app + " at " + time + " UTC",
        BackupScripts.helper("backup-schedule", app, time)));
  }

  /** Removes the app's daily backup timer (backups already made stay). */
  public void unschedule() {
    server().require(RemoteCommand.of("Removing the backup timer of " + app, BackupScripts.helper("backup-unschedule", app)));
  }

  /**
   * Runs the scheduled backup now, as the timer would, and waits for it.
   *
   * @return the run's record
   */
  public BackupRun runScheduledNow() {
    ExecResult r = server().run(RemoteCommand.of("Running the scheduled backup of " + app,
        BackupScripts.helper("backup-run", app)).limit(LONG));
    List<BackupRun> runs = runs();
    if (runs.isEmpty()) {
      throw new BackupFailedException("The scheduled backup of " + app + " did not run (is it scheduled? call"
          + " scheduleDaily first): " + r.tail(5));
    }
    BackupRun last = runs.get(runs.size() - 1);
    if (!last.ok()) {
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "backup", app, last.id(), last.output()));
    }
    return last;
  }

  /**
   * Installs (or moves) the app's unattended restore drill: a weekly systemd timer on the server
   * that checks the newest backup kept there, restores it into a scratch database, counts its
   * tables and drops it, recording the result for {@link #health()} (which then flags a failed
   * drill, or none within a week plus {@link BackupHealth#MARGIN}). Off unless called.
   *
   * @param day the day of the week
   * @param utcTime when, that day, in UTC
   */
  public void scheduleDrill(java.time.DayOfWeek day, java.time.LocalTime utcTime) {
    Objects.requireNonNull(day, "day");
    String time = String.format("%02d:%02d", utcTime.getHour(), utcTime.getMinute());
    String dow = day.getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ROOT);
    server().require(RemoteCommand.of("Preparing the backup directory", "install -d -m 0700 "
        + io.potions.internal.shell.Shell.quote(BackupScripts.dir(app))));
    server().upload(BackupScripts.drillProgram(app).getBytes(StandardCharsets.UTF_8),
        BackupScripts.dir(app) + "/.drill.sh", 0700);
    server().require(RemoteCommand.of("Scheduling the restore drill of " + app + " on " + dow + " at " + time + " UTC",
        BackupScripts.helper("drill-schedule", app, dow, time)));
  }

  /** Removes the app's restore drill timer (the drill records stay). */
  public void unscheduleDrill() {
    server().require(RemoteCommand.of("Removing the restore drill timer of " + app,
        BackupScripts.helper("drill-unschedule", app)));
  }

  /**
   * Runs the scheduled restore drill now, as the timer would, and waits for it.
   *
   * @return its record
   * @throws BackupFailedException when no drill is scheduled
   */
  public DrillRun runDrillNow() {
    int before = drills().size();
    ExecResult r = server().run(RemoteCommand.of("Running the restore drill of " + app,
        BackupScripts.helper("drill-run", app)).limit(LONG));
    List<DrillRun> drills = drills();
    if (drills.size() == before && !r.ok()) {
      throw new BackupFailedException("The restore drill of " + app + " did not run (is it scheduled? call"
          + " scheduleDrill first): " + r.tail(5));
    }
    DrillRun last = drills.get(drills.size() - 1);
    if (!last.ok()) {
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "drill", app, last.backupId(),
          last.output()));
    }
    return last;
  }

  /** @return the restore drills the server recorded (scheduled and the SDK's), oldest first (the last 100) */
  public List<DrillRun> drills() {
    List<DrillRun> out = readRecords("restore drill", BackupScripts.drills(app),
        n -> new DrillRun(n.path("id").asText(), Instant.parse(n.path("at").asText()), n.path("ok").asBoolean(),
            n.path("tables").asInt(-1), Duration.ofMillis(n.path("durationMillis").asLong()),
            Duration.ofSeconds(n.path("backupAgeSeconds").asLong()), n.path("scheduled").asBoolean(false),
            n.path("output").asText("")));
    // Scheduled drills and the SDK's append to the same log from different processes.
    out.sort(java.util.Comparator.comparing(DrillRun::at));
    return out;
  }

  /** @return the scheduled runs the server recorded, oldest first (the last 100) */
  public List<BackupRun> runs() {
    return readRecords("backup run", BackupScripts.runs(app),
        n -> new BackupRun(n.path("id").asText(), Instant.parse(n.path("at").asText()), n.path("ok").asBoolean(),
            n.path("exit").asInt(), n.path("output").asText()));
  }

  /**
   * Reads a JSON-lines record log the server keeps; a line that does not parse (a run cut off while
   * writing it) is skipped with a warning rather than hiding every other record.
   *
   * @return the records in the log's order, in a list the caller may sort
   */
  private <T> List<T> readRecords(String kind, String script, java.util.function.Function<JsonNode, T> parse) {
    ExecResult r = server().require(RemoteCommand.of("Reading the " + kind + "s of " + app, script));
    List<T> out = new ArrayList<>();
    for (String line : r.stdout()) {
      try {
        out.add(parse.apply(JSON.readTree(line)));
      } catch (IOException | RuntimeException e) {
        log.warn("[{}] skipping an unreadable {} record of {}: {}", ctx.serverName(), kind, app, e.toString());
      }
    }
    return out;
  }

  /**
   * Says when the last good backup was, flags it stale past a day plus {@link BackupHealth#MARGIN},
   * and reports each scheduled run that failed since as a {@link ProgressEvent.BackupFailed} event;
   * likewise for offsite copies, when set up: the last good one, stale past a day plus the margin or
   * when a later copy failed, and each failed copy since as an event (step {@code offsite}).
   *
   * @return the app's backup health
   */
  public BackupHealth health() {
    Listing listing = listing();
    List<Backup> all = listing.backups().stream().filter(b -> b.stored().local()).toList();
    Optional<Instant> lastGood = all.stream().map(Backup::createdAt).max(java.util.Comparator.naturalOrder());
    boolean scheduled = server().run(RemoteCommand.of("Checking the backup timer of " + app,
        "systemctl is-enabled --quiet " + io.potions.internal.shell.Shell.quote("potions-backup-" + app + ".timer"))).ok();
    List<BackupRun> failed = runs().stream().filter(r -> !r.ok())
        // Run records have one-second resolution: a failure in the same second as the last good backup counts.
        .filter(r -> lastGood.isEmpty() || !r.at().isBefore(lastGood.get().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .toList();
    Instant now = clock.instant();
    boolean stale = lastGood.isEmpty() || lastGood.get().isBefore(now.minus(Duration.ofDays(1)).minus(BackupHealth.MARGIN));
    for (BackupRun f : failed) {
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "backup", app, f.id(), f.output()));
    }
    boolean offsiteOn = listing.offsiteConfigured();
    List<OffsiteCopy> copies = listing.offsiteCopies();
    Optional<Instant> lastGoodOffsite = copies.stream().filter(OffsiteCopy::ok).map(OffsiteCopy::at)
        .max(java.util.Comparator.naturalOrder());
    List<OffsiteCopy> failedOffsite = copies.stream().filter(c -> !c.ok())
        .filter(c -> lastGoodOffsite.isEmpty() || c.at().isAfter(lastGoodOffsite.get())).toList();
    boolean offsiteStale = offsiteOn && (lastGoodOffsite.isEmpty() || !failedOffsite.isEmpty()
        || lastGoodOffsite.get().isBefore(now.minus(Duration.ofDays(1)).minus(BackupHealth.MARGIN)));
    for (OffsiteCopy f : failedOffsite) {
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "offsite", app, f.backupId(),
          f.error().orElse("offsite copy failed")));
    }
    String summary = lastGood.map(t -> "last good backup " + Duration.between(t, now).toMinutes() + " min ago")
        .orElse("no backup yet") + (stale ? " (STALE)" : "") + (failed.isEmpty() ? "" : "; " + failed.size()
        + " failed run(s) since, last: " + failed.get(failed.size() - 1).output()) + (scheduled ? "" : "; no schedule")
        + (!offsiteOn ? "; no offsite copies" : "; " + lastGoodOffsite.map(t -> "last good offsite copy "
        + Duration.between(t, now).toMinutes() + " min ago").orElse("no good offsite copy yet")
        + (offsiteStale ? " (OFFSITE STALE)" : "") + (failedOffsite.isEmpty() ? "" : ", " + failedOffsite.size()
        + " failed offsite cop(ies) since, last: " + failedOffsite.get(failedOffsite.size() - 1).error().orElse("?")));
    List<DrillRun> drills = drills();
    Optional<DrillRun> lastDrill = drills.isEmpty() ? Optional.empty() : Optional.of(drills.get(drills.size() - 1));
    boolean drillScheduled = server().run(RemoteCommand.of("Checking the restore drill timer of " + app,
        "systemctl is-enabled --quiet " + io.potions.internal.shell.Shell.quote("potions-drill-" + app + ".timer"))).ok();
    boolean drillStale = drillScheduled && drills.stream().filter(DrillRun::ok).map(DrillRun::at)
        .max(java.util.Comparator.naturalOrder())
        .map(t -> t.isBefore(now.minus(Duration.ofDays(7)).minus(BackupHealth.MARGIN))).orElse(true);
    if (lastDrill.isPresent() && !lastDrill.get().ok()) {
      ctx.listener().onEvent(new ProgressEvent.BackupFailed(ctx.serverName(), "drill", app, lastDrill.get().backupId(),
          lastDrill.get().output()));
    }
    summary += lastDrill.map(d -> "; last restore drill " + Duration.between(d.at(), now).toMinutes() + " min ago "
        + (d.ok() ? "ok (" + d.tables() + " tables, " + d.duration().toSeconds() + " s)" : "FAILED: " + d.output()))
        .orElse("; no restore drill yet") + (drillStale ? " (DRILL STALE)" : "");
    return new BackupHealth(lastGood, lastGoodOffsite, scheduled, failed, stale, offsiteOn, failedOffsite,
        offsiteStale, lastDrill, drillScheduled, drillStale, summary);
  }

  /**
   * @return the app's backups, oldest first: those on the server and, when offsite copies are set
   *     up, those in the offsite repository ({@link Backup#stored()} says which)
   */
  public List<Backup> list() {
    return listing().backups();
  }

  /** What one listing on the server said: the backups, the offsite records, whether offsite is set up. */
  private record Listing(List<Backup> backups, List<OffsiteCopy> offsiteCopies, boolean offsiteConfigured) {}

  private Listing listing() {
    ExecResult r = server().require(RemoteCommand.of("Listing backups of " + app, BackupScripts.list(app)));
    boolean offsiteConfigured = r.stdout().stream().anyMatch(l -> l.startsWith("S ") || l.startsWith("S-FAILED"));
    Map<String, Backup> byId = new LinkedHashMap<>();
    Map<String, Instant> offsite = new LinkedHashMap<>();
    Map<String, long[]> offsiteSizes = new LinkedHashMap<>();
    for (String line : r.stdout()) {
      if (line.startsWith("S-FAILED")) {
        log.warn("[{}] the offsite copies of {} could not be listed: {}", ctx.serverName(), app, line.substring(8).trim());
        continue;
      }
      if (line.startsWith("S ")) {
        try {
          for (JsonNode snapshot : JSON.readTree(line.substring(2))) {
            String id = null;
            long[] sizes = new long[2];
            for (JsonNode tag : snapshot.path("tags")) {
              String t = tag.asText();
              if (BackupScripts.ID.matcher(t).matches()) {
                id = t;
              } else if (t.startsWith("db-bytes:")) {
                sizes[0] = Long.parseLong(t.substring(9));
              } else if (t.startsWith("storage-bytes:")) {
                sizes[1] = Long.parseLong(t.substring(14));
              }
            }
            if (id != null) {
              offsite.put(id, java.time.OffsetDateTime.parse(snapshot.path("time").asText()).toInstant());
              offsiteSizes.put(id, sizes);
            }
          }
        } catch (IOException | RuntimeException e) {
          log.warn("[{}] skipping an unreadable offsite listing of {}: {}", ctx.serverName(), app, e.toString());
        }
        continue;
      }
      try {
        if (line.startsWith("M ")) {
          JsonNode m = JSON.readTree(line.substring(2));
          String id = m.path("id").asText();
          byId.put(id, new Backup(id, Instant.parse(m.path("createdAt").asText()), m.path("kind").asText(),
              m.path("release").isTextual() ? Optional.of(m.path("release").asText()) : Optional.empty(),
              m.path("database").path("bytes").asLong(), m.path("storage").path("bytes").asLong(0),
              "server:" + BackupScripts.dir(app, id), Optional.empty(), Backup.Stored.LOCAL, Optional.empty()));
        } else if (line.startsWith("V ")) {
          JsonNode v = JSON.readTree(line.substring(2));
          Backup b = byId.get(v.path("id").asText());
          if (b != null && v.path("ok").asBoolean()) {
            byId.put(b.id(), new Backup(b.id(), b.createdAt(), b.kind(), b.release(), b.databaseBytes(),
                b.storageBytes(), b.location(), Optional.of(Instant.parse(v.path("at").asText())), b.stored(),
                b.offsiteAt()));
          }
        }
      } catch (IOException | RuntimeException e) {
        log.warn("[{}] skipping an unreadable backup record of {}: {}", ctx.serverName(), app, e.toString());
      }
    }
    offsite.forEach((id, at) -> {
      Backup b = byId.get(id);
      if (b != null) {
        byId.put(id, new Backup(b.id(), b.createdAt(), b.kind(), b.release(), b.databaseBytes(), b.storageBytes(),
            b.location(), b.verifiedAt(), Backup.Stored.BOTH, Optional.of(at)));
      } else {
        long[] sizes = offsiteSizes.get(id);
        String kind = id.substring(id.indexOf('-') + 1);
        Instant created = java.time.LocalDateTime.parse(id.substring(0, 15),
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")).toInstant(ZoneOffset.UTC);
        byId.put(id, new Backup(id, created, kind, Optional.empty(), sizes[0], sizes[1], "offsite:" + id,
            Optional.empty(), Backup.Stored.OFFSITE, Optional.of(at)));
      }
    });
    List<Backup> all = new ArrayList<>(byId.values());
    all.sort(java.util.Comparator.comparing(Backup::id));
    return new Listing(all, offsiteRecords(r.stdout()), offsiteConfigured);
  }

  /**
   * @param id a backup id
   * @return that backup
   * @throws BackupNotFoundException when the app has no such backup
   */
  public Backup get(String id) {
    String valid = validId(id);
    return list().stream().filter(b -> b.id().equals(valid)).findFirst().orElseThrow(() -> notFound(valid));
  }

  private BackupNotFoundException notFound(String id) {
    List<String> ids = list().stream().map(Backup::id).toList();
    return new BackupNotFoundException("App " + app + " has no backup '" + id + "'; nothing was changed. Backups: "
        + (ids.isEmpty() ? "none (make one with app.backups().create())" : ids));
  }

  private String validId(String id) {
    if (id == null || !BackupScripts.ID.matcher(id).matches()) {
      throw new BackupNotFoundException("'" + id + "' is not a backup id (they look like 20261202T091500Z-manual);"
          + " list them with app.backups().list(). Nothing was changed.");
    }
    return id;
  }

  /**
   * Deletes one backup from the server.
   *
   * @param id the backup
   */
  public void delete(String id) {
    get(id);
    server().require(RemoteCommand.of("Deleting backup " + id + " of " + app, BackupScripts.delete(app, validId(id))));
  }

  /**
   * Copies a backup's parts into a local directory ({@code manifest.json}, {@code db.dump},
   * {@code storage.tar}), streamed, and checks each against its SHA-256.
   *
   * @param id the backup
   * @param directory where to put them (created when missing)
   * @return the directory
   */
  public Path download(String id, Path directory) {
    Backup b = get(id);
    if (!b.stored().local()) {
      b = fetchFromOffsite(b.id());
    }
    try {
      Files.createDirectories(directory);
      JsonNode manifest = manifest(b.id());
      Files.writeString(directory.resolve("manifest.json"), manifest.toString() + "\n");
      for (String part : List.of("database", "storage")) {
        JsonNode p = manifest.path(part);
        if (!p.isObject()) {
          continue;
        }
        String file = p.path("file").asText();
        Path target = directory.resolve(file);
        String sha = fetch(b.id(), file, target);
        if (!sha.equals(p.path("sha256").asText())) {
          throw new BackupFailedException("Downloaded " + file + " of backup " + id + " does not match its checksum"
              + " (expected " + p.path("sha256").asText() + ", got " + sha + "); the copy in " + target + " is not usable.");
        }
      }
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the backup to " + directory, e);
    }
  }

  private JsonNode manifest(String id) throws IOException {
    String text = server().read(List.of(BackupScripts.dir(app, id) + "/manifest.json")).get(0)
        .orElseThrow(() -> notFound(id));
    return JSON.readTree(text);
  }

  private String fetch(String id, String file, Path target) throws IOException {
    MessageDigest sha = sha256();
    Base64.Decoder decoder = Base64.getMimeDecoder();
    IOException[] failure = new IOException[1];
    try (OutputStream out = Files.newOutputStream(target)) {
      ExecResult r = server().run(RemoteCommand.of("Downloading " + file + " of backup " + id,
          BackupScripts.download(app, id, file)).limit(LONG), (stream, line) -> {
            if (stream != OutputListener.Stream.STDOUT || failure[0] != null) {
              return;
            }
            byte[] bytes = decoder.decode(line);
            sha.update(bytes);
            try {
              out.write(bytes);
            } catch (IOException e) {
              failure[0] = e;
            }
          });
      if (failure[0] != null) {
        throw failure[0];
      }
      if (!r.ok()) {
        throw new BackupFailedException("Downloading " + file + " of backup " + id + " failed: " + r.tail(5));
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Restores a backup (fetching it back from its offsite copy first when the server no longer has
   * it): checks its parts against their checksums (a truncated or altered backup is
   * refused before anything changes), restores the dump into a NEW database and checks it
   * (pg_restore success, tables present, ANALYZE), restores the storage beside the live one and
   * swaps the directories, then points the app's DATABASE_URL at the new database and moves the app
   * onto it with the zero-downtime standby-slot switch (starting the release the backup was made
   * under, when it is still kept). The previous database is kept: see {@link #databases()}.
   * Progress streams to the server's listener as steps.
   *
   * @param id the backup
   * @return what was done
   * @throws BackupNotFoundException for an unknown id (nothing changed)
   * @throws BackupFailedException when a check or step failed; the message says what stayed live
   */
  public RestoreResult restore(String id) {
    Instant started = clock.instant();
    Backup b = get(id);
    if (!b.stored().local()) {
      b = fetchFromOffsite(b.id());
    }
    check(b.id());
    List<AppDatabase> before = databases();
    String previous = before.stream().filter(AppDatabase::current).map(AppDatabase::name).findFirst()
        .orElseThrow(() -> new BackupFailedException("App " + app + " has no database on the server; nothing was changed."));
    String generation = GENERATION.format(clock.instant());
    String database = baseDatabase() + "__r" + generation;
    String password = token(32);
    ctx.redactor().register(password);

    Step step = new Step("restore-database", "Restoring backup " + b.id() + " into a new database " + database);
    ExecResult restored;
    try {
      restored = server().run(RemoteCommand.of("Restoring the database of " + app,
          BackupScripts.restoreDatabase(app, b.id(), generation)).limit(LONG)
          .stdin((password + "\n").getBytes(StandardCharsets.UTF_8)), step);
    } catch (RuntimeException e) {
      // The connection dropped (or the server went away) mid-restore. Nothing live was touched yet:
      // the app's DATABASE_URL and the recorded database change only in the switch step below.
      String why = "Restoring backup " + b.id() + " was interrupted (" + e.getMessage() + "); the app still serves"
          + " from " + previous + ", unchanged. " + abandon(database) + " Run the restore again when the server"
          + " is reachable.";
      step.failed(why);
      throw new BackupFailedException(why);
    }
    int tables = restored.marker("POTIONS_TABLES").map(Integer::parseInt).orElse(-1);
    if (!restored.ok() || tables < 0) {
      dropQuietly(database);
      String why = "Restoring backup " + b.id() + " into a new database failed (exit " + restored.exitStatus()
          + "); the new database was dropped and the app still serves from " + previous + ", unchanged. Output:\n"
          + restored.tail(15);
      step.failed(why);
      throw new BackupFailedException(why);
    }
    if (tables == 0 && b.databaseBytes() > 0 && !"import".equals(b.kind())) {
      log.warn("[{}] backup {} restored with no tables", ctx.serverName(), b.id());
    }
    step.line("restored " + tables + " table(s), ANALYZE done");
    step.finished();

    Optional<String> oldStorage = Optional.empty();
    if (b.storageBytes() > 0) {
      Step st = new Step("restore-storage", "Restoring the storage of " + app + " beside the live one");
      ExecResult r;
      try {
        r = server().run(RemoteCommand.of("Restoring the storage of " + app,
            BackupScripts.restoreStorage(app, b.id())).limit(LONG), st);
      } catch (RuntimeException e) {
        String why = "Restoring the storage of backup " + b.id() + " was interrupted (" + e.getMessage() + "); the"
            + " app still serves from " + previous + ". " + abandon(database) + " The storage directory is swapped"
            + " only once the archive extracted whole; if it was, the previous one is kept beside it as"
            + " .pre-restore-" + app + "-<time>. Run the restore again when the server is reachable.";
        st.failed(why);
        throw new BackupFailedException(why);
      }
      if (!r.ok()) {
        dropQuietly(database);
        String why = "Restoring the storage of backup " + b.id() + " failed; the live storage and database were not"
            + " changed (the new database was dropped). Output:\n" + r.tail(15);
        st.failed(why);
        throw new BackupFailedException(why);
      }
      oldStorage = r.marker("POTIONS_OLD_STORAGE");
      st.line("previous storage kept at " + oldStorage.orElse("?"));
      st.finished();
    }

    Step sw = new Step("restore-switch", "Switching " + app + " to " + database + " (zero downtime)");
    String envPath = ServerLayout.ROOT + "/" + app + "/secrets/generated.env";
    String oldEnv = server().read(List.of(envPath)).get(0)
        .orElseThrow(() -> new BackupFailedException("App " + app + " has no generated env file; nothing was switched."));
    Map<String, String> env = new LinkedHashMap<>(EnvFile.parse(oldEnv));
    env.put("DATABASE_URL", databaseUrl(env.get("DATABASE_URL"), database, password));
    ctx.redactor().register(env.get("DATABASE_URL"));
    Deployment deployment;
    try {
      server().upload(EnvFile.render(env).getBytes(StandardCharsets.UTF_8), envPath, 0600);
      server().require(RemoteCommand.of("Recording the app's database", BackupScripts.helper("db-use", app, generation)));
      Optional<String> release = b.release();
      if (release.isPresent() && !release.equals(hooks.liveRelease())) {
        sw.line("starting release " + release.get() + ", the one live when the backup was made");
      }
      deployment = release.isPresent() ? activateOrRestart(release.get()) : hooks.restart();
    } catch (RuntimeException e) {
      server().upload(oldEnv.getBytes(StandardCharsets.UTF_8), envPath, 0600);
      server().run(RemoteCommand.of("Recording the app's database", BackupScripts.helper("db-use", app,
          previous.equals(baseDatabase()) ? "original" : previous.substring(previous.length() - 14))));
      String why = "Switching " + app + " to the restored database failed: " + e.getMessage() + "\nThe app still"
          + " serves from " + previous + "; DATABASE_URL points there again. The restored database " + database
          + " is kept (drop it with dropKeptDatabase)" + oldStorage.map(s -> "; the storage directory was already"
          + " restored (the previous one is at " + s + ")").orElse("") + ".";
      sw.failed(why);
      throw new BackupFailedException(why);
    }
    sw.finished();
    Duration took = Duration.between(started, clock.instant());
    log.info("[{}] restored backup {} of {} into {} in {} s", ctx.serverName(), b.id(), app, database, took.toSeconds());
    return new RestoreResult(b.id(), database, previous, tables, oldStorage, deployment, took);
  }

  private Deployment activateOrRestart(String release) {
    try {
      return hooks.activate(release);
    } catch (io.potions.app.DeployFailedException e) {
      if (e.getMessage() != null && e.getMessage().contains("no longer kept")) {
        return hooks.restart();
      }
      throw e;
    }
  }

  /**
   * Checks a backup's parts against the checksums in its manifest (the server reads them; nothing
   * changes).
   *
   * @param id the backup
   * @throws BackupNotFoundException when it does not exist
   * @throws BackupFailedException when a part is missing, truncated or altered
   */
  public void check(String id) {
    String valid = validId(id);
    Step step = new Step("backup-check", "Checking backup " + valid + " against its checksums");
    ExecResult r = server().run(RemoteCommand.of("Checking backup " + valid, BackupScripts.check(app, valid))
        .limit(LONG), step);
    if (r.exitStatus() == BackupScripts.MISSING) {
      step.failed("no such backup");
      throw notFound(valid);
    }
    if (!r.ok()) {
      String why = "Backup " + valid + " of " + app + " is damaged and was refused before anything changed: "
          + String.join(" ", r.stderr()).trim();
      step.failed(why);
      throw new BackupFailedException(why);
    }
    step.finished();
  }

  /**
   * A restore drill: restores the backup into a scratch database, runs the smoke check (counts the
   * tables; at least one is required), drops the scratch copy and records the result beside the backup.
   *
   * @param id the backup
   * @return the drill's result
   */
  public VerifyResult verify(String id) {
    return verify(id, null);
  }

  /**
   * A restore drill with the caller's own smoke query: as {@link #verify(String)}, then runs
   * {@code smokeSql} in the scratch database as its own role (never a superuser). The drill fails
   * when the query fails, returns no row, or its first value is empty, {@code f} (false) or
   * {@code 0}; for example {@code SELECT count(*) FROM orders} or
   * {@code SELECT max(created_at) > now() - interval '2 days' FROM orders}.
   *
   * @param id the backup
   * @param smokeSql one SQL query; null for the table count only
   * @return the drill's result, with the query's first value
   */
  public VerifyResult verify(String id, String smokeSql) {
    if (smokeSql != null && smokeSql.isBlank()) {
      throw new InvalidInputException("The smoke query is empty: give one SQL query, such as SELECT count(*) FROM"
          + " orders, or call verify(id) for the table count only. Nothing was changed.");
    }
    Backup b = get(id);
    if (!b.stored().local()) {
      b = fetchFromOffsite(b.id());
    }
    Instant started = clock.instant();
    check(b.id());
    String generation = GENERATION.format(clock.instant());
    String database = baseDatabase() + "__r" + generation;
    String password = token(32);
    ctx.redactor().register(password);
    Step step = new Step("backup-verify", "Restore drill of backup " + b.id() + " into scratch database " + database);
    ExecResult r;
    Optional<String> smoke = Optional.empty();
    String smokeFailure = null;
    try {
      r = server().run(RemoteCommand.of("Restore drill of " + b.id(),
          BackupScripts.restoreDatabase(app, b.id(), generation)).limit(LONG)
          .stdin((password + "\n").getBytes(StandardCharsets.UTF_8)), step);
      if (r.ok() && smokeSql != null) {
        ExecResult q = server().run(RemoteCommand.of("Smoke query of the drill of " + b.id(),
            BackupScripts.smokeQuery(database)).limit(LONG)
            .stdin((password + "\n" + smokeSql + "\n").getBytes(StandardCharsets.UTF_8)));
        String first = q.stdout().stream().filter(l -> !l.isBlank()).findFirst().orElse("").split("\\|", -1)[0].trim();
        if (!q.ok()) {
          smokeFailure = "the smoke query failed: " + q.tail(5);
        } else if (first.isEmpty() || first.equals("f") || first.equals("0")) {
          smokeFailure = "the smoke query returned " + (first.isEmpty() ? "no row" : "'" + first + "'");
        } else {
          smoke = Optional.of(first);
          step.line("smoke query returned " + first);
        }
      }
    } finally {
      dropQuietly(database);
    }
    int tables = r.marker("POTIONS_TABLES").map(Integer::parseInt).orElse(-1);
    Duration took = Duration.between(started, clock.instant());
    Duration age = Duration.between(b.createdAt(), started);
    boolean ok = r.ok() && tables > 0 && smokeFailure == null;
    String record = "{\"id\":\"" + b.id() + "\",\"ok\":" + ok + ",\"at\":\"" + clock.instant() + "\",\"tables\":"
        + tables + ",\"durationMillis\":" + took.toMillis() + ",\"backupAgeSeconds\":" + age.toSeconds() + "}";
    server().require(RemoteCommand.of("Recording the drill", BackupScripts.recordVerification(app, b.id(), record)));
    if (!ok) {
      String why = "Restore drill of backup " + b.id() + " failed (" + (smokeFailure != null ? smokeFailure
          : r.ok() ? "no tables restored" : "exit " + r.exitStatus()) + "); the scratch database was dropped. Output:\n"
          + r.tail(15);
      step.failed(why);
      throw new BackupFailedException(why);
    }
    step.finished();
    return new VerifyResult(b.id(), tables, took, age, smoke);
  }

  /**
   * Brings in a PostgreSQL custom-format dump ({@code pg_dump -Fc}) made elsewhere, streamed to
   * the server (never held in memory), as a backup of kind {@code import}; restore it with
   * {@link #restore(String)}.
   *
   * @param dump the dump file
   * @return the backup it became
   * @throws InvalidInputException when the file is not a custom-format dump (nothing is uploaded)
   */
  public Backup importDump(Path dump) {
    try (InputStream in = Files.newInputStream(dump)) {
      byte[] magic = in.readNBytes(5);
      if (!"PGDMP".equals(new String(magic, StandardCharsets.US_ASCII))) {
        throw new InvalidInputException(dump + " is not a PostgreSQL custom-format dump (it does not start with"
            + " PGDMP). Make one with: pg_dump --format=custom --file=app.dump DBNAME. Nothing was uploaded.");
      }
    } catch (IOException e) {
      throw new InvalidInputException("Cannot read " + dump + ": " + e.getMessage());
    }
    String id = ID_TIME.format(clock.instant()) + "-import";
    String uploaded = BackupScripts.dir(app) + "/.upload-" + id;
    server().require(RemoteCommand.of("Preparing the backup directory", "install -d -m 0700 "
        + io.potions.internal.shell.Shell.quote(BackupScripts.dir(app))));
    server().upload(dump, uploaded, 0600);
    ExecResult r = server().run(RemoteCommand.of("Adopting the imported dump", BackupScripts.adoptImport(app, id, uploaded)));
    if (!r.ok()) {
      throw new InvalidInputException("The uploaded file was refused: " + r.tail(5) + ". Nothing was changed.");
    }
    return get(id);
  }

  /** @return the app's databases: the one it uses and those earlier restores left behind */
  public List<AppDatabase> databases() {
    ExecResult r = server().require(RemoteCommand.of("Listing the databases of " + app,
        BackupScripts.helper("db-list", app)));
    List<AppDatabase> out = new ArrayList<>();
    for (String line : r.stdout()) {
      String[] f = line.trim().split(" ");
      if (f.length == 3) {
        out.add(new AppDatabase(f[0], Long.parseLong(f[1]), "current".equals(f[2])));
      }
    }
    return out;
  }

  /**
   * Drops a database the app no longer uses (a restore keeps the previous one until this).
   *
   * @param database its name, from {@link #databases()}
   */
  public void dropKeptDatabase(String database) {
    boolean kept = databases().stream().anyMatch(d -> d.name().equals(database) && !d.current());
    if (!kept) {
      throw new InvalidInputException("'" + database + "' is not a database app " + app + " keeps (see"
          + " app.backups().databases()); the database it uses cannot be dropped this way. Nothing was changed.");
    }
    server().require(RemoteCommand.of("Dropping database " + database, BackupScripts.helper("db-drop-kept", app, database)));
  }

  private boolean dropQuietly(String database) {
    try {
      ExecResult r = server().run(RemoteCommand.of("Dropping database " + database,
          BackupScripts.helper("db-drop-kept", app, database)));
      if (!r.ok()) {
        log.warn("[{}] could not drop {}: {}", ctx.serverName(), database, r.tail(3));
      }
      return r.ok();
    } catch (RuntimeException e) {
      log.warn("[{}] could not drop {}: {}", ctx.serverName(), database, e.getMessage());
      return false;
    }
  }

  /**
   * After an interrupted restore step: drops the half-made database over a new connection (DROP
   * ... WITH (FORCE) also ends a pg_restore the drop left running on the server).
   *
   * @return what became of it, for the message
   */
  private String abandon(String database) {
    return dropQuietly(database) ? "The new database " + database + " was dropped."
        : "The new database " + database + " could not be dropped now; it is not used: drop it with"
        + " app.backups().dropKeptDatabase(\"" + database + "\").";
  }

  private String baseDatabase() {
    return "app_" + app.replace('-', '_');
  }

  static String databaseUrl(String current, String database, String password) {
    if (current == null) {
      throw new BackupFailedException("The app's generated env has no DATABASE_URL; nothing was switched.");
    }
    URI u = URI.create(current);
    return "postgres://" + database + ":" + password + "@" + u.getHost() + ":" + u.getPort() + "/" + database;
  }

  private static String token(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One step's progress events, and its output lines as they come. */
  private final class Step implements OutputListener {
    private final String id;
    private final Instant start = clock.instant();

    Step(String id, String title) {
      this.id = id;
      ctx.listener().onEvent(new ProgressEvent.StepStarted(ctx.serverName(), id, title));
    }

    @Override
    public void onLine(Stream stream, String line) {
      line(line);
    }

    void line(String line) {
      ctx.listener().onEvent(new ProgressEvent.StepOutput(ctx.serverName(), id, line));
    }

    void finished() {
      ctx.listener().onEvent(new ProgressEvent.StepFinished(ctx.serverName(), id, true,
          Duration.between(start, clock.instant())));
    }

    void failed(String message) {
      ctx.listener().onEvent(new ProgressEvent.StepFailed(ctx.serverName(), id, message,
          Duration.between(start, clock.instant())));
    }
  }

  @Override
  public String toString() {
    return "Backups[" + app + " on " + ctx.serverName() + "]";
  }
}
