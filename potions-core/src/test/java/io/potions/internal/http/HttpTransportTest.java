package io.potions.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.potions.http.ApiUnreachableException;
import io.potions.http.HttpApiException;
import io.potions.http.RateLimitedException;
import io.potions.http.RequestRejectedException;
import io.potions.http.ServerErrorException;
import io.potions.secret.Redactor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport against a tiny local HTTP server: retries, waits, errors and pages. */
class HttpTransportTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  /** One canned answer. */
  private record Canned(int status, Map<String, String> headers, String body, Duration delay) {
    static Canned of(int status, String body, String... headers) {
      Map<String, String> h = new java.util.LinkedHashMap<>();
      for (int i = 0; i < headers.length; i += 2) {
        h.put(headers[i], headers[i + 1]);
      }
      return new Canned(status, h, body, Duration.ZERO);
    }
  }

  /** A request as the server saw it. */
  private record Seen(String method, String pathAndQuery, String authorization, String userAgent, String accept,
      String body) {}

  private HttpServer server;
  private URI base;
  private final Deque<Canned> answers = new ConcurrentLinkedDeque<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
        exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("User-Agent"),
        exchange.getRequestHeaders().getFirst("Accept"), body));
    Canned c = answers.isEmpty() ? Canned.of(200, "{\"ok\":true}") : answers.poll();
    try {
      Thread.sleep(c.delay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    c.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = c.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(c.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  /** A plain error mapper, like an API client's without the wording. */
  private static HttpApiException map(ApiFailure f) {
    String said = f.what() + " -> " + f.status() + (f.field("message") == null ? "" : " " + f.field("message"));
    if (f.status() == 429) {
      return new RateLimitedException("Test", said, 429, f.requestId(), f.field("id"),
          RetryAfter.header(f.headers(), f.receivedAt()).orElse(null));
    }
    if (f.status() >= 500) {
      return new ServerErrorException("Test", said, f.status(), f.requestId(), f.field("id"));
    }
    return new RequestRejectedException("Test", said, f.status(), f.requestId(), f.field("id"));
  }

  private HttpTransport.Builder transport() {
    return HttpTransport.builder("Test", base, HttpTransportTest::map)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .sleeper(sleeps::add)
        .authorization(() -> "Bearer t0ken")
        .retries(4, Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(60));
  }

  @Test
  void aCallCarriesTheHeadersAndReadsTheJsonAnswer() {
    answers.add(Canned.of(200, "{\"name\":\"web\"}", "x-request-id", "req-1"));
    HttpTransport http = transport().header("Accept", "application/vnd.test+json").userAgent("potions-test").build();

    ApiResponse a = http.send("POST", "/v1/things?x=1", new ObjectMapper().createObjectNode().put("name", "web"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().path("name").asText()).isEqualTo("web");
    assertThat(a.requestId()).isEqualTo("req-1");
    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.method()).isEqualTo("POST");
      assertThat(s.pathAndQuery()).isEqualTo("/api/v1/things?x=1");
      assertThat(s.authorization()).isEqualTo("Bearer t0ken");
      assertThat(s.userAgent()).isEqualTo("potions-test");
      assertThat(s.accept()).isEqualTo("application/vnd.test+json");
      assertThat(s.body()).isEqualTo("{\"name\":\"web\"}");
    });
  }

  @Test
  void anEmptyAnswerIsAnEmptyObject() {
    answers.add(Canned.of(204, ""));

    JsonNode body = transport().build().send("DELETE", "/v1/things/1", null).body();

    assertThat(body.isObject()).isTrue();
    assertThat(body.isEmpty()).isTrue();
  }

  @Test
  void a429IsRetriedAfterTheWaitItsRetryAfterAsksFor() {
    answers.add(Canned.of(429, "{}", "Retry-After", "3"));
    answers.add(Canned.of(429, "{}", "Retry-After", "Tue, 01 Jan 2030 00:00:07 GMT"));

    ApiResponse a = transport().build().send("POST", "/v1/things", null); // even a POST: nothing was done

    assertThat(a.status()).isEqualTo(200);
    assertThat(seen).hasSize(3);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(7));
  }

  @Test
  void a429AskingForMoreThanTheBoundFailsAtOnceWithTheWait() {
    answers.add(Canned.of(429, "{\"id\":\"too_many_requests\"}", "Retry-After", "120", "x-request-id", "req-429"));
    HttpTransport http = transport().retries(4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10))
        .build();

    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, () -> http.get("/v1/things"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.requestId()).contains("req-429");
    assertThat(e.errorId()).contains("too_many_requests");
    assertThat(e.api()).isEqualTo("Test");
    assertThat(seen).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedWithDoublingBackoffUpToTheMax() {
    for (int i = 0; i < 3; i++) {
      answers.add(Canned.of(503, "{\"message\":\"busy\"}"));
    }

    assertThat(transport().build().get("/v1/things").status()).isEqualTo(200);

    assertThat(seen).hasSize(4);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
  }

  @Test
  void lastingServerErrorsEndAfterTheAttemptsWithStatusAndRequestId() {
    for (int i = 0; i < 10; i++) {
      answers.add(Canned.of(502, "{\"message\":\"down\"}", "x-request-id", "req-" + i));
    }

    ServerErrorException e = catchThrowableOfType(ServerErrorException.class,
        () -> transport().build().get("/v1/things"));

    assertThat(e.status()).isEqualTo(502);
    assertThat(e.requestId()).contains("req-3");
    assertThat(e.getMessage()).contains("GET /v1/things -> 502 down");
    assertThat(seen).hasSize(4);
  }

  @Test
  void aServerErrorOnACallNotSafeToRepeatIsNotRetried() {
    answers.add(Canned.of(500, "{}"));

    assertThatThrownBy(() -> transport().build().send("POST", "/v1/things", null))
        .isInstanceOf(ServerErrorException.class);

    assertThat(seen).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aClientErrorIsNeverRetried() {
    answers.add(Canned.of(422, "{\"id\":\"unprocessable_entity\",\"message\":\"bad size\"}", "x-request-id", "r-422"));

    RequestRejectedException e = catchThrowableOfType(RequestRejectedException.class,
        () -> transport().build().send("PUT", "/v1/things/1", null));

    assertThat(e.status()).isEqualTo(422);
    assertThat(e.requestId()).contains("r-422");
    assertThat(e.errorId()).contains("unprocessable_entity");
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e.getMessage()).contains("bad size");
    assertThat(seen).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void theAuthorizationIsAskedForOnEveryAttempt() {
    answers.add(Canned.of(503, "{}"));
    AtomicInteger n = new AtomicInteger();

    transport().build().send("GET", "/v1/things", null, true, () -> "Bearer t" + n.incrementAndGet());

    assertThat(seen).extracting(Seen::authorization).containsExactly("Bearer t1", "Bearer t2");
  }

  @Test
  void aTimeoutIsUnreachableAndRetriedOnlyWhenSafe() {
    answers.add(new Canned(200, Map.of(), "{}", Duration.ofSeconds(2)));
    HttpTransport http = transport().callTimeout(Duration.ofMillis(200)).build();

    ApiUnreachableException e = catchThrowableOfType(ApiUnreachableException.class,
        () -> http.send("POST", "/v1/things", null));

    assertThat(e.timedOut()).isTrue();
    assertThat(e.status()).isZero();
    assertThat(e.getMessage()).contains("Test did not answer POST /v1/things within 200 ms");
    assertThat(sleeps).isEmpty();
  }

  @Test
  void anUnreachableApiIsRetriedForReadsAndNamesTheAddress() {
    HttpTransport http = HttpTransport.builder("Test", URI.create("http://127.0.0.1:1"), HttpTransportTest::map)
        .sleeper(sleeps::add).retries(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ZERO).build();

    ApiUnreachableException e = catchThrowableOfType(ApiUnreachableException.class, () -> http.get("/v1/things"));

    assertThat(e.timedOut()).isFalse();
    assertThat(e.getMessage()).contains("Could not reach the Test API at http://127.0.0.1:1");
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void messagesNeverShowWhatTheRedactorKnows() {
    Redactor redactor = new Redactor();
    redactor.register("s3cr3t-value");
    HttpTransport http = HttpTransport.builder("Test", URI.create("http://127.0.0.1:1/s3cr3t-value"),
        HttpTransportTest::map).redactor(redactor).sleeper(sleeps::add)
        .retries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ZERO).build();

    assertThatThrownBy(() -> http.get("/v1")).isInstanceOf(ApiUnreachableException.class)
        .hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void aNonJsonSuccessIsAnError() {
    answers.add(Canned.of(200, "<html>proxy</html>", "x-request-id", "r-html"));

    HttpApiException e = catchThrowableOfType(HttpApiException.class, () -> transport().build().get("/v1"));

    assertThat(e.status()).isEqualTo(200);
    assertThat(e.requestId()).contains("r-html");
    assertThat(e.getMessage()).contains("not JSON");
  }

  @Test
  void everyAnswerIsObserved() {
    answers.add(Canned.of(503, "{}", "x-ratelimit-remaining", "9"));
    List<String> observed = new ArrayList<>();

    transport().onAnswer((status, h) -> observed.add(status + " " + h.firstValue("x-ratelimit-remaining").orElse("-")))
        .build().get("/v1");

    assertThat(observed).containsExactly("503 9", "200 -");
  }

  @Test
  void pagesFollowTheLinkHeader() {
    String root = base.toString().substring(0, base.toString().length() - 1);
    answers.add(Canned.of(200, "{\"items\":[1,2]}", "Link", "<" + root + "/v1/items?page=2>; rel=\"next\", <"
        + root + "/v1/items?page=3>; rel=\"last\""));
    answers.add(Canned.of(200, "{\"items\":[3]}", "Link", "<" + root + "/v1/items?page=1>; rel=\"first\""));
    HttpTransport http = transport().build();

    List<Integer> all = Pagination.collect("Test", "/v1/items", "/v1/items?page=1", next -> {
      ApiResponse page = http.get(next);
      List<Integer> items = new ArrayList<>();
      page.body().path("items").forEach(n -> items.add(n.asInt()));
      return new Pagination.Page<>(items, Pagination.linkHeaderNext(page.headers())
          .map(link -> link.substring(root.length())));
    });

    assertThat(all).containsExactly(1, 2, 3);
    assertThat(seen).extracting(Seen::pathAndQuery).containsExactly("/api/v1/items?page=1", "/api/v1/items?page=2");
  }

  @Test
  void pagesFollowALinkInTheBody() {
    answers.add(Canned.of(200, "{\"items\":[1],\"links\":{\"pages\":{\"next\":\"/v1/items?page=2\"}}}"));
    answers.add(Canned.of(200, "{\"items\":[2],\"links\":{\"pages\":{\"next\":\"\"}}}"));
    HttpTransport http = transport().build();

    List<Integer> all = Pagination.collect("Test", "/v1/items", "/v1/items?page=1", next -> {
      JsonNode page = http.get(next).body();
      List<Integer> items = new ArrayList<>();
      page.path("items").forEach(n -> items.add(n.asInt()));
      return new Pagination.Page<>(items, Pagination.bodyNext(page, "/links/pages/next"));
    });

    assertThat(all).containsExactly(1, 2);
  }

  @Test
  void pagesThatLoopAreRefused() {
    assertThatThrownBy(() -> Pagination.collect("Test", "/v1/items", "p1",
        next -> new Pagination.Page<>(List.of(next), Optional.of(next.equals("p1") ? "p2" : "p1"))))
        .isInstanceOf(HttpApiException.class).hasMessageContaining("loops back");
  }

  @Test
  void retryAfterAndResetsAreRead() {
    assertThat(RetryAfter.parse("12", NOW)).contains(Duration.ofSeconds(12));
    assertThat(RetryAfter.parse("-5", NOW)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("Tue, 01 Jan 2030 00:01:00 GMT", NOW)).contains(Duration.ofMinutes(1));
    assertThat(RetryAfter.parse("Mon, 31 Dec 2029 23:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    java.net.http.HttpHeaders h = java.net.http.HttpHeaders.of(
        Map.of("ratelimit-reset", List.of(String.valueOf(NOW.getEpochSecond() + 30))), (a, b) -> true);
    assertThat(RetryAfter.untilEpochSecond(h, "ratelimit-reset", NOW)).contains(Duration.ofSeconds(30));
    assertThat(RetryAfter.untilEpochSecond(h, "x-ratelimit-reset", NOW)).isEmpty();
    assertThat(RetryAfter.describe(Duration.ofMillis(300))).isEqualTo("300 ms");
    assertThat(RetryAfter.describe(Duration.ofSeconds(90))).isEqualTo("90 s");
  }
}
