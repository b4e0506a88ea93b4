package io.potions.app;

import static io.potions.internal.shell.Shell.quote;

import io.potions.internal.Names;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.ssh.ExecResult;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Pure renderers of every script an app's lifecycle runs on the server, as the deploy user. Root
 * work goes through the validating helper ({@code sudo -n potions-admin ...}). Inputs are validated
 * names and ids, and are quoted anyway. The multi-line scripts are templates under
 * {@code src/main/resources/io/potions/scripts/app/}.
 */
final class AppScripts {
  /** Marker the health check prints on its last line. */
  static final String HEALTH_MARKER = "POTIONS_HEALTH=";
  /** Exit status of the bundle fetch when the server lacks the bundle's prerequisite commits. */
  static final int MISSING_PREREQUISITES = 3;

  private AppScripts() {}

  /**
   * @param app app name
   * @return {@code /opt/potions/<app>}
   */
  public static String dir(String app) {
    return ServerLayout.ROOT + "/" + Names.app(app);
  }

  static String helper(String... args) {
    StringBuilder s = new StringBuilder("sudo -n " + ServerLayout.ADMIN_HELPER);
    for (String a : args) {
      s.append(' ').append(quote(a));
    }
    return s.toString();
  }

  /** @return a script printing every app's manifest, one JSON document per line */
  static String listManifests() {
    return "for f in " + ServerLayout.ROOT + "/*/app.json; do [ -f \"$f\" ] && { tr -d '\\n' < \"$f\"; echo; }; done; true";
  }

  /**
   * Creates the app's layout and git repository, and (through the helper) its own OS user, its
   * storage and its slots' drop-ins with the settings' resource limits. Secrets arrive later, in
   * files uploaded to the 0700 secrets directory.
   *
   * @param app app name
   * @param settings the app's settings (resource limits)
   * @return the script
   */
  static String createLayout(String app, AppSettings settings) {
    return template("create-layout.sh")
        .quoted("DIR", dir(app))
        .quoted("BLUE_LINK", ServerLayout.SLOTS + "/" + app + "-blue")
        .quoted("GREEN_LINK", ServerLayout.SLOTS + "/" + app + "-green")
        .raw("CREATE_STORAGE", helper("app-init", app, Integer.toString(settings.memoryMaxMib()),
            Integer.toString(settings.cpuQuotaPercent()), Integer.toString(settings.tasksMax())))
        .render()
        // The app's build user and its build area, owned by that user, under a root-owned parent.
        + "\n" + helper("build-user", app);
  }

  /**
   * @param app app name
   * @return the script creating the app's database role and database (password on stdin)
   */
  static String createDatabase(String app) {
    return helper("db-create", app);
  }

  /**
   * @param app app name
   * @return a script exiting 0 when the app's database exists (kept by an earlier delete)
   */
  static String databaseExists(String app) {
    return helper("db-exists", app);
  }

  /**
   * @param app app name
   * @param slot the slot that no longer serves
   * @return keeps the slot from starting at boot
   */
  static String disableSlot(String app, Slot slot) {
    return helper("unit", "disable", app, slot.id());
  }

  /**
   * Keeps the newest deployment records (their names start with a UTC timestamp), so a
   * crash-looping auto-deploy cannot fill the disk with history.
   *
   * @param app app name
   * @param keep how many to keep
   * @return the script
   */
  static String pruneDeployments(String app, int keep) {
    return "cd " + quote(dir(app) + "/deployments") + " || exit 0\n"
        + "find . -maxdepth 1 -type f -name '*.json' -printf '%f\\n' | sort | head -n -" + keep
        + " | while IFS= read -r f; do rm -f -- \"$f\"; done";
  }

  /**
   * @param app app name
   * @param dropDatabase whether to drop the database too
   * @return the script removing the app from the server
   */
  static String delete(String app, boolean dropDatabase) {
    // The backup timer goes first (best effort: a server provisioned before backups has none).
    return helper("backup-unschedule", app) + " 2>/dev/null || true\n"
        + helper("build-user-delete", app) + "\n" + helper("app-delete", app) + (dropDatabase ? "\n" + helper("db-drop", app) : "");
  }

  /**
   * @param app app name
   * @return a script printing the commits the server's repository holds for this app
   */
  static String knownCommits(String app) {
    return "git -C " + quote(dir(app) + "/repo.git") + " for-each-ref --format='%(objectname)' refs/potions/ 2>/dev/null || true";
  }

