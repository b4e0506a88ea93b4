package io.potions.caddy;

import static io.potions.caddy.CaddyFiles.ADMIN_LISTEN;
import static io.potions.caddy.CaddyFiles.BASE_CONFIG_PATH;
import static io.potions.caddy.CaddyFiles.SERVER_NAME;
import static io.potions.caddy.CaddyFiles.SERVICE_DROP_IN;
import static io.potions.internal.shell.Shell.fileMatches;
import static io.potions.internal.shell.Shell.quote;
import static io.potions.internal.shell.Shell.writeFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.PotionsException;
import io.potions.app.domain.AcmeSettings;
import io.potions.internal.provision.BootstrapPlan;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import io.potions.spi.AppRoute;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import io.potions.spi.MaintenancePage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Caddy as the reverse proxy: automatic HTTPS, configured only through its admin API on the
 * server's loopback, with every change persisted so it survives restarts.
 */
public final class CaddyProxy implements ReverseProxy {
  private static final String ADMIN_URL = "http://" + ADMIN_LISTEN;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AcmeSettings acme;

  /** Caddy obtaining certificates from Let's Encrypt's production directory. */
  public CaddyProxy() {
    this(AcmeSettings.letsEncrypt());
  }

  /**
   * @param acme where Caddy obtains the certificates of HTTPS apps
   */
  public CaddyProxy(AcmeSettings acme) {
    this.acme = java.util.Objects.requireNonNull(acme, "acme");
  }

  @Override
  public ReverseProxy withAcme(AcmeSettings settings) {
    return new CaddyProxy(settings);
  }

  /** @return where this proxy obtains certificates */
  public AcmeSettings acme() {
    return acme;
  }

  @Override
  public String name() {
    return "caddy";
  }

  @Override
  public List<BootstrapStep> bootstrapSteps(Distribution distribution) {
    return List.of(
        BootstrapPlan.aptPackages("caddy-package", "Install Caddy", List.of("caddy")),
        service());
  }

  private static BootstrapStep service() {
    String base = CaddyFiles.baseConfig();
    String dropIn = CaddyFiles.serviceDropIn();
    String hasServer = "curl -fsS --max-time 5 " + ADMIN_URL + "/config/apps/http/servers/" + SERVER_NAME
        + "/listen 2>/dev/null | grep -F ':443' >/dev/null";
    String check = String.join(" && ",
        fileMatches(BASE_CONFIG_PATH, base, "0644", "root:root"),
        fileMatches(SERVICE_DROP_IN, dropIn, "0644", "root:root"),
        "systemctl is-enabled --quiet caddy",
        "systemctl is-active --quiet caddy",
        hasServer);
    String apply = CaddyFiles.template("caddy-service.sh")
        .quoted("DROP_IN_DIR", SERVICE_DROP_IN.substring(0, SERVICE_DROP_IN.lastIndexOf('/')))
        .raw("WRITE_BASE_CONFIG", writeFile(BASE_CONFIG_PATH, base, "0644", "root:root"))
        .raw("WRITE_DROP_IN", writeFile(SERVICE_DROP_IN, dropIn, "0644", "root:root"))
        .raw("ADMIN_URL", ADMIN_URL)
        .raw("HAS_SERVER", hasServer)
        // curl's "@file" form: the request body is the base config file.
        .raw("BASE_CONFIG_UPLOAD", "@" + BASE_CONFIG_PATH)
        .render();
    return new BootstrapStep("caddy", "Caddy: admin API on " + ADMIN_LISTEN
        + " only, config persisted across restarts", check, apply);
  }

  @Override
  public String versionCommand() {
    return "caddy version | cut -d' ' -f1";
  }

  @Override
  public void applyRoute(AppRoute route, RemoteExecutor server) {
    if (route.https()) {
      // The issuer before the route: the route's hosts make Caddy ask for certificates at once.
      applyAcme(server);
    }
    // The app's access log first: the route then sends its hosts to a logger that exists.
    updateLogging(server, "give app " + route.app() + " its access log",
        logging -> CaddyAccessLogs.withLogger(logging, route.app()));
    update(server, "route " + route.domains() + " to app " + route.app(),
        config -> CaddyAccessLogs.withHosts(CaddyRoutes.withRoute(config, route), route.app(), route.domains()));
  }

