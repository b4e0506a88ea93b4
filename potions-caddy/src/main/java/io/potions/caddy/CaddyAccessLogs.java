package io.potions.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Pure edits that give each app its own JSON access log (the deploy counts the requests of its
 * switch window in it): the server maps the app's hosts to the app's logger, and a logger of the
 * top-level {@code logging} config writes that logger's entries to the app's file. Access entries are
 * kept out of the default log (the journal).
 */
final class CaddyAccessLogs {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The file Caddy writes an app's access log to; potions-admin reads it from the same place. */
  static final String DIR = "/var/log/caddy";

  private CaddyAccessLogs() {}

  /**
   * @param app app name
   * @return the app's logger name
   */
  static String logger(String app) {
    return "potions_" + app.replace('-', '_');
  }

  /**
   * @param app app name
   * @return the app's access log file
   */
  static String file(String app) {
    return DIR + "/potions-" + app + ".access.log";
  }

  /**
   * @param server the potions server object
   * @param app app name
   * @param domains the app's domains
   * @return a copy whose access logs send the app's hosts to the app's logger (and no other host anywhere)
   */
  static ObjectNode withHosts(JsonNode server, String app, List<String> domains) {
    ObjectNode copy = withoutHosts(server, app);
    ObjectNode logs = copy.path("logs").isObject() ? (ObjectNode) copy.get("logs") : copy.putObject("logs");
    ObjectNode names = logs.path("logger_names").isObject() ? (ObjectNode) logs.get("logger_names")
        : logs.putObject("logger_names");
    domains.forEach(d -> names.put(d, logger(app)));
    logs.put("skip_unmapped_hosts", true);
    return copy;
  }

  /**
   * @param server the potions server object
   * @param app app name
   * @return a copy without the app's hosts in the access log mapping
   */
  static ObjectNode withoutHosts(JsonNode server, String app) {
    ObjectNode copy = server.deepCopy();
    JsonNode names = copy.path("logs").path("logger_names");
    if (names.isObject()) {
      var it = names.fields();
      while (it.hasNext()) {
        if (logger(app).equals(it.next().getValue().asText())) {
          it.remove();
        }
      }
    }
    return copy;
  }

  /**
   * @param logging the top-level logging object (null or missing when none)
   * @param app app name
   * @return a copy with the app's file logger, and access entries kept out of the default log
   */
  static ObjectNode withLogger(JsonNode logging, String app) {
    ObjectNode copy = logging != null && logging.isObject() ? logging.deepCopy() : JSON.createObjectNode();
    ObjectNode logs = copy.path("logs").isObject() ? (ObjectNode) copy.get("logs") : copy.putObject("logs");
    ObjectNode log = logs.putObject(logger(app));
    ObjectNode writer = log.putObject("writer");
    writer.put("output", "file");
    writer.put("filename", file(app));
    writer.put("roll_size_mb", 20);
    writer.put("roll_keep", 3);
    log.putObject("encoder").put("format", "json");
    log.putArray("include").add("http.log.access." + logger(app));
    ObjectNode defaults = logs.path("default").isObject() ? (ObjectNode) logs.get("default") : logs.putObject("default");
    ArrayNode exclude = defaults.path("exclude").isArray() ? (ArrayNode) defaults.get("exclude") : defaults.putArray("exclude");
    boolean present = false;
    for (JsonNode e : exclude) {
      present |= "http.log.access".equals(e.asText());
    }
    if (!present) {
      exclude.add("http.log.access");
    }
    return copy;
  }

  /**
   * @param logging the top-level logging object
   * @param app app name
   * @return a copy without the app's logger
   */
  static ObjectNode withoutLogger(JsonNode logging, String app) {
    ObjectNode copy = logging != null && logging.isObject() ? logging.deepCopy() : JSON.createObjectNode();
    if (copy.path("logs").isObject()) {
      ((ObjectNode) copy.get("logs")).remove(logger(app));
    }
    return copy;
  }
}
