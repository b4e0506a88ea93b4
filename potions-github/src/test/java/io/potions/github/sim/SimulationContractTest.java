package io.potions.github.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.contract.OpenApiContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves the simulation and its push events are held to GitHub's published description, so tests
 * built on them cannot pass vacuously (the checker itself is tested in potions-contract-testing).
 */
class SimulationContractTest {
  @RegisterExtension static final GitHubSimulation sim = new GitHubSimulation();

  private static final OpenApiContract contract = OpenApiContract.github();
  private static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String A = "1111111111111111111111111111111111111111";

  @Test
  void webhookPayloadsAreCheckedAgainstThePublishedSchemas() {
    assertThat(contract.validateWebhook("push",
        PushEvents.push("octo/shop", "refs/heads/main", A, SHA, "a change").toString())).isEmpty();
    var broken = PushEvents.push("octo/shop", "refs/heads/main", A, SHA, "a change");
    broken.remove("after");
    broken.put("deleted", "no");
    assertThat(contract.validateWebhook("push", broken.toString()))
        .anySatisfy(e -> assertThat(e).contains("'after' is missing"))
        .anySatisfy(e -> assertThat(e).contains("payload.deleted").contains("expected boolean"));
    assertThat(contract.validateWebhook("ping", PushEvents.ping("octo/shop").toString())).isEmpty();
  }

  @Test
  void theSimulationRefusesAndRecordsARequestTheDescriptionDoesNotAllow() throws Exception {
    sim.acceptPersonalToken("tok");
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(sim.baseUri() + "/repos/octo/shop/statuses/" + SHA))
        .header("Authorization", "Bearer tok").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"done\"}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(422);
    assertThat(sim.commitStatuses()).isEmpty();
    assertThat(sim.contractViolations()).singleElement().asString().contains("not one of");
    assertThatThrownBy(sim::assertContractHonoured).isInstanceOf(AssertionError.class);
    sim.clearContractViolations(); // provoked on purpose
  }
}