  /**
   * @param app app name
   * @param sha the commit the bundle carries
   * @return a script that fetches the uploaded bundle into the app's repository
   */
  static String fetchBundle(String app, String sha) {
    String bundle = dir(app) + "/incoming.bundle";
    return template("fetch-bundle.sh")
        // Inside the trap's single quotes: app names and the layout hold no quote (validated names).
        .raw("BUNDLE_PATH", quote(bundle).replace("'", ""))
        .quoted("REPO", dir(app) + "/repo.git")
        .quoted("BUNDLE", bundle)
        .raw("MISSING_PREREQUISITES", Integer.toString(MISSING_PREREQUISITES))
        .quoted("DEPLOYED_REF", "refs/potions/deployed/" + sha)
        .quoted("SHA", sha)
        .render();
  }

  /**
   * The build, on the server: the root helper runs it as the app's build user ({@code pb-<app>}) in
   * a sandbox that may write only to the app's build area, where the work tree's {@code deps/} and
   * {@code _build/} persist between builds; it fetches deps, compiles, builds assets when the
   * project has them and assembles the release into the build area. The deploy user then links
   * {@code releases/<releaseId>} to it. The helper stops a build left running by a dropped
   * connection first, so two never share the work tree, and stops the whole build at the limit.
   *
   * @param app app name
   * @param sha commit
   * @param releaseId where the release goes
   * @param pathPrefix directories to put in front of PATH (pinned runtimes), or empty
   * @param limit the build's time limit
   * @return the script
   */
  static String build(String app, String sha, String releaseId, String pathPrefix, Duration limit) {
    return build(app, sha, releaseId, pathPrefix, limit, io.potions.spi.BuildLimits.DEFAULTS);
  }

  /**
   * The build, as {@link #build(String, String, String, String, Duration)}, within resource limits:
   * its unit gets a memory ceiling (0 to the helper: half of the server's memory) and a CPU weight.
   *
   * @param app app name
   * @param sha commit
   * @param releaseId where the release goes
   * @param pathPrefix directories to put in front of PATH (pinned runtimes), or empty
   * @param limit the build's time limit
   * @param limits the build's memory ceiling and CPU weight
   * @return the script
   */
  static String build(String app, String sha, String releaseId, String pathPrefix, Duration limit,
      io.potions.spi.BuildLimits limits) {
    List<String> args = new java.util.ArrayList<>(List.of("build", app, releaseId, sha,
        Long.toString(Math.max(1, limit.toSeconds())), Integer.toString(limits.memoryMaxMib().orElse(0)),
        Integer.toString(limits.cpuWeight())));
    if (!pathPrefix.isEmpty()) {
      args.add(pathPrefix);
    }
    String built = quote(buildArea(app) + "/releases/" + releaseId);
    // A build stopped on the server (a cancelled deploy) ends its unit by SIGTERM, which systemd
    // counts as a clean exit: only a release that is really there gets linked.
    return helper(args.toArray(String[]::new)) + "\n"
        + "[ -d " + built + " ] || { echo 'the build was stopped before it made a release' >&2; exit 1; }\n"
        + "ln -sfn " + built + " " + quote(dir(app) + "/releases/" + releaseId);
  }

  /**
   * @param app app name
   * @return the app's build area, owned by its build user
   */
  static String buildArea(String app) {
    return ServerLayout.BUILDS + "/" + Names.app(app);
  }

  /**
   * @param app app name
   * @param releaseId release
   * @return a script removing a release (after a failed build): its link and what the build made
   */
  static String removeRelease(String app, String releaseId) {
    return "rm -rf " + quote(dir(app) + "/releases/" + releaseId) + "\n" + helper("build-release-delete", app, releaseId);
  }

  /**
   * Points the slot at the release (atomically, by renaming a new symlink over the old one).
   *
   * @param app app name
   * @param slot slot
   * @param releaseId release
   * @return the script
   */
  static String pointSlot(String app, Slot slot, String releaseId) {
    String link = dir(app) + "/slots/" + slot.id() + "/release";
    String target = dir(app) + "/releases/" + releaseId;
    return template("point-slot.sh")
        .quoted("RELEASE_BIN", target + "/bin")
        // Inside single quotes: release ids are validated ([A-Za-z0-9._-]).
        .raw("RELEASE_ID", releaseId)
        .quoted("RELEASE", target)
        .quoted("NEW_LINK", link + ".new")
        .quoted("LINK", link)
        .render();
  }

