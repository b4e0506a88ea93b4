package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.ssh.ExecResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting a switch window's requests in Caddy's JSON access log (lines as Caddy 2.6 writes them). */
class AccessLogTest {
  private static String line(double ts, String host, String uri, int status) {
    return "{\"level\":\"info\",\"ts\":" + ts + ",\"logger\":\"http.log.access.potions_shop\",\"msg\":\"handled request\","
        + "\"request\":{\"remote_ip\":\"172.17.0.1\",\"remote_port\":\"40312\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\","
        + "\"host\":\"" + host + "\",\"uri\":\"" + uri + "\",\"headers\":{\"User-Agent\":[\"potions-probe\"]}},"
        + "\"user_id\":\"\",\"duration\":0.001234,\"size\":5,\"status\":" + status + ",\"resp_headers\":{\"Server\":[\"Caddy\"]}}";
  }

  @Test
  void countsOnlyTheWindowAndTheAppsHostsAndCallsFiveHundredsAndNoAnswerFailures() {
    List<String> lines = List.of(
        line(1000.0, "shop.test", "/before", 200),
        line(1001.5, "shop.test", "/version", 200),
        line(1001.6, "WWW.shop.test:80", "/version", 200),
        line(1002.0, "shop.test", "/ws", 101),
        line(1002.1, "other.test", "/version", 502),
        line(1002.2, "shop.test", "/version", 502),
        line(1002.3, "shop.test", "/gone", 0),
        line(1002.4, "shop.test", "/missing", 404),
        "{\"level\":\"error\",\"ts\":1002.5,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: connection refused\"}",
        "not json at all",
        "",
        // Caddy 2.6 may log an upgraded (hijacked) WebSocket with status 0 when it closes.
        "{\"level\":\"info\",\"ts\":1002.6,\"logger\":\"http.log.access.potions_shop\",\"msg\":\"handled request\","
            + "\"request\":{\"method\":\"GET\",\"host\":\"shop.test\",\"uri\":\"/ws\",\"headers\":{\"Connection\":[\"Upgrade\"],"
            + "\"Upgrade\":[\"websocket\"]}},\"duration\":31.2,\"size\":0,\"status\":0}",
        line(1003.1, "shop.test", "/after", 502));
    SwitchTraffic t = AccessLog.count(lines, List.of("shop.test", "www.shop.test"), 1001.0, 1003.0);
    assertThat(t.requests()).isEqualTo(7);
    assertThat(t.failed()).isEqualTo(2);
    assertThat(t.failures()).containsExactly("502 GET shop.test/version", "0 GET shop.test/gone");
    assertThat(t.windowSeconds()).isEqualTo(2.0);
    assertThat(t.summary()).isEqualTo("7 request(s) during the 2.0 s switch window, 2 failed"
        + " [502 GET shop.test/version, 0 GET shop.test/gone]");
  }

  @Test
  void readsTheMarkersTheServerPrints() {
    ExecResult mark = new ExecResult(0, List.of("access_log_offset=12345", "server_time=1764666000.123456789"),
        List.of(), Duration.ZERO);
    assertThat(AccessLog.offset(mark)).isEqualTo(12345);
    assertThat(AccessLog.serverTime(mark)).isEqualTo(1764666000.123456789);
    ExecResult none = new ExecResult(0, List.of("access_log_offset=-1"), List.of(), Duration.ZERO);
    assertThat(AccessLog.offset(none)).isEqualTo(-1);
    assertThat(AccessLog.serverTime(none)).isEqualTo(-1.0);
    assertThat(AccessLog.readFrom("shop", 42)).startsWith("sudo -n /usr/local/sbin/potions-admin access-log shop 42\n");
    assertThat(AccessLog.path("shop")).isEqualTo("/var/log/caddy/potions-shop.access.log");
  }
}
