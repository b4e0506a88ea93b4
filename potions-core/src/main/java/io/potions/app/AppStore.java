package io.potions.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.potions.PotionsException;
import io.potions.internal.engine.EnvFile;
import io.potions.internal.shell.Shell;
import io.potions.internal.ssh.FileReads;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side truth about one app, read and written in one place: its manifest
 * ({@code app.json}), the releases it keeps ({@code state.json}), which slot is live (the route file
 * and the slots' release links), its deployment records, and its env files. The SDK keeps no state
 * of its own; {@link App} and the {@link DeployEngine} both go through this store.
 */
final class AppStore {
  private static final Logger log = LoggerFactory.getLogger(AppStore.class);
  /** The one JSON mapper for everything stored on the server. */
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final RemoteExecutor server;
  private final String app;
  private final String serverName;

  AppStore(RemoteExecutor server, String app, String serverName) {
    this.server = server;
    this.app = app;
    this.serverName = serverName;
  }

  String app() {
    return app;
  }

  private String path(String relative) {
    return AppScripts.dir(app) + "/" + relative;
  }

  // ---- manifest ------------------------------------------------------------------------------

  boolean exists() {
    return server.read(List.of(path("app.json"))).get(0).filter(s -> !s.isBlank()).isPresent();
  }

  /** @throws AppNotFoundException when the app has no manifest on the server */
  AppManifest manifest() {
    return parseManifest(server.read(List.of(path("app.json"))).get(0));
  }

  private AppManifest parseManifest(Optional<String> content) {
    String json = content.filter(s -> !s.isBlank())
        .orElseThrow(() -> new AppNotFoundException("App '" + app + "' does not exist on " + serverName
            + ". Create it with server.app(\"" + app + "\").create(settings)."));
    try {
      return JSON.readValue(json, AppManifest.class);
    } catch (IOException e) {
      throw new PotionsException("The manifest of app " + app + " on " + serverName + " is unreadable: "
          + e.getMessage(), e);
    }
  }

  /** The manifest and what is live, as a deploy reads them first. */
  record Snapshot(AppManifest manifest, LiveState live) {}

  /**
   * @return the manifest and the live state in two round trips (one read of the manifest, route and
   *     release list, one of the slots' links): every deploy and rollback begins here
   */
  Snapshot snapshot() {
    List<Optional<String>> files = server.read(snapshotFiles());
    AppManifest manifest = parseManifest(files.get(0));
    return new Snapshot(manifest, liveState(manifest, files.get(1), files.get(2), readSlotReleases()));
  }

  private List<String> snapshotFiles() {
    return List.of(path("app.json"), AppScripts.routeFile(app), path("state.json"));
  }

  /**
   * @param boundary a line no file holds (random per call)
   * @return a script printing what {@link #snapshot()} reads (manifest, route, release list, then the
   *     slots' links as a fourth part), so it can run in a command already under way: the deploy
   *     lock's. It prints one base64 line: that command's output passes through the secret redactor,
   *     and '*', its mark, is not in base64's alphabet, so a line it touched is detected, not misread.
   */
  String snapshotScript(String boundary) {
    return "{\n" + FileReads.script(snapshotFiles(), boundary) + "echo " + Shell.quote(boundary + "present") + "\n"
        + AppScripts.slotReleases(app) + "echo\n} | base64 -w 0\necho\n";
  }

  /**
   * @param printed the output of {@link #snapshotScript(String)}
   * @param boundary the boundary it was rendered with
   * @return the snapshot it describes; empty when there is no such output or the redactor touched it
   *     (read it again with {@link #snapshot()})
   */
  Optional<Snapshot> snapshot(List<String> printed, String boundary) {
    if (printed.size() != 1 || !printed.get(0).matches("[A-Za-z0-9+/=]+")) {
      return Optional.empty();
    }
    String text = new String(java.util.Base64.getDecoder().decode(printed.get(0)), StandardCharsets.UTF_8);
    List<Optional<String>> parts = FileReads.parse(text.lines().toList(), 4, boundary);
    AppManifest manifest = parseManifest(parts.get(0));
    Map<Slot, String> links = AppScripts.parseSlotReleases(parts.get(3).orElse("").lines().toList());
    return Optional.of(new Snapshot(manifest, liveState(manifest, parts.get(1), parts.get(2), links)));
  }

  /** @return a boundary for {@link #snapshotScript(String)} no file content can hold */
  static String newBoundary() {
    return "--potions-state-" + java.util.UUID.randomUUID() + "--";
  }

  void writeManifest(AppManifest manifest) {
    writeJson(path("app.json"), manifest, 0644);
  }

  /** @return every app's manifest on the server (unreadable ones are skipped with a warning) */
  static List<AppManifest> listManifests(RemoteExecutor server) {
    List<AppManifest> out = new ArrayList<>();
    for (String line : server.require(RemoteCommand.of("Listing apps", AppScripts.listManifests())).stdout()) {
      if (!line.isBlank()) {
        try {
          out.add(JSON.readValue(line, AppManifest.class));
        } catch (IOException e) {
          log.warn("skipping an unreadable app manifest: {}", e.toString());
        }
      }
    }
    return out;
  }

  // ---- live state ----------------------------------------------------------------------------

  /** What the server says is live, and which releases it keeps (newest first). */
  record LiveState(Optional<Slot> liveSlot, Optional<String> liveRelease, List<ReleaseRecord> releases) {
    /** @return the record of the live release, when one is live and kept */
    Optional<ReleaseRecord> liveRecord() {
      return liveRelease.flatMap(id -> releases.stream().filter(r -> r.id().equals(id)).findFirst());
    }

    /** @return the slot a new release goes to */
    Slot standby() {
      return liveSlot.map(Slot::other).orElse(Slot.BLUE);
    }
  }

  /**
   * Reads the route (which slot port the app's NAT rule points at), the kept releases and the
   * slots' release links. A route file that exists but cannot be read fails: guessing "nothing is
   * live" would start the new release in the slot that is serving.
   */
  LiveState liveState(AppManifest manifest) {
    List<Optional<String>> files = server.read(List.of(AppScripts.routeFile(app), path("state.json")));
    return liveState(manifest, files.get(0), files.get(1), readSlotReleases());
  }

  private Map<Slot, String> readSlotReleases() {
    return AppScripts.parseSlotReleases(
        server.require(RemoteCommand.of("Reading the slots", AppScripts.slotReleases(app))).stdout());
  }

  private LiveState liveState(AppManifest manifest, Optional<String> route, Optional<String> state,
      Map<Slot, String> links) {
    Optional<Slot> live = AppScripts.parseRoute(route.orElse(""))
        .flatMap(port -> port == manifest.slotPort(Slot.BLUE) ? Optional.of(Slot.BLUE)
            : port == manifest.slotPort(Slot.GREEN) ? Optional.of(Slot.GREEN) : Optional.empty());
    Optional<String> liveRelease = live.map(links::get).filter(id -> id != null && !id.isEmpty());
    return new LiveState(live, liveRelease, parseReleases(state.orElse("")));
  }

  private List<ReleaseRecord> parseReleases(String json) {
    List<ReleaseRecord> releases = new ArrayList<>();
    if (json.isBlank()) {
      return releases;
    }
    try {
      for (var r : JSON.readTree(json).path("releases")) {
        releases.add(JSON.treeToValue(r, ReleaseRecord.class));
      }
    } catch (IOException e) {
      log.warn("[{}] unreadable state.json of {}: {}", serverName, app, e.toString());
    }
    return releases;
  }

  /** Records which releases are kept, newest first. */
  void writeReleases(List<ReleaseRecord> releases) {
    writeJson(path("state.json"), Map.of("releases", releases), 0644);
  }

  // ---- deployments ---------------------------------------------------------------------------

  /** @return the app's deployment records, oldest first (unreadable ones skipped with a warning) */
  List<Deployment> deployments() {
    List<Deployment> out = new ArrayList<>();
    for (String line : server.require(RemoteCommand.of("Listing deployments", AppScripts.listDeployments(app)))
        .stdout()) {
      if (!line.isBlank()) {
        try {
          out.add(JSON.readValue(line, Deployment.class));
        } catch (IOException e) {
          log.warn("[{}] skipping an unreadable deployment record of {}: {}", serverName, app, e.toString());
        }
      }
    }
    return out;
  }

  /** Deployment records kept per app; older ones are removed when a new one is saved. */
  static final int DEPLOYMENTS_KEPT = 200;

  void saveDeployment(Deployment deployment) {
    writeJson(path("deployments/" + deployment.id() + ".json"), deployment, 0644);
    server.run(RemoteCommand.of("Pruning old deployment records", AppScripts.pruneDeployments(app, DEPLOYMENTS_KEPT)));
  }

  // ---- env files -----------------------------------------------------------------------------

  /** @return the generated variables (DATABASE_URL, SECRET_KEY_BASE...) and the user's, in that order */
  List<Map<String, String>> envFiles() {
    List<Optional<String>> files = server.read(List.of(path("secrets/generated.env"), path("secrets/env")));
    return List.of(EnvFile.parse(files.get(0).orElse("")), EnvFile.parse(files.get(1).orElse("")));
  }

  Map<String, String> userEnv() {
    return EnvFile.parse(server.read(List.of(path("secrets/env"))).get(0).orElse(""));
  }

  void writeUserEnv(Map<String, String> vars) {
    server.upload(EnvFile.render(vars).getBytes(StandardCharsets.UTF_8), path("secrets/env"), 0600);
  }

  void writeGeneratedEnv(Map<String, String> vars) {
    server.upload(EnvFile.render(vars).getBytes(StandardCharsets.UTF_8), path("secrets/generated.env"), 0600);
  }

  private void writeJson(String remotePath, Object value, int mode) {
    try {
      server.upload(JSON.writeValueAsBytes(value), remotePath, mode);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