  /**
   * @param app app name
   * @param slot slot
   * @return the script installing the slot's env file from stdin through the helper
   */
  static String installEnv(String app, Slot slot) {
    return helper("env", app, slot.id());
  }

  /**
   * @param app app name
   * @param slot slot
   * @param expression the Elixir expression
   * @return the script running the migration in the slot's release and environment
   */
  static String migrate(String app, Slot slot, String expression) {
    return helper("migrate", app, slot.id(), expression);
  }

  /**
   * @param app app name
   * @param slot slot
   * @return the script (re)starting a slot
   */
  static String startSlot(String app, Slot slot) {
    return helper("unit", "reset-failed", app, slot.id()) + " 2>/dev/null || true\n"
        + helper("unit", "restart", app, slot.id());
  }

  /**
   * @param app app name
   * @param slot slot
   * @return the script stopping a slot (and keeping it from starting at boot)
   */
  static String stopSlot(String app, Slot slot) {
    return helper("unit", "disable", app, slot.id()) + " 2>/dev/null || true\n"
        + helper("unit", "stop", app, slot.id());
  }

  /**
   * Polls the slot's health URL from the server until it answers the expected status, the slot's
   * unit stops being active (a crash), or the deadline passes. Last line: {@code POTIONS_HEALTH=...}.
   *
   * @param app app name
   * @param slot slot
   * @param port slot port
   * @param check the health check
   * @param host Host header
   * @return the script
   */
  static String healthCheck(String app, Slot slot, int port, HealthCheck check, String host) {
    double interval = check.interval().toMillis() / 1000.0;
    return template("health-check.sh")
        .raw("DEADLINE_SECONDS", Long.toString(Math.max(1, check.deadline().toSeconds())))
        .raw("IS_ACTIVE", helper("unit", "is-active", app, slot.id()))
        .raw("MARKER", HEALTH_MARKER)
        .quoted("HOST_HEADER", "Host: " + host)
        .quoted("URL", "http://127.0.0.1:" + port + check.path())
        .quoted("EXPECTED_STATUS", Integer.toString(check.expectedStatus()))
        .raw("INTERVAL", String.format(Locale.ROOT, "%.2f", interval))
        .raw("SETTLE_SECONDS", Long.toString((check.settle().toMillis() + 999) / 1000))
        .raw("SETTLE_INTERVAL", String.format(Locale.ROOT, "%.2f", Math.min(interval, 0.5)))
        .render();
  }

  /**
   * @param app app name
   * @param slot slot, or null for both
   * @param lines how many lines
   * @return the script printing the last journal lines of the app's slot(s)
   */
  static String logs(String app, Slot slot, int lines) {
    return helper("logs", app, slot == null ? "all" : slot.id(), Integer.toString(lines));
  }

  /**
   * @param app app name
   * @param appPort the app's stable port
   * @param slotPort the new live slot's port
   * @return the script flipping the app's NAT rule to the slot
   */
  static String route(String app, int appPort, int slotPort) {
    return helper("route", app, Integer.toString(appPort), Integer.toString(slotPort));
  }

  /**
   * Waits until no connection to the old slot is established (in-flight requests finished), or the
   * deadline passes.
   *
   * @param port the old slot's port
   * @param deadline how long to wait at most
   * @return the script; prints how many connections were still open at the end
   */
  static String drain(int port, Duration deadline) {
    return template("drain.sh")
        .raw("DEADLINE_SECONDS", Long.toString(deadline.toSeconds()))
        .raw("PORT", Integer.toString(port))
        .render();
  }

  /**
   * @param app app name
   * @param slot the new live slot
   * @return enables the new live slot at boot
   */
  static String enableSlot(String app, Slot slot) {
    return helper("unit", "enable", app, slot.id());
  }

  /**
   * @param app app name
   * @param releaseIds releases to delete
   * @return the script deleting releases no longer kept
   */
  static String pruneReleases(String app, Collection<String> releaseIds) {
    if (releaseIds.isEmpty()) {
      return "true";
    }
    StringBuilder s = new StringBuilder("cd " + quote(dir(app) + "/releases") + " || exit");
    for (String id : releaseIds) {
      s.append("\nrm -rf -- ").append(quote(id));
    }
    // The links are gone; the releases themselves belong to the build user.
    List<String> args = new java.util.ArrayList<>(List.of("build-release-delete", app));
    args.addAll(releaseIds);
    return s.append('\n').append(helper(args.toArray(String[]::new))).toString();
  }