  private void applyAcme(RemoteExecutor server) {
    acme.directoryRootPem().ifPresent(pem -> server.require(RemoteCommand.of(
        "Writing the ACME directory's root for Caddy", CaddyTls.writeRootScript()).stdin(pem.getBytes(
            java.nio.charset.StandardCharsets.UTF_8))));
    String current = server.require(RemoteCommand.of("Reading Caddy's TLS config", CaddyTls.readScript())).out();
    JsonNode tls;
    try {
      tls = JSON.readTree(current.isBlank() ? "null" : current);
    } catch (IOException e) {
      throw new PotionsException("Caddy answered with unreadable JSON for its TLS config: " + e.getMessage(), e);
    }
    if (CaddyTls.isCurrent(tls, acme)) {
      return;
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(CaddyTls.withAcme(tls, acme));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String what = "obtain certificates from " + acme.directory();
    String status = server.require(RemoteCommand.of("Caddy: " + what, CaddyTls.writeScript()).stdin(body)).out().trim();
    if (!status.endsWith("200")) {
      throw new PotionsException("Caddy refused to " + what + ": " + status
          + ". Check 'journalctl -u caddy' on the server.");
    }
  }

  /**
   * The top-level logging config, edited like the server object: read, edit, write back (POST sets
   * the object whether or not it existed).
   */
  private static void updateLogging(RemoteExecutor server, String what, UnaryOperator<JsonNode> edit) {
    String read = "curl -fsS --max-time 10 " + ADMIN_URL + "/config/logging";
    String current = server.require(RemoteCommand.of("Reading Caddy's logging config", read)).out();
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(edit.apply(JSON.readTree(current.isBlank() ? "null" : current)));
    } catch (IOException e) {
      throw new PotionsException("Caddy answered with unreadable JSON while trying to " + what + ": "
          + e.getMessage(), e);
    }
    String write = writeLoggingScript();
    String status = server.require(RemoteCommand.of("Caddy: " + what, write).stdin(body)).out().trim();
    if (!status.endsWith("200")) {
      throw new PotionsException("Caddy refused to " + what + ": " + status
          + ". Check 'journalctl -u caddy' on the server.");
    }
  }

  @Override
  public void removeRoute(String app, RemoteExecutor server) {
    update(server, "remove the route of app " + app,
        config -> CaddyMaintenance.withoutLegacyRoute(
            CaddyAccessLogs.withoutHosts(CaddyRoutes.withoutRoute(config, app), app), app));
    server.require(RemoteCommand.of("Removing the maintenance page of app " + app, CaddyMaintenance.removeScript(app)));
    updateLogging(server, "remove the access log of app " + app, logging -> CaddyAccessLogs.withoutLogger(logging, app));
  }

  @Override
  public void applyMaintenance(AppRoute route, Optional<MaintenancePage> page, RemoteExecutor server) {
    // Maintenance is a file the app's route looks for, never a config change. A route written by an
    // older version lacks that switch (and may have a maintenance route of its own in front): it is
    // rewritten once, after the page is in place when turning on; otherwise the edit is a no-op.
    if (page.isPresent()) {
      server.require(RemoteCommand.of("Putting app " + route.app() + " in maintenance",
          CaddyMaintenance.onScript(route.app())).stdin(CaddyMaintenance.pageFile(page.get())
              .getBytes(StandardCharsets.UTF_8)));
    }
    update(server, "give app " + route.app() + " its maintenance switch",
        config -> CaddyMaintenance.withoutLegacyRoute(CaddyRoutes.withRoute(config, route), route.app()));
    if (page.isEmpty()) {
      server.require(RemoteCommand.of("Ending maintenance of app " + route.app(),
          CaddyMaintenance.offScript(route.app())));
    }
  }

  /**
   * Read, edit, write back with the ETag as precondition, so a concurrent change made by someone
   * else is never overwritten: a 412 re-reads and re-applies the edit.
   */
  private static void update(RemoteExecutor server, String what, UnaryOperator<JsonNode> edit) {
    for (int attempt = 1; ; attempt++) {
      String response = server.require(RemoteCommand.of("Reading Caddy's config", readServerScript())).out();
      int split = response.indexOf("\n\n");
      String etag = etag(response.substring(0, Math.max(split, 0)));
      JsonNode current;
      try {
        current = JSON.readTree(response.substring(split + 2));
      } catch (IOException e) {
        throw new PotionsException("Caddy answered with unreadable JSON while trying to " + what + ": "
            + e.getMessage(), e);
      }
      JsonNode edited = edit.apply(current);
      if (edited.equals(current)) {
        // Nothing to change: no write, so no reload closing idle client connections.
        return;
      }
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(edited);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      String status = server.require(RemoteCommand.of("Caddy: " + what, writeServerScript(etag)).stdin(body)).out().trim();
      if (status.endsWith("200")) {
        return;
      }
      if (!status.endsWith("412") || attempt >= 5) {
        throw new PotionsException("Caddy refused to " + what + ": " + status
            + ". Check 'journalctl -u caddy' on the server.");
      }
    }
  }

  /** @return a script POSTing the logging object from stdin (POST sets it whether or not it existed) */
  static String writeLoggingScript() {
    return CaddyFiles.template("write-logging.sh").raw("URL", ADMIN_URL + "/config/logging").render();
  }

  /** @return a script printing the potions server's headers (CRLF normalised), a blank line, its JSON */
  static String readServerScript() {
    return "curl -fsS --max-time 10 -D - " + ADMIN_URL + "/config/apps/http/servers/" + SERVER_NAME
        + " | tr -d '\\r'";
  }

  /**
   * @param etag the ETag of the config the edit was made on
   * @return a script that PATCHes the server object from stdin and prints the body and status code
   */
  static String writeServerScript(String etag) {
    return CaddyFiles.template("write-server.sh")
        .raw("IF_MATCH", etag == null ? "" : " -H " + quote("If-Match: " + etag))
        .raw("SERVER_URL", ADMIN_URL + "/config/apps/http/servers/" + SERVER_NAME)
        .render();
  }

  private static String etag(String headers) {
    for (String line : headers.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("etag")) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }
}
