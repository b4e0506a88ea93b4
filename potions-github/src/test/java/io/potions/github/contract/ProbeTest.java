package io.potions.github.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.examples.Example;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeTest {
  @Test
  void probe() throws Exception {
    OpenApiContract c = OpenApiContract.github();
    ObjectMapper m = new ObjectMapper();
    Map<String, Example> ex = c.api().getComponents().getExamples();
    String[][] cases = {
      {"GET", "/app", "200", "integration"},
      {"POST", "/app/installations/1/access_tokens", "201", "installation-token"},
      {"GET", "/installation/repositories", "200", "repository-paginated-2"},
      {"GET", "/repos/o/r", "200", "full-repository-default-response"},
      {"GET", "/repos/o/r/branches/main", "200", "branch-get"},
      {"GET", "/repos/o/r/commits/main", "200", "commit"},
      {"POST", "/repos/o/r/deployments", "201", "deployment-simple-example"},
      {"POST", "/repos/o/r/deployments/1/statuses", "201", "deployment-status"},
      {"POST", "/repos/o/r/hooks", "201", "hook"},
      {"POST", "/repos/o/r/statuses/abc", "201", "status"},
    };
    for (String[] k : cases) {
      String body = m.writeValueAsString(ex.get(k[3]).getValue());
      System.out.println(k[3] + " -> " + c.validateResponse(k[0], k[1], Integer.parseInt(k[2]), "application/json", body));
    }
    System.out.println("ping -> " + c.validateWebhook("ping", m.writeValueAsString(ex.get("ping").getValue())));
    System.out.println("404 -> " + c.validateResponse("GET", "/repos/o/r", 404, "application/json", "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"404\"}"));
    System.out.println("422 -> " + c.validateResponse("GET", "/repos/o/r/commits/x", 422, "application/json", "{\"message\":\"No commit found for SHA: x\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"422\"}"));
  }
}
