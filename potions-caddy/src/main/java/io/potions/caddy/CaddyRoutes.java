package io.potions.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.spi.AppRoute;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Pure edits of the "potions" HTTP server object of Caddy's JSON config: add, replace or remove an
 * app's route, and keep {@code automatic_https.skip} listing exactly the domains served over plain
 * HTTP (plus whatever else someone put there by hand). An HTTPS app also gets a redirect route that
 * answers plain HTTP on its domains with 308 to the same URL over HTTPS: the one server listens on
 * both :80 and :443, so Caddy's own redirects (a separate server on :80) are turned off.
 */
final class CaddyRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CaddyRoutes() {}

  /**
   * @param app app name
   * @return the {@code @id} of the app's route
   */
  public static String routeId(String app) {
    return "potions-app-" + app;
  }

  /**
   * @param app app name
   * @return the {@code @id} of the app's HTTP-to-HTTPS redirect route
   */
  public static String redirectId(String app) {
    return "potions-redirect-" + app;
  }

  /**
   * @param route the app's route
   * @return a route answering plain-HTTP requests for the app's domains with a permanent redirect
   *     (308 keeps the method and body) to the same host and URI over HTTPS
   */
  public static ObjectNode renderRedirect(AppRoute route) {
    ObjectNode node = JSON.createObjectNode();
    node.put("@id", redirectId(route.app()));
    ObjectNode match = node.putArray("match").addObject();
    ArrayNode hosts = match.putArray("host");
    route.domains().forEach(hosts::add);
    match.put("protocol", "http");
    ObjectNode handler = node.putArray("handle").addObject();
    handler.put("handler", "static_response");
    handler.put("status_code", 308);
    handler.putObject("headers").putArray("Location").add("https://{http.request.host}{http.request.uri}");
    node.put("terminal", true);
    return node;
  }

  /**
   * @param route the app's route
   * @return the Caddy route object
   */
  public static ObjectNode renderRoute(AppRoute route) {
    ObjectNode node = JSON.createObjectNode();
    node.put("@id", routeId(route.app()));
    ArrayNode hosts = node.putArray("match").addObject().putArray("host");
    route.domains().forEach(hosts::add);
    // First the maintenance switch (it matches only while the app's maintenance page exists), then the app.
    ObjectNode subroute = node.putArray("handle").addObject();
    subroute.put("handler", "subroute");
    ArrayNode steps = subroute.putArray("routes");
    steps.add(CaddyMaintenance.render(route.app()));
    ObjectNode proxy = steps.addObject().putArray("handle").addObject();
    proxy.put("handler", "reverse_proxy");
    proxy.putArray("upstreams").addObject().put("dial", "127.0.0.1:" + route.upstreamPort());
    // One upstream connection per request: each new connection is mapped to the live slot by the
    // server's NAT rule, so a deploy moves traffic without touching this config.
    ObjectNode transport = proxy.putObject("transport");
    transport.put("protocol", "http");
    transport.putObject("keep_alive").put("enabled", false);
    node.put("terminal", true);
    return node;
  }

  /**
   * @param server the current server object
   * @param route the app's route
   * @return a copy with the app's route added or replaced in place
   */
  public static ObjectNode withRoute(JsonNode server, AppRoute route) {
    ObjectNode copy = withoutRedirect(server, route.app());
    Set<String> oldDomains = domainsOf(copy, route.app());
    ArrayNode routes = copy.has("routes") && copy.get("routes").isArray()
        ? (ArrayNode) copy.get("routes") : copy.putArray("routes");
    ObjectNode rendered = renderRoute(route);
    int at = -1;
    for (int i = 0; i < routes.size(); i++) {
      if (routeId(route.app()).equals(routes.get(i).path("@id").asText())) {
        routes.set(i, rendered);
        at = i;
      }
    }
    if (at < 0) {
      routes.add(rendered);
      at = routes.size() - 1;
    }
    if (route.https()) {
      // Right before the app's own route: plain HTTP on its domains never reaches the app.
      routes.insert(at, renderRedirect(route));
    }
    Set<String> skip = skipList(copy);
    skip.removeAll(oldDomains);
    if (!route.https()) {
      skip.addAll(route.domains());
    }
    writeSkip(copy, skip);
    return copy;
  }

  /**
   * @param server the current server object
   * @param app the app name
   * @return a copy without the app's route and its plain-HTTP exemptions
   */
  public static ObjectNode withoutRoute(JsonNode server, String app) {
    ObjectNode copy = withoutRedirect(server, app);
    Set<String> oldDomains = domainsOf(copy, app);
    JsonNode routes = copy.path("routes");
    if (routes.isArray()) {
      for (Iterator<JsonNode> it = routes.elements(); it.hasNext(); ) {
        if (routeId(app).equals(it.next().path("@id").asText())) {
          it.remove();
        }
      }
    }
    Set<String> skip = skipList(copy);
    skip.removeAll(oldDomains);
    writeSkip(copy, skip);
    return copy;
  }

  private static ObjectNode withoutRedirect(JsonNode server, String app) {
    ObjectNode copy = server.deepCopy();
    JsonNode routes = copy.path("routes");
    if (routes.isArray()) {
      for (Iterator<JsonNode> it = routes.elements(); it.hasNext(); ) {
        if (redirectId(app).equals(it.next().path("@id").asText())) {
          it.remove();
        }
      }
    }
    return copy;
  }

  private static Set<String> domainsOf(JsonNode server, String app) {
    Set<String> domains = new LinkedHashSet<>();
    for (JsonNode route : server.path("routes")) {
      if (routeId(app).equals(route.path("@id").asText())) {
        for (JsonNode match : route.path("match")) {
          match.path("host").forEach(h -> domains.add(h.asText()));
        }
      }
    }
    return domains;
  }

  private static Set<String> skipList(JsonNode server) {
    Set<String> skip = new LinkedHashSet<>();
    server.path("automatic_https").path("skip").forEach(h -> skip.add(h.asText()));
    return skip;
  }

  private static void writeSkip(ObjectNode server, Set<String> skip) {
    ObjectNode https = server.path("automatic_https").isObject()
        ? (ObjectNode) server.get("automatic_https") : server.putObject("automatic_https");
    // Caddy's own redirects would need a second server on :80, which this one already holds.
    https.put("disable_redirects", true);
    if (skip.isEmpty()) {
      https.remove("skip");
      return;
    }
    ArrayNode list = https.putArray("skip");
    skip.forEach(list::add);
  }
}
