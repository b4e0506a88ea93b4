package io.potions.github.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.github.sim.GitHubSimulation;
import io.potions.github.sim.PushEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the contract checker rejects what GitHub's description does not allow, so it cannot pass vacuously. */
class ContractCheckerTest {
  @RegisterExtension static final GitHubSimulation sim = new GitHubSimulation();

  private static final OpenApiContract contract = OpenApiContract.github();
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String A = "1111111111111111111111111111111111111111";

  @Test
  void theDescriptionIsLoadedWithItsElevenOperationsAndWebhooks() {
    long operations = contract.api().getPaths().values().stream()
        .mapToLong(p -> p.readOperations().size()).sum();
    assertThat(operations).isEqualTo(11);
    assertThat(contract.match("GET", "/repos/octo/shop/commits/feature%2Fx")).hasValueSatisfying(m -> {
      assertThat(m.operation().getOperationId()).isEqualTo("repos/get-commit");
      assertThat(m.pathParams()).containsEntry("ref", "feature/x").containsEntry("owner", "octo");
    });
    assertThat(contract.webhookSchema("push")).isNotNull();
    assertThat(contract.webhookSchema("ping")).isNotNull();
  }

  @Test
  void aMissingDescriptionFailsInsteadOfSkipping() {
    assertThatThrownBy(() -> OpenApiContract.load(Path.of("/nonexistent/github-rest-subset.json")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("missing");
    assertThat(System.getProperty(OpenApiContract.SPECS_DIR_PROPERTY)).isNotBlank();
  }

  @Test
  void acceptsWellFormedRequests() {
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/statuses/" + SHA, JSON,
        "{\"state\":\"pending\",\"context\":\"potions/production\",\"description\":\"deploying\"}")).isEmpty();
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/deployments", JSON,
        "{\"ref\":\"" + SHA + "\",\"auto_merge\":false,\"required_contexts\":[],\"environment\":\"production\"}")).isEmpty();
    assertThat(contract.validateRequest("GET", "/installation/repositories?per_page=100&page=2", Map.of(), "")).isEmpty();
  }

  @Test
  void rejectsBadRequests() {
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/statuses/" + SHA, JSON, "{\"state\":\"done\"}"))
        .singleElement().asString().contains("repos/create-commit-status").contains("not one of");
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/deployments", JSON, "{\"environment\":\"production\"}"))
        .singleElement().asString().contains("'ref' is missing");
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/deployments/1/statuses", JSON,
        "{\"state\":\"success\",\"colour\":\"green\"}"))
        .singleElement().asString().contains("'colour' is not in the schema");
    assertThat(contract.validateRequest("POST", "/repos/octo/shop/hooks", JSON, "{\"name\":\"web\",\"events\":\"push\"}"))
        .anySatisfy(e -> assertThat(e).contains("body.events").contains("expected array"));
    assertThat(contract.validateRequest("GET", "/installation/repositories?sort=name", Map.of(), ""))
        .singleElement().asString().contains("'sort' is not declared");
    assertThat(contract.validateRequest("GET", "/repos/octo/shop/pulls", Map.of(), ""))
        .singleElement().asString().contains("no path");
    assertThat(contract.validateRequest("DELETE", "/repos/octo/shop", Map.of(), ""))
        .singleElement().asString().contains("not an operation");
    assertThat(contract.validateRequest("GET", "/app", JSON, "{\"a\":1}"))
        .singleElement().asString().contains("takes no request body");
  }

  @Test
  void rejectsResponsesThatBreakTheirSchema() {
    assertThat(contract.validateResponse("POST", "/app/installations/1/access_tokens", 201, "application/json",
        "{\"token\":\"t\"}")).singleElement().asString().contains("'expires_at' is missing");
    assertThat(contract.validateResponse("GET", "/repos/octo/shop/commits/main", 200, "application/json",
        "{\"sha\":42}")).anySatisfy(e -> assertThat(e).contains("body.sha").contains("expected string"));
    assertThat(contract.validateResponse("POST", "/repos/octo/shop/statuses/" + SHA, 418, "application/json", "{}"))
        .singleElement().asString().contains("not documented");
    assertThat(contract.validateResponse("GET", "/repos/octo/shop", 404, "application/json",
        "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\"}")).isEmpty();
  }

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
