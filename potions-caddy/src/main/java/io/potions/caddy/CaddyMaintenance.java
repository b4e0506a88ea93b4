package io.potions.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.Shell;
import io.potions.spi.MaintenancePage;
import java.util.Iterator;

/**
 * Maintenance mode without touching Caddy's config: every app route starts with a sub-route that
 * matches only while the app's maintenance switch exists on disk (Caddy's {@code file} matcher looks
 * on each request) and answers 503 with the app's page. Turning maintenance on or off is creating or
 * removing that file, so no config reload closes anyone's keep-alive connection, and changing the app's
 * domains keeps it.
 *
 * <p>The page file is read through Caddy's {@code templates} handler, with delimiters that cannot
 * occur in an escaped page ({@code <} is always escaped), so the file also carries its own
 * {@code Retry-After} and nothing a visitor-facing message says is ever run as a template.
 */
final class CaddyMaintenance {
  /** Where the pages live: the deploy user's (it writes them), world-readable (Caddy serves them). */
  static final String ROOT = ServerLayout.ROOT + "/.maintenance";
  static final String PAGE = "page.html";
  /**
   * The switch: maintenance is on while this file exists. The page is a file of its own that is
   * only ever replaced whole, never removed while the app lives, so a request that saw the switch
   * always finds a page to include (removing the page itself when turning off raced with requests
   * between the match and the include: a 500).
   */
  static final String SWITCH = "on";
  static final String OPEN = "<!--potions:";
  static final String CLOSE = ":potions-->";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CaddyMaintenance() {}

  /**
   * @param app the app name
   * @return the directory holding the app's page while it is in maintenance
   */
  static String dir(String app) {
    return ROOT + "/" + app;
  }

  /**
   * @param app the app name
   * @return the sub-route placed first in the app's route: 503 with the page, only while it exists
   */
  static ObjectNode render(String app) {
    ObjectNode node = JSON.createObjectNode();
    ObjectNode file = node.putArray("match").addObject().putObject("file");
    file.put("root", dir(app));
    file.putArray("try_files").add("/" + SWITCH);
    ArrayNode handle = node.putArray("handle");
    ObjectNode templates = handle.addObject();
    templates.put("handler", "templates");
    templates.put("file_root", dir(app));
    templates.putArray("delimiters").add(OPEN).add(CLOSE);
    ObjectNode respond = handle.addObject();
    respond.put("handler", "static_response");
    respond.put("status_code", 503);
    ObjectNode headers = respond.putObject("headers");
    headers.putArray("Content-Type").add("text/html; charset=utf-8");
    headers.putArray("Cache-Control").add("no-store");
    // Rendered by the templates handler above: the page, with the Retry-After it sets.
    respond.put("body", OPEN + "include \"/" + PAGE + "\"" + CLOSE);
    node.put("terminal", true);
    return node;
  }

  /**
   * @param page the page
   * @return the file Caddy serves: an instruction setting {@code Retry-After}, then the page
   * @throws IllegalArgumentException when the page holds the template delimiter (it is not escaped)
   */
  static String pageFile(MaintenancePage page) {
    if (page.html().contains(OPEN)) {
      throw new IllegalArgumentException("The maintenance page holds '" + OPEN + "': escape '<' in its text.");
    }
    return OPEN + ".RespHeader.Set \"Retry-After\" \"" + page.retryAfterSeconds() + "\"" + CLOSE + page.html();
  }

  /**
   * @param app the app name
   * @return a script writing the page from stdin so that it appears whole, then turning the switch on
   */
  static String onScript(String app) {
    return CaddyFiles.writePublicFile(dir(app), dir(app) + "/" + PAGE) + "\ntouch " + Shell.quote(dir(app) + "/" + SWITCH);
  }

  /**
   * @param app the app name
   * @return a script turning the switch off (the page stays, for requests that already saw the switch)
   */
  static String offScript(String app) {
    return "rm -f " + Shell.quote(dir(app) + "/" + SWITCH);
  }

  /**
   * @param app the app name
   * @return a script removing the app's maintenance directory (the app is deleted)
   */
  static String removeScript(String app) {
    return "rm -rf " + Shell.quote(dir(app));
  }

  /**
   * The maintenance route the SDK placed in front of an app's route before maintenance was a file
   * (a config change each time); removed when the app's route is next written.
   *
   * @param server the current server object
   * @param app the app name
   * @return a copy without that route
   */
  static ObjectNode withoutLegacyRoute(JsonNode server, String app) {
    ObjectNode copy = server.deepCopy();
    JsonNode routes = copy.path("routes");
    if (routes.isArray()) {
      for (Iterator<JsonNode> it = routes.elements(); it.hasNext(); ) {
        if (("potions-maintenance-" + app).equals(it.next().path("@id").asText())) {
          it.remove();
        }
      }
    }
    return copy;
  }
}
