package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.potions.spi.AppRoute;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaddyRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode server(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void aRouteSendsTheDomainsToTheStablePortWithoutUpstreamKeepAlive() throws Exception {
    JsonNode out = CaddyRoutes.withRoute(server("{\"listen\":[\":80\",\":443\"],\"routes\":[]}"),
        new AppRoute("shop", List.of("shop.example.com", "www.shop.example.com"), 4000, true));
    JsonNode route = out.get("routes").get(1);
    assertThat(route.get("@id").asText()).isEqualTo("potions-app-shop");
    assertThat(route.at("/match/0/host").toString()).isEqualTo("[\"shop.example.com\",\"www.shop.example.com\"]");
    assertThat(route.at("/handle/0/routes/1/handle/0/upstreams/0/dial").asText()).isEqualTo("127.0.0.1:4000");
    assertThat(route.at("/handle/0/routes/1/handle/0/transport/keep_alive/enabled").asBoolean(true)).isFalse();
    assertThat(out.get("automatic_https").toString()).isEqualTo("{\"disable_redirects\":true}");
  }

  @Test
  void anHttpsAppGetsARedirectFromPlainHttpRightBeforeItsRouteAndAPlainHttpAppNone() throws Exception {
    JsonNode out = CaddyRoutes.withRoute(server("{\"routes\":[{\"@id\":\"mine\"}]}"),
        new AppRoute("shop", List.of("shop.example.com"), 4000, true));
    assertThat(out.get("routes").toString()).isEqualTo("[{\"@id\":\"mine\"},"
        + "{\"@id\":\"potions-redirect-shop\",\"match\":[{\"host\":[\"shop.example.com\"],\"protocol\":\"http\"}],"
        + "\"handle\":[{\"handler\":\"static_response\",\"status_code\":308,"
        + "\"headers\":{\"Location\":[\"https://{http.request.host}{http.request.uri}\"]}}],\"terminal\":true},"
        + CaddyRoutes.renderRoute(new AppRoute("shop", List.of("shop.example.com"), 4000, true)) + "]");
    // Switched to plain HTTP: the redirect goes, the domains are skipped; deleted: nothing is left.
    JsonNode plain = CaddyRoutes.withRoute(out, new AppRoute("shop", List.of("shop.example.com"), 4000, false));
    assertThat(plain.get("routes").findValuesAsText("@id")).containsExactly("mine", "potions-app-shop");
    assertThat(plain.at("/automatic_https/skip").toString()).isEqualTo("[\"shop.example.com\"]");
    JsonNode back = CaddyRoutes.withRoute(plain, new AppRoute("shop", List.of("shop.example.com"), 4000, true));
    assertThat(back).isEqualTo(out);
    assertThat(CaddyRoutes.withoutRoute(out, "shop").get("routes").findValuesAsText("@id")).containsExactly("mine");
  }

  @Test
  void replacingARouteKeepsOthersAndTheirOrderAndManagesTheSkipList() throws Exception {
    JsonNode base = server("{\"routes\":[{\"@id\":\"mine\"}],\"automatic_https\":{\"skip\":[\"manual.test\"]}}");
    JsonNode a = CaddyRoutes.withRoute(base, new AppRoute("a", List.of("a.test"), 4000, false));
    JsonNode b = CaddyRoutes.withRoute(a, new AppRoute("b", List.of("b.example.com"), 4010, true));
    JsonNode a2 = CaddyRoutes.withRoute(b, new AppRoute("a", List.of("a2.test"), 4000, false));
    assertThat(a2.get("routes").findValuesAsText("@id"))
        .containsExactly("mine", "potions-app-a", "potions-redirect-b", "potions-app-b");
    assertThat(a2.at("/automatic_https/skip").toString()).isEqualTo("[\"manual.test\",\"a2.test\"]");
    JsonNode removed = CaddyRoutes.withoutRoute(a2, "a");
    assertThat(removed.get("routes").findValuesAsText("@id")).containsExactly("mine", "potions-redirect-b", "potions-app-b");
    assertThat(removed.at("/automatic_https/skip").toString()).isEqualTo("[\"manual.test\"]");
    assertThat(base.get("routes")).hasSize(1);  // inputs are never modified
  }

  @Test
  void theBaseConfigKeepsTheAdminApiOnLoopbackAndTheServiceResumesItsConfig() throws Exception {
    JsonNode base = JSON.readTree(CaddyFiles.baseConfig());
    assertThat(base.at("/admin/listen").asText()).isEqualTo("127.0.0.1:2019");
    assertThat(base.at("/apps/http/servers/potions/listen").toString()).isEqualTo("[\":80\",\":443\"]");
    assertThat(CaddyFiles.serviceDropIn()).contains("ExecStart=\nExecStart=/usr/bin/caddy run --environ --resume")
        .contains("ExecReload=\n");
  }
}
