package io.potions.github.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.github.sim.PushEvents.Delivery;
import io.potions.source.SourceCommit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in endpoint, over real HTTP. */
class WebhookServerTest {
  private final List<SourceCommit> deployed = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private WebhookServer server;

  @BeforeEach
  void start() {
    WebhookHandler handler = WebhookHandler.builder(WebhookHandlerTest.SECRET).build();
    handler.autoDeploy(WebhookHandlerTest.REPO, "main", "shop", c -> {
      deployed.add(c);
      return new CompletableFuture<>();
    });
    server = WebhookServer.builder(handler).bindAddress("127.0.0.1").port(0).path("/hooks/github")
        .maxBodyBytes(64 * 1024).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String path, Delivery d, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, List<String>> h : d.headers().entrySet()) {
      if (!h.getKey().equalsIgnoreCase("User-Agent")) {
        b.header(h.getKey(), h.getValue().get(0));
      }
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSignedPushOverHttpIsAnsweredAtOnceAndQueued() throws Exception {
    Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER);

    long start = System.nanoTime();
    HttpResponse<String> r = post("/hooks/github", d, d.body());

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).contains("queued deploy of 0d1a26e to shop");
    assertThat(r.headers().firstValue("Content-Type")).contains(WebhookResponse.CONTENT_TYPE);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    assertThat(deployed).hasSize(1);
    assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/hooks/github");
  }

  @Test
  void aBadSignatureOverHttpIs401() throws Exception {
    Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER)
        .with("X-Hub-Signature-256", "sha256=" + "ab".repeat(32));

    assertThat(post("/hooks/github", d, d.body()).statusCode()).isEqualTo(401);
    assertThat(deployed).isEmpty();
  }

  @Test
  void otherPathsMethodsAndHugeBodiesAreRefused() throws Exception {
    Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER);
    assertThat(post("/other", d, d.body()).statusCode()).isEqualTo(404);
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/hooks/github")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).contains("POST");
    assertThat(post("/hooks/github", d, new byte[100 * 1024]).statusCode()).isEqualTo(413);
    // chunked, without Content-Length
    HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/hooks/github"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[100 * 1024])))
        .build();
    assertThat(http.send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
    assertThat(deployed).isEmpty();
  }
}
