package io.potions.digitalocean.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves the simulation holds every exchange to the published description, so tests built on it
 * cannot pass vacuously (the checker itself is tested in potions-contract-testing).
 */
class SimulationContractTest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  private static final String CREATE =
      "{\"name\":\"web\",\"region\":\"fra1\",\"size\":\"s-1vcpu-1gb\",\"image\":\"ubuntu-24-04-x64\","
          + "\"ssh_keys\":[\"3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa\"],\"tags\":[\"potions\"],"
          + "\"user_data\":\"#cloud-config\\n\",\"ipv6\":false,\"monitoring\":false%s}";

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
