package io.potions.app;

import static io.potions.shell.Shell.quote;

import io.potions.provision.ServerLayout;
import io.potions.ssh.ExecResult;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Pure renderers of every script an app's lifecycle runs on the server, as the deploy user. Root
 * work goes through the validating helper ({@code sudo -n potions-admin ...}). Inputs are validated
 * names and ids, and are quoted anyway.
 */
public final class AppScripts {
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
   * Creates the app's layout, git repository, database and storage. Secrets arrive on stdin (the
   * database password on its first line) and in files uploaded to the 0700 secrets directory.
   *
   * @param app app name
   * @return the script
   */
  static String createLayout(String app) {
    String d = quote(dir(app));
    String slots = ServerLayout.SLOTS;
    return String.join("\n",
        "install -d -m 0755 " + d + " " + d + "/releases " + d + "/slots " + d + "/slots/blue "
            + d + "/slots/green " + d + "/deployments",
        "install -d -m 0700 " + d + "/secrets",
        "[ -d " + d + "/repo.git ] || git init -q --bare " + d + "/repo.git",
        "ln -sfn " + d + "/slots/blue " + quote(slots + "/" + app + "-blue"),
        "ln -sfn " + d + "/slots/green " + quote(slots + "/" + app + "-green"),
        helper("storage", app));
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
   * @param dropDatabase whether to drop the database too
   * @return the script removing the app from the server
   */
  static String delete(String app, boolean dropDatabase) {
    return helper("app-delete", app) + (dropDatabase ? "\n" + helper("db-drop", app) : "");
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
    String repo = quote(dir(app) + "/repo.git");
    String bundle = quote(dir(app) + "/incoming.bundle");
    return String.join("\n",
        "trap 'rm -f " + bundle.replace("'", "") + "' EXIT",
        "if ! git -C " + repo + " bundle verify " + bundle + " >/dev/null 2>&1; then",
        "  echo 'the server lacks commits this bundle builds on' >&2; exit " + MISSING_PREREQUISITES,
        "fi",
        "git -C " + repo + " fetch -q " + bundle + " +refs/potions/deploy:refs/potions/deploy",
        "git -C " + repo + " update-ref " + quote("refs/potions/deployed/" + sha) + " " + quote(sha));
  }

  /**
   * The build, on the server: check out the commit in a work tree whose {@code deps/} and
   * {@code _build/} persist between builds, fetch deps, compile, build assets when the project has
   * them, and assemble the release straight into its release directory. A build left running by a
   * dropped connection is stopped first, so two never share the work tree.
   *
   * @param app app name
   * @param sha commit
   * @param releaseId where the release goes
   * @param pathPrefix directories to put in front of PATH (pinned runtimes), or empty
   * @return the script
   */
  static String build(String app, String sha, String releaseId, String pathPrefix) {
    String d = dir(app);
    String release = d + "/releases/" + releaseId;
    return String.join("\n",
        "cd " + quote(d),
        "if [ -f build.pgid ] && kill -0 -- \"-$(cat build.pgid)\" 2>/dev/null; then",
        "  echo '==> stopping a build left over from an interrupted deploy'",
        "  kill -TERM -- \"-$(cat build.pgid)\" 2>/dev/null || true; sleep 2",
        "fi",
        "ps -o pgid= $$ | tr -d ' ' > build.pgid",
        "[ -d build/.git ] || git clone -q repo.git build",
        "cd build",
        "git fetch -q origin +refs/potions/deploy:refs/potions/deploy",
        "git checkout -q --force --detach " + quote(sha),
        "git clean -q -ffdx -e /deps -e /_build -e /assets/node_modules -e /node_modules",
        pathPrefix.isEmpty() ? "" : "export PATH=" + quote(pathPrefix) + ":\"$PATH\"",
        "export MIX_ENV=prod LANG=C.UTF-8 LC_ALL=C.UTF-8 ELIXIR_ERL_OPTIONS='+fnu'",
        "echo \"==> building $(git log -1 --format='%h %s')\"",
        // Hex is only needed when the project has Hex dependencies; a project with none must build offline.
        "if [ -f mix.lock ] && grep -q ':hex' mix.lock; then mix local.hex --force --if-missing; mix local.rebar --force --if-missing; fi",
        "echo '==> mix deps.get --only prod'",
        "mix deps.get --only prod",
        "echo '==> mix compile'",
        "mix compile",
        "if grep -q '\"assets.deploy\"' mix.exs; then echo '==> mix assets.deploy'; mix assets.deploy; fi",
        "echo '==> mix release'",
        "rm -rf " + quote(release),
        "mix release --overwrite --path " + quote(release),
        "ln -sfn " + quote(d + "/storage") + " " + quote(release + "/storage"),
        "name=$(find " + quote(release + "/bin") + " -maxdepth 1 -type f -perm -u+x ! -name '*.bat' -printf '%f\\n' | head -1)",
        "echo \"POTIONS_RELEASE_NAME=$name\"",
        "echo \"POTIONS_RELEASE_BYTES=$(du -sb " + quote(release) + " | cut -f1)\"",
        "rm -f ../build.pgid");
  }

  /**
   * @param app app name
   * @param releaseId release
   * @return a script removing a release directory (after a failed build)
   */
  static String removeRelease(String app, String releaseId) {
    return "rm -rf " + quote(dir(app) + "/releases/" + releaseId);
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
    return String.join("\n",
        "[ -x " + quote(target + "/bin") + " ] || { echo 'release " + releaseId + " is not on the server' >&2; exit 1; }",
        "ln -sfn " + quote(target) + " " + quote(link + ".new"),
        "mv -T " + quote(link + ".new") + " " + quote(link));
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
    String url = "http://127.0.0.1:" + port + check.path();
    double interval = check.interval().toMillis() / 1000.0;
    return String.join("\n",
        "deadline=$((SECONDS + " + Math.max(1, check.deadline().toSeconds()) + "))",
        "code=none",
        "while :; do",
        "  if ! " + helper("unit", "is-active", app, slot.id()) + " >/dev/null 2>&1; then",
        "    echo '" + HEALTH_MARKER + "crashed'; exit 2",
        "  fi",
        "  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H " + quote("Host: " + host)
            + " " + quote(url) + " || true)",
        "  if [ \"$code\" = " + quote(Integer.toString(check.expectedStatus())) + " ]; then break; fi",
        "  if [ $SECONDS -ge $deadline ]; then echo \"" + HEALTH_MARKER + "timeout last=$code\"; exit 3; fi",
        "  sleep " + String.format(java.util.Locale.ROOT, "%.2f", interval),
        "done",
        // Healthy once; now it must stay up and healthy for the settle time before traffic moves.
        "settled=$((SECONDS + " + (check.settle().toMillis() + 999) / 1000 + "))",
        "while [ $SECONDS -lt $settled ]; do",
        "  sleep " + String.format(java.util.Locale.ROOT, "%.2f", Math.min(interval, 0.5)),
        "  if ! " + helper("unit", "is-active", app, slot.id()) + " >/dev/null 2>&1; then",
        "    echo '" + HEALTH_MARKER + "crashed-after-healthy'; exit 2",
        "  fi",
        "  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H " + quote("Host: " + host)
            + " " + quote(url) + " || true)",
        "  if [ \"$code\" != " + quote(Integer.toString(check.expectedStatus())) + " ]; then echo \""
            + HEALTH_MARKER + "unstable last=$code\"; exit 3; fi",
        "done",
        "echo '" + HEALTH_MARKER + "ok'");
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
   * @param app app name
   * @return a script printing the app's current route ({@code APP_PORT SLOT_PORT}), or nothing
   */
  static String currentRoute(String app) {
    return "cat " + quote("/etc/potions/routes/" + app) + " 2>/dev/null || true";
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
    return String.join("\n",
        "end=$((SECONDS + " + deadline.toSeconds() + "))",
        "while :; do",
        "  n=$(ss -Htn state established '( sport = :" + port + " )' | wc -l)",
        "  if [ \"$n\" -eq 0 ] || [ $SECONDS -ge $end ]; then echo \"open=$n\"; exit 0; fi",
        "  sleep 0.2",
        "done");
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
    StringBuilder s = new StringBuilder("cd " + quote(dir(app) + "/releases"));
    for (String id : releaseIds) {
      s.append("\nrm -rf -- ").append(quote(id));
    }
    return s.toString();
  }

  /**
   * @param app app name
   * @return a script printing every deployment record of the app, one JSON document per line
   */
  static String listDeployments(String app) {
    return "for f in $(ls -1 " + quote(dir(app) + "/deployments") + " 2>/dev/null | sort); do tr -d '\\n' < "
        + quote(dir(app) + "/deployments") + "/\"$f\"; echo; done; true";
  }

  /**
   * @param paths files to print, each followed by a separator line
   * @return a script printing the files (missing ones as empty)
   */
  static String readFiles(List<String> paths) {
    StringBuilder s = new StringBuilder();
    for (String p : paths) {
      s.append("cat ").append(quote(p)).append(" 2>/dev/null || true; echo; echo '--potions-file--'\n");
    }
    return s.toString();
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
   * @param result the result of {@link #slotReleases}
   * @return each slot's release id
   */
  static java.util.Map<Slot, String> parseSlotReleases(ExecResult result) {
    java.util.Map<Slot, String> links = new java.util.EnumMap<>(Slot.class);
    for (String line : result.stdout()) {
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
}
