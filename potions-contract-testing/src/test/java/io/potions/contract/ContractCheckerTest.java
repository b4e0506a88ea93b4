package io.potions.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Proves the contract checker rejects what a description does not allow, so it cannot pass vacuously. */
class ContractCheckerTest {

  /** Asserts the checker found exactly one violation, and that it names what is wrong. */
  private static void assertOnlyError(java.util.List<String> errors, String expected) {
    assertThat(errors).singleElement().asString().contains(expected);
  }

  @Test
  void aMissingDescriptionFailsInsteadOfSkipping() {
    assertThatThrownBy(() -> OpenApiContract.load(Path.of("/nonexistent/digitalocean-openapi.yaml"),
        OpenApiContract.Options.strict()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing");
    assertThat(System.getProperty(OpenApiContract.SPECS_DIR_PROPERTY)).isNotBlank();
  }

  /** Against DigitalOcean's whole published description. */
  @Nested
  class DigitalOcean {
    private final OpenApiContract contract = OpenApiContract.digitalOcean();
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
      assertOnlyError(contract.validateRequest("GET", "/v2/dropletz", JSON_AUTH, ""), "no path");
      assertOnlyError(contract.validateRequest("PATCH", "/v2/droplets/1", JSON_AUTH, "{}"), "not an operation");
      assertOnlyError(contract.validateRequest("GET", "/v2/droplets/abc", JSON_AUTH, ""), "droplet_id");
      assertOnlyError(contract.validateRequest("GET", "/v2/droplets?tag=potions", JSON_AUTH, ""), "'tag' is not declared");
      assertOnlyError(contract.validateRequest("GET", "/v2/droplets?per_page=500", JSON_AUTH, ""), "above the maximum 200");
      assertOnlyError(contract.validateRequest("DELETE", "/v2/droplets", JSON_AUTH, ""), "'tag_name' is missing");
      assertOnlyError(contract.validateRequest("GET", "/v2/account", Map.of(), ""), "Authorization");
      assertOnlyError(contract.validateRequest("GET", "/v2/account", JSON_AUTH, "{\"a\":1}"), "takes no request body");
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
  }

  /** Against the subset of GitHub's description the SDK uses. */
  @Nested
  class GitHub {
    private final OpenApiContract contract = OpenApiContract.github();
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

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
      assertOnlyError(contract.validateRequest("POST", "/repos/octo/shop/deployments", JSON, "{\"environment\":\"production\"}"), "'ref' is missing");
      assertOnlyError(contract.validateRequest("POST", "/repos/octo/shop/deployments/1/statuses", JSON,
          "{\"state\":\"success\",\"colour\":\"green\"}"), "'colour' is not in the schema");
      assertThat(contract.validateRequest("POST", "/repos/octo/shop/hooks", JSON, "{\"name\":\"web\",\"events\":\"push\"}"))
          .anySatisfy(e -> assertThat(e).contains("body.events").contains("expected array"));
      assertOnlyError(contract.validateRequest("GET", "/installation/repositories?sort=name", Map.of(), ""), "'sort' is not declared");
      assertOnlyError(contract.validateRequest("GET", "/repos/octo/shop/pulls", Map.of(), ""), "no path");
      assertOnlyError(contract.validateRequest("DELETE", "/repos/octo/shop", Map.of(), ""), "not an operation");
      assertOnlyError(contract.validateRequest("GET", "/app", JSON, "{\"a\":1}"), "takes no request body");
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
    void generalErrorsAreJudgedByTheGeneralErrorSchema() {
      assertThat(contract.validateResponse("POST", "/repos/octo/shop/statuses/" + SHA, 503, "application/json",
          "{\"message\":\"down\",\"documentation_url\":\"https://docs.github.com/rest\"}")).isEmpty();
      assertThat(contract.validateResponse("POST", "/repos/octo/shop/statuses/" + SHA, 503, "application/json",
          "{\"message\":42}")).anySatisfy(e -> assertThat(e).contains("body.message").contains("expected string"));
    }

    @Test
    void webhookPayloadsAreChecked() {
      assertThat(contract.validateWebhook("ping", "{\"zen\":42}"))
          .anySatisfy(e -> assertThat(e).contains("payload.zen").contains("expected string"));
      assertThat(contract.validateWebhook("fork", "{}")).singleElement().asString().contains("not described");
    }
  }
}
