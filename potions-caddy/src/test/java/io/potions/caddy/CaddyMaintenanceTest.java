package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.spi.AppRoute;
import io.potions.spi.MaintenancePage;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaddyMaintenanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AppRoute SHOP = new AppRoute("shop", List.of("shop.test", "www.shop.test"), 4000, false);

  @Test
  void everyAppRouteStartsWithASwitchThatAnswers503OnlyWhileThePageFileExists() throws Exception {
    JsonNode route = CaddyRoutes.renderRoute(SHOP);
    JsonNode steps = route.at("/handle/0/routes");
    assertThat(route.at("/handle/0/handler").asText()).isEqualTo("subroute");
    assertThat(steps).hasSize(2);

    JsonNode maintenance = steps.get(0);
    assertThat(maintenance.at("/match/0/file/root").asText()).isEqualTo("/opt/potions/.maintenance/shop");
    assertThat(maintenance.at("/match/0/file/try_files").toString()).isEqualTo("[\"/on\"]");
    assertThat(maintenance.at("/handle/0/handler").asText()).isEqualTo("templates");
    assertThat(maintenance.at("/handle/0/file_root").asText()).isEqualTo("/opt/potions/.maintenance/shop");
    assertThat(maintenance.at("/handle/0/delimiters").toString()).isEqualTo("[\"<!--potions:\",\":potions-->\"]");
    assertThat(maintenance.at("/handle/1/handler").asText()).isEqualTo("static_response");
    assertThat(maintenance.at("/handle/1/status_code").asInt()).isEqualTo(503);
    assertThat(maintenance.at("/handle/1/headers/Cache-Control/0").asText()).isEqualTo("no-store");
    assertThat(maintenance.at("/handle/1/body").asText()).isEqualTo("<!--potions:include \"/page.html\":potions-->");
    assertThat(maintenance.get("terminal").asBoolean()).isTrue();

    assertThat(steps.at("/1/match").isMissingNode()).as("the app's step matches everything else").isTrue();
    assertThat(steps.at("/1/handle/0/handler").asText()).isEqualTo("reverse_proxy");
  }

  @Test
  void thePageFileSetsItsRetryAfterAndAPageThatCouldRunAsATemplateIsRefused() {
    assertThat(CaddyMaintenance.pageFile(new MaintenancePage("<p>back {{soon}}</p>", 120)))
        .isEqualTo("<!--potions:.RespHeader.Set \"Retry-After\" \"120\":potions--><p>back {{soon}}</p>");
    assertThatThrownBy(() -> CaddyMaintenance.pageFile(new MaintenancePage("<p><!--potions:.Req:potions--></p>", 60)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("escape '<'");
  }

  @Test
  void onWritesThePageWholeThenTheSwitchOffRemovesOnlyTheSwitch() {
    assertThat(CaddyMaintenance.onScript("shop"))
        .contains("install -d -m 0755 /opt/potions/.maintenance/shop")
        .contains("mv -f \"$tmp\" /opt/potions/.maintenance/shop/page.html")
        .endsWith("\ntouch /opt/potions/.maintenance/shop/on");
    // The page stays: a request that saw the switch an instant before must still find it.
    assertThat(CaddyMaintenance.offScript("shop")).isEqualTo("rm -f /opt/potions/.maintenance/shop/on");
    assertThat(CaddyMaintenance.removeScript("shop")).isEqualTo("rm -rf /opt/potions/.maintenance/shop");
  }

  @Test
  void theMaintenanceRouteOfEarlierVersionsIsRemovedAndNothingElse() throws Exception {
    JsonNode config = JSON.readTree("{\"routes\":[{\"@id\":\"potions-maintenance-shop\"},{\"@id\":\"mine\"},"
        + "{\"@id\":\"potions-maintenance-other\"}]}");
    assertThat(CaddyMaintenance.withoutLegacyRoute(config, "shop").get("routes").findValuesAsText("@id"))
        .containsExactly("mine", "potions-maintenance-other");
    JsonNode withRoute = CaddyRoutes.withRoute(JSON.readTree("{\"routes\":[]}"), SHOP);
    assertThat(CaddyMaintenance.withoutLegacyRoute(withRoute, "shop")).isEqualTo(withRoute);
  }
}
