package io.potions.digitalocean.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.digitalocean.sim.DigitalOceanSimulation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the contract checker rejects what the description does not allow, so it cannot pass vacuously. */
class ContractCheckerTest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  private static final OpenApiContract contract = OpenApiContract.digitalOcean();
  private static final Map<String, String> JSON_AUTH = Map.of(
      "Authorization", "Bearer t", "Content-Type", "application/json");
  private static final String CREATE =
      "{\"name\":\"web\",\"region\":\"fra1\",\"size\":\"s-1vcpu-1gb\",\"image\":\"ubuntu-24-04-x64\","
          + "\"ssh_keys\":[\"3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa\"],\"tags\":[\"potions\"],"
          + "\"user_data\":\"#cloud-config\\n\",\"ipv6\":false,\"monitoring\":false%s}";

  @Test
  void theWholePublishedDescriptionIsLoaded() {
    assertThat(contract.api().getPaths()).hasSizeGreaterThan(400);
    assertThat(contract.match("GET", "/v2/droplets/123")).hasValueSatisfying(m -> {
      assertThat(m.template()).isEqualTo("/v2/droplets/{droplet_id}");
      assertThat(m.operation().getOperationId()).isEqualTo("droplets_get");
      assertThat(m.pathParams()).containsEntry("droplet_id", "123");
    });
    // literal segments win over templates
    assertThat(contract.match("GET", "/v2/droplets/actions")).isPresent();
  }

  @Test
  void aMissingDescriptionFailsInsteadOfSkipping() {
    assertThatThrownBy(() -> OpenApiContract.load(Path.of("/nonexistent/digitalocean-openapi.yaml")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing");
    assertThat(System.getProperty(OpenApiContract.SPECS_DIR_PROPERTY)).isNotBlank();
  }

  @Test
  void acceptsAWellFormedDropletCreate() {
    assertThat(contract.validateRequest("POST", "/v2/droplets", JSON_AUTH, CREATE.formatted(""))).isEmpty();
  }

  @Test
  void rejectsAnUnknownBodyField() {
    assertThat(contract.validateRequest("POST", "/v2/droplets", JSON_AUTH, CREATE.formatted(",\"sizes\":\"x\"")))
        .singleElement().asString().contains("droplets_create").contains("'sizes' is not in the schema");
  }

  @Test
  void rejectsAWrongType() {
    assertThat(contract.validateRequest("POST", "/v2/droplets", JSON_AUTH,
        CREATE.formatted("").replace("\"ipv6\":false", "\"ipv6\":\"no\"")))
        .anySatisfy(e -> assertThat(e).contains("body.ipv6").contains("expected boolean"));
    assertThat(contract.validateRequest("POST", "/v2/account/keys", JSON_AUTH, "{\"name\":\"k\",\"public_key\":42}"))
        .anySatisfy(e -> assertThat(e).contains("body.public_key").contains("expected string"));
  }

  @Test
  void rejectsAMissingRequiredField() {
    assertThat(contract.validateRequest("POST", "/v2/account/keys", JSON_AUTH, "{\"name\":\"k\"}"))
        .anySatisfy(e -> assertThat(e).contains("'public_key' is missing"));
    assertThat(contract.validateRequest("POST", "/v2/droplets", JSON_AUTH, "{\"name\":\"web\",\"region\":\"fra1\"}"))
        .isNotEmpty();
  }

  @Test
  void rejectsReadOnlyFieldsInRequests() {
    assertThat(contract.validateRequest("POST", "/v2/account/keys", JSON_AUTH,
        "{\"name\":\"k\",\"public_key\":\"ssh-ed25519 AAAA\",\"fingerprint\":\"aa\"}"))
        .anySatisfy(e -> assertThat(e).contains("fingerprint").contains("readOnly"));
  }

  @Test
  void rejectsPathsMethodsAndParametersNotInTheDescription() {
    assertThat(contract.validateRequest("GET", "/v2/dropletz", JSON_AUTH, ""))
        .singleElement().asString().contains("no path");
    assertThat(contract.validateRequest("PATCH", "/v2/droplets/1", JSON_AUTH, "{}"))
        .singleElement().asString().contains("not an operation");
    assertThat(contract.validateRequest("GET", "/v2/droplets/abc", JSON_AUTH, ""))
        .singleElement().asString().contains("droplet_id");
    assertThat(contract.validateRequest("GET", "/v2/droplets?tag=potions", JSON_AUTH, ""))
        .singleElement().asString().contains("'tag' is not declared");
    assertThat(contract.validateRequest("GET", "/v2/droplets?per_page=500", JSON_AUTH, ""))
        .singleElement().asString().contains("above the maximum 200");
    assertThat(contract.validateRequest("DELETE", "/v2/droplets", JSON_AUTH, ""))
        .singleElement().asString().contains("'tag_name' is missing");
    assertThat(contract.validateRequest("GET", "/v2/account", Map.of(), ""))
        .singleElement().asString().contains("Authorization");
    assertThat(contract.validateRequest("GET", "/v2/account", JSON_AUTH, "{\"a\":1}"))
        .singleElement().asString().contains("takes no request body");
  }

  @Test
  void rejectsResponsesThatBreakTheirSchema() {
    assertThat(contract.validateResponse("GET", "/v2/actions/1", 200, "application/json",
        "{\"action\":{\"id\":1,\"status\":\"done\"}}"))
        .singleElement().asString().contains("not one of [in-progress, completed, errored]");
    assertThat(contract.validateResponse("GET", "/v2/account", 200, "application/json",
        "{\"account\":{\"droplet_limit\":25}}"))
        .anySatisfy(e -> assertThat(e).contains("'email' is missing"));
    assertThat(contract.validateResponse("GET", "/v2/account", 401, "application/json", "{\"message\":\"no\"}"))
        .singleElement().asString().contains("'id' is missing");
    assertThat(contract.validateResponse("DELETE", "/v2/droplets/1", 204, null, "{}"))
        .singleElement().asString().contains("without a body");
    assertThat(contract.validateResponse("GET", "/v2/account", 401, "application/json",
        "{\"id\":\"unauthorized\",\"message\":\"no\"}")).isEmpty();
  }

  @Test
  void theSimulationRefusesAndRecordsARequestTheDescriptionDoesNotAllow() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sim.baseUri() + "/v2/droplets"))
        .header("Authorization", "Bearer " + sim.token())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(CREATE.formatted(",\"colour\":\"blue\"")))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(sim.createdDroplets()).isEmpty();
    List<String> violations = sim.contractViolations();
    assertThat(violations).singleElement().asString().contains("'colour' is not in the schema");
    assertThatThrownBy(sim::assertContractHonoured).isInstanceOf(AssertionError.class);
    sim.clearContractViolations(); // provoked on purpose
  }

  @Test
  void theSimulationChecksQueuedFaultAnswersToo() throws Exception {
    sim.failNext("GET", "/v2/account", 1,
        com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withBody("{\"oops\":true}"));
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUri() + "/v2/account"))
        .header("Authorization", "Bearer " + sim.token()).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(sim.contractViolations()).anySatisfy(v -> assertThat(v).contains("-> 500").contains("'id' is missing"));
    sim.clearContractViolations();
  }
}
