package io.potions.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.internal.Names;
import io.potions.ssh.ExecResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The app's access log on the server (JSON lines the reverse proxy writes, one per request, readable
 * only by root) and the pure counting of what a switch window saw in it.
 */
final class AccessLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SAMPLES = 10;

  private AccessLog() {}

  /**
   * @param app app name
   * @return the file the proxy writes the app's access log to
   */
  static String path(String app) {
    return "/var/log/caddy/potions-" + Names.app(app) + ".access.log";
  }

  /**
   * @param app app name
   * @return a script printing {@code access_log_offset=<size of the log now>} and
   *     {@code server_time=<epoch seconds>}
   */
  static String mark(String app) {
    return AppScripts.helper("access-log", app, "size") + "\necho \"server_time=$(date +%s.%N)\"";
  }

  /**
   * @param app app name
   * @param offset where the switch window's lines start
   * @return a script printing the log from that offset (at most 64 MiB), then {@code server_time=}
   */
  static String readFrom(String app, long offset) {
    return AppScripts.helper("access-log", app, Long.toString(offset)) + "\necho\necho \"server_time=$(date +%s.%N)\"";
  }

  /**
   * @param result the result of {@link #mark} or {@link #readFrom}
   * @return the server's clock, in epoch seconds, or -1
   */
  static double serverTime(ExecResult result) {
    return result.marker("server_time").filter(v -> v.matches("\\d+(\\.\\d+)?")).map(Double::parseDouble).orElse(-1.0);
  }

  /**
   * @param result the result of {@link #mark}
   * @return the log's size then, or -1 when there is no log
   */
  static long offset(ExecResult result) {
    return result.marker("access_log_offset").filter(v -> v.matches("\\d{1,18}")).map(Long::parseLong).orElse(-1L);
  }

  /**
   * Counts the requests for the app's domains that ended between {@code from} and {@code to}
   * (server clock, epoch seconds). A request fails when it was answered 5xx or not answered at all
   * (status 0). Lines that are not JSON access entries are skipped.
   *
   * @param lines the log's lines
   * @param domains the app's domains
   * @param from window start
   * @param to window end
   * @return the window's traffic
   */
  static SwitchTraffic count(List<String> lines, List<String> domains, double from, double to) {
    Set<String> hosts = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    long requests = 0;
    long failed = 0;
    List<String> samples = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith("{")) {
        continue;
      }
      JsonNode entry;
      try {
        entry = JSON.readTree(line);
      } catch (IOException e) {
        continue;
      }
      JsonNode request = entry.path("request");
      if (!entry.has("ts") || !entry.has("status") || !request.isObject()) {
        continue;
      }
      double ts = entry.path("ts").asDouble();
      String host = request.path("host").asText("").toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
      if (ts < from || ts > to || !hosts.contains(host)) {
        continue;
      }
      requests++;
      int status = entry.path("status").asInt();
      if (status == 0 && upgraded(request)) {
        // Caddy before 2.7 loses the 101 of a hijacked (upgraded) connection; a refused upgrade is a 5xx.
        status = 101;
      }
      if (status == 0 || status >= 500) {
        failed++;
        if (samples.size() < SAMPLES) {
          samples.add(status + " " + request.path("method").asText() + " " + host + request.path("uri").asText());
        }
      }
    }
    return new SwitchTraffic(requests, failed, List.copyOf(samples), Math.max(0, to - from));
  }

  private static boolean upgraded(JsonNode request) {
    var headers = request.path("headers").fields();
    while (headers.hasNext()) {
      var h = headers.next();
      if (h.getKey().equalsIgnoreCase("upgrade")) {
        for (JsonNode v : h.getValue()) {
          if (v.asText().equalsIgnoreCase("websocket")) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
