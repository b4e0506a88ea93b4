package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaddyAccessLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theAppsHostsGoToItsOwnLoggerAndNoOtherHostIsLogged() throws Exception {
    JsonNode server = JSON.readTree("{\"listen\":[\":80\",\":443\"],\"routes\":[],"
        + "\"logs\":{\"logger_names\":{\"old.shop.test\":\"potions_shop\",\"blog.test\":\"potions_blog\"}}}");
    JsonNode edited = CaddyAccessLogs.withHosts(server, "shop", List.of("shop.test", "www.shop.test"));
    assertThat(edited.path("logs").toString()).isEqualTo("{\"logger_names\":{\"blog.test\":\"potions_blog\","
        + "\"shop.test\":\"potions_shop\",\"www.shop.test\":\"potions_shop\"},\"skip_unmapped_hosts\":true}");
    assertThat(edited.path("listen").size()).isEqualTo(2);
    JsonNode removed = CaddyAccessLogs.withoutHosts(edited, "shop");
    assertThat(removed.path("logs").path("logger_names").toString()).isEqualTo("{\"blog.test\":\"potions_blog\"}");
  }

  @Test
  void theLoggerWritesJsonToTheAppsFileAndAccessEntriesStayOutOfTheJournal() throws Exception {
    JsonNode logging = CaddyAccessLogs.withLogger(null, "shop-api");
    assertThat(logging.toString()).isEqualTo("{\"logs\":{\"potions_shop_api\":{\"writer\":{\"output\":\"file\","
        + "\"filename\":\"/var/log/caddy/potions-shop-api.access.log\",\"roll_size_mb\":20,\"roll_keep\":3},"
        + "\"encoder\":{\"format\":\"json\"},\"include\":[\"http.log.access.potions_shop_api\"]},"
        + "\"default\":{\"exclude\":[\"http.log.access\"]}}}");
    // Idempotent, and what someone else configured stays.
    JsonNode mine = JSON.readTree("{\"logs\":{\"default\":{\"level\":\"WARN\",\"exclude\":[\"http.log.access\"]},"
        + "\"custom\":{\"level\":\"DEBUG\"}}}");
    JsonNode twice = CaddyAccessLogs.withLogger(CaddyAccessLogs.withLogger(mine, "shop"), "shop");
    assertThat(twice.path("logs").path("default").toString()).isEqualTo("{\"level\":\"WARN\",\"exclude\":[\"http.log.access\"]}");
    assertThat(twice.path("logs").path("custom").toString()).isEqualTo("{\"level\":\"DEBUG\"}");
    assertThat(CaddyAccessLogs.withoutLogger(twice, "shop").path("logs").has("potions_shop")).isFalse();
  }
}
