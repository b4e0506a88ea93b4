package io.potions.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.spi.AppRoute;
import io.potions.spi.MaintenancePage;
import java.util.Iterator;

/**
 * Pure edits of the "potions" server object for maintenance mode: a route of its own, first in
 * the list, matching the app's domains and answering 503 with the page and {@code Retry-After}.
 * The app's route stays untouched behind it, so ending maintenance restores it exactly.
 */
final class CaddyMaintenance {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CaddyMaintenance() {}

  /**
   * @param app the app name
   * @return the {@code @id} of the app's maintenance route
   */
  static String routeId(String app) {
    return "potions-maintenance-" + app;
  }

  /**
   * @param route the app's route (its domains)
   * @param page the page
   * @return the Caddy route object
   */
  static ObjectNode render(AppRoute route, MaintenancePage page) {
    ObjectNode node = JSON.createObjectNode();
    node.put("@id", routeId(route.app()));
    ArrayNode hosts = node.putArray("match").addObject().putArray("host");
    route.domains().forEach(hosts::add);
    ObjectNode handler = node.putArray("handle").addObject();
    handler.put("handler", "static_response");
    handler.put("status_code", 503);
    ObjectNode headers = handler.putObject("headers");
    headers.putArray("Retry-After").add(Integer.toString(page.retryAfterSeconds()));
    headers.putArray("Content-Type").add("text/html; charset=utf-8");
    headers.putArray("Cache-Control").add("no-store");
    handler.put("body", page.html());
    node.put("terminal", true);
    return node;
  }

  /**
   * @param server the current server object
   * @param route the app's route
   * @param page the page to serve
   * @return a copy with the app's maintenance route first (replacing an earlier one)
   */
  static ObjectNode with(JsonNode server, AppRoute route, MaintenancePage page) {
    ObjectNode copy = without(server, route.app());
    ArrayNode routes = copy.has("routes") && copy.get("routes").isArray()
        ? (ArrayNode) copy.get("routes") : copy.putArray("routes");
    routes.insert(0, render(route, page));
    return copy;
  }

  /**
   * @param server the current server object
   * @param app the app name
   * @return a copy without the app's maintenance route
   */
  static ObjectNode without(JsonNode server, String app) {
    ObjectNode copy = server.deepCopy();
    JsonNode routes = copy.path("routes");
    if (routes.isArray()) {
      for (Iterator<JsonNode> it = routes.elements(); it.hasNext(); ) {
        if (routeId(app).equals(it.next().path("@id").asText())) {
          it.remove();
        }
      }
    }
    return copy;
  }
}
