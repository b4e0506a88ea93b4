package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

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
  void maintenanceGoesFirstAnswers503WithRetryAfterAndLeavesTheAppsRouteAsItWas() throws Exception {
    JsonNode base = CaddyRoutes.withRoute(JSON.readTree("{\"routes\":[{\"@id\":\"mine\"}]}"), SHOP);
    JsonNode on = CaddyMaintenance.with(base, SHOP, new MaintenancePage("<p>back soon</p>", 120));

    assertThat(on.get("routes").findValuesAsText("@id"))
        .containsExactly("potions-maintenance-shop", "mine", "potions-app-shop");
    JsonNode route = on.at("/routes/0");
    assertThat(route.at("/match/0/host").toString()).isEqualTo("[\"shop.test\",\"www.shop.test\"]");
    assertThat(route.at("/handle/0/handler").asText()).isEqualTo("static_response");
    assertThat(route.at("/handle/0/status_code").asInt()).isEqualTo(503);
    assertThat(route.at("/handle/0/headers/Retry-After/0").asText()).isEqualTo("120");
    assertThat(route.at("/handle/0/body").asText()).isEqualTo("<p>back soon</p>");
    assertThat(route.get("terminal").asBoolean()).isTrue();
    assertThat(on.at("/routes/2")).isEqualTo(base.at("/routes/1"));

    // Applying again replaces (no second copy); ending it gives back exactly the config before.
    JsonNode again = CaddyMaintenance.with(on, SHOP, new MaintenancePage("<p>later</p>", 60));
    assertThat(again.get("routes").findValuesAsText("@id")).containsOnlyOnce("potions-maintenance-shop");
    assertThat(again.at("/routes/0/handle/0/body").asText()).isEqualTo("<p>later</p>");
    assertThat(CaddyMaintenance.without(again, "shop")).isEqualTo(base);
    assertThat(CaddyMaintenance.without(base, "shop")).isEqualTo(base);
  }
}