  /**
   * @param app app name
   * @return a script printing every deployment record of the app, one JSON document per line
   */
  static String listDeployments(String app) {
    return "for f in $(ls -1 " + quote(dir(app) + "/deployments") + " 2>/dev/null | sort); do tr -d '\\n' < "
        + quote(dir(app) + "/deployments") + "/\"$f\"; echo; done; true";
  }

  // ---- scripts whose output the SDK reads, with their parsers --------------------------------

  /**
   * @param app app name
   * @return the file the root helper writes when it flips the app's route ({@code APP_PORT SLOT_PORT})
   */
  static String routeFile(String app) {
    return "/etc/potions/routes/" + Names.app(app);
  }

  /**
   * @param content the route file's content
   * @return the slot port the app's route points at, when the file names one
   */
  static java.util.Optional<Integer> parseRoute(String content) {
    String[] route = content.trim().split("\\s+");
    return route.length == 2 && route[1].matches("\\d{1,5}") ? java.util.Optional.of(Integer.parseInt(route[1]))
        : java.util.Optional.empty();
  }

  /**
   * @param app app name
   * @return a script printing {@code <slot> <release id>} for each slot whose release link is set
   */
  static String slotReleases(String app) {
    StringBuilder s = new StringBuilder();
    for (Slot slot : Slot.values()) {
      s.append("if l=$(readlink ").append(quote(dir(app) + "/slots/" + slot.id() + "/release"))
          .append("); then echo ").append(slot.id()).append(" \"${l##*/}\"; fi\n");
    }
    return s.toString();
  }

  /**
   * @param output the output of {@link #slotReleases}
   * @return each slot's release id
   */
  static java.util.Map<Slot, String> parseSlotReleases(List<String> output) {
    java.util.Map<Slot, String> links = new java.util.EnumMap<>(Slot.class);
    for (String line : output) {
      String[] parts = line.trim().split(" ", 2);
      if (parts.length == 2 && (parts[0].equals("blue") || parts[0].equals("green"))) {
        links.put(Slot.of(parts[0]), parts[1].trim());
      }
    }
    return links;
  }

  /**
   * @param result the result of {@link #drain}
   * @return how many connections were still open when the drain ended (0: fully drained)
   */
  static int parseDrain(ExecResult result) {
    return result.marker("open").filter(v -> v.matches("\\d+")).map(Integer::parseInt).orElse(-1);
  }

  /** What a build printed about its release. */
  record BuildOutput(java.util.Optional<String> releaseName, long releaseBytes) {
    /**
     * @param result the result of {@link #build}
     * @return the release's name (empty when mix made no release) and size
     */
    static BuildOutput parse(ExecResult result) {
      return new BuildOutput(result.marker("POTIONS_RELEASE_NAME").filter(n -> !n.isEmpty()),
          result.marker("POTIONS_RELEASE_BYTES").filter(v -> v.matches("\\d+")).map(Long::parseLong).orElse(0L));
    }

    /**
     * @param result the result of a failed {@link #build}
     * @return the memory ceiling in MiB when the build was stopped by it (the kernel killed a process
     *     of the build at its ceiling); empty otherwise
     */
    static java.util.Optional<String> outOfMemory(ExecResult result) {
      return result.marker("POTIONS_BUILD_OUT_OF_MEMORY");
    }
  }

  /** The health check's verdict. */
  enum HealthVerdict {
    /** Answered as expected for the whole settle time. */
    HEALTHY,
    /** The process exited before it answered. */
    CRASHED_ON_START,
    /** It answered, then exited within the settle time. */
    CRASHED_AFTER_HEALTHY,
    /** It never answered as expected before the deadline (or was unstable). */
    UNHEALTHY;

    /**
     * @param result the result of {@link #healthCheck}
     * @return the verdict, with the detail the script printed
     */
    static java.util.Map.Entry<HealthVerdict, String> parse(ExecResult result) {
      String detail = result.marker("POTIONS_HEALTH").orElse("no verdict (exit " + result.exitStatus() + ")");
      HealthVerdict verdict = result.ok() ? HEALTHY
          : detail.startsWith("crashed-after-healthy") ? CRASHED_AFTER_HEALTHY
          : detail.startsWith("crashed") ? CRASHED_ON_START : UNHEALTHY;
      return java.util.Map.entry(verdict, detail);
    }
  }

  private static ScriptTemplate template(String name) {
    return ScriptTemplate.load(AppScripts.class, "/io/potions/scripts/app/" + name);
  }
}
