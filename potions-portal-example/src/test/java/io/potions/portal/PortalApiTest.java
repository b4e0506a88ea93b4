package io.potions.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.progress.ProgressEvent;
import io.potions.secret.Secret;
import io.potions.testkit.LocalCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The portal's HTTP side without a server: bad input answered with the SDK's message and nothing
 * started, and the SDK's event stream relayed as server-sent events, resumable with Last-Event-ID.
 * (The browser test covers the rest on a real server.)
 */
class PortalApiTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Potions potions;
  private Portal portal;
  private String base;

  @BeforeEach
  void start() throws Exception {
    Path home = Files.createTempDirectory("portal-api-test-");
    potions = Potions.builder().cloud(LocalCloud.fromSnapshot()).home(home).build();
    portal = new Portal(potions, Portal.localSources(), Secret.of("s3cret")).start(0);
    base = "http://127.0.0.1:" + portal.port();
  }

  @AfterEach
  void stop() {
    portal.close();
    potions.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void badInputIsAnsweredWithTheSdksMessageAndStartsNothing() throws Exception {
    HttpResponse<String> r = call("POST", "/api/servers", "{\"name\":\"Bad_Name\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Server name 'Bad_Name' is not valid");
    assertThat(call("GET", "/api/servers", null).body()).isEqualTo("[]");

    HttpResponse<String> unknown = call("POST", "/api/servers/nowhere/apps", "{\"name\":\"shop\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("No server named nowhere");

    HttpResponse<String> hook = call("POST", "/webhooks/github", "{}");
    assertThat(hook.statusCode()).as("an unsigned delivery is refused").isEqualTo(401);
  }

  /** Reads an SSE response's {@code id:} and {@code data:} lines until {@code n} events came. */
  private List<String[]> readEvents(String path, String lastEventId, int n) throws Exception {
    // What a browser's EventSource sends; Javalin serves SSE only to it.
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      req.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response = http.send(req.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    return CompletableFuture.supplyAsync(() -> {
      List<String[]> events = new ArrayList<>();
      String id = null;
      Iterator<String> lines = response.body().iterator();
      while (events.size() < n && lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          events.add(new String[] {id, line.substring(5).trim()});
        }
      }
      response.body().close();
      return events;
    }).get(20, TimeUnit.SECONDS);
  }

  @Test
  void eventsStreamAsSseWithIdsAndResumeAfterLastEventId() throws Exception {
    CompletableFuture<List<String[]>> live = CompletableFuture.supplyAsync(() -> {
      try {
        return readEvents("/api/events?server=s1", null, 2);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // Publish until the live subscriber has seen two (it connects at some point in between).
    long first = 0;
    for (int i = 0; i < 200 && !live.isDone(); i++) {
      long id = potions.events().publish("s1", "shop", "d1", new ProgressEvent.StepOutput("s1", "build", "line " + i)).id();
      first = first == 0 ? id : first;
      potions.events().publish("s2", "blog", "d2", new ProgressEvent.StepOutput("s2", "build", "other server"));
      Thread.sleep(50);
    }
    List<String[]> got = live.get(20, TimeUnit.SECONDS);
    assertThat(got).allSatisfy(e -> assertThat(e[1]).contains("\"server\":\"s1\"").contains("\"type\":\"line\""));
    assertThat(Long.parseLong(got.get(1)[0])).isGreaterThan(Long.parseLong(got.get(0)[0]));

    // A reconnecting page sends the last id it saw and gets exactly what followed (for its filter).
    List<String[]> resumed = readEvents("/api/events?server=s1", Long.toString(first), 2);
    assertThat(resumed.get(0)[1]).contains("\"line\":\"line 1\"");
    assertThat(resumed.get(1)[1]).contains("\"line\":\"line 2\"");
  }

  @Test
  void aDeploymentsEventsReplayFromItsFirstEvent() throws Exception {
    potions.events().publish("s1", "shop", "dep-1", new ProgressEvent.StepOutput("s1", "build", "first line"));
    potions.events().publish("s1", "shop", "dep-2", new ProgressEvent.StepOutput("s1", "build", "another deploy"));
    potions.events().publish("s1", "shop", "dep-1", new ProgressEvent.StepOutput("s1", "build", "second line"));
    List<String[]> events = readEvents("/api/deployments/dep-1/events", null, 2);
    assertThat(events.get(0)[1]).contains("first line");
    assertThat(events.get(1)[1]).contains("second line");
  }
}
