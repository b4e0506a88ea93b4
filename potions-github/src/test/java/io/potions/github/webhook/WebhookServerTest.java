package io.potions.github.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.github.sim.PushEvents.Delivery;
import io.potions.source.SourceCommit;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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

  // ---------------------------------------------------------------- hostile clients

  /** A raw connection that sends the start of a request byte by byte, then stalls. */
  private static Socket slowClient(int port) throws Exception {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(15_000);
    OutputStream out = s.getOutputStream();
    for (byte b : "POST /hooks/github HTTP/1.1\r\nHost: x\r\nX-Git".getBytes(StandardCharsets.ISO_8859_1)) {
      out.write(b);
      out.flush();
      Thread.sleep(5);
    }
    return s; // and nothing more
  }

  /** Sends raw bytes and reads the answer's status line, waiting at most {@code seconds}. */
  private static String statusLine(Socket s, int seconds) throws Exception {
    s.setSoTimeout(seconds * 1000);
    String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    return all.isEmpty() ? "" : all.substring(0, all.indexOf("\r\n"));
  }

  @Test
  void twoSlowClientsDoNotStopAValidDelivery() throws Exception {
    try (Socket slow1 = slowClient(server.port()); Socket slow2 = slowClient(server.port())) {
      Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER);

      long start = System.nanoTime();
      HttpResponse<String> r = post("/hooks/github", d, d.body());
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(millis).isLessThan(3000);
      assertThat(deployed).hasSize(1);
      System.out.printf("valid delivery answered in %d ms beside two stalled clients%n", millis);
    }
  }

  @Test
  void stalledClientsAreCutOffAtTheDeadlineAndConnectionsOverTheCapAreAnswered503() throws Exception {
    WebhookHandler handler = WebhookHandler.builder(WebhookHandlerTest.SECRET).build();
    handler.autoDeploy(WebhookHandlerTest.REPO, "main", "shop", c -> {
      deployed.add(c);
      return new CompletableFuture<>();
    });
    try (WebhookServer small = WebhookServer.builder(handler).port(0).path("/hooks/github").threads(2)
        .readTimeout(Duration.ofSeconds(1)).start();
         Socket slow1 = slowClient(small.port()); Socket slow2 = slowClient(small.port());
         Socket third = new Socket("127.0.0.1", small.port())) {
      long start = System.nanoTime();
      assertThat(statusLine(third, 5)).isEqualTo("HTTP/1.1 503 Service Unavailable"); // at once, unread
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(800);

      // a client that keeps trickling bytes gets no more than the deadline either
      assertThat(statusLine(slow1, 5)).isEqualTo("HTTP/1.1 408 Request Timeout");
      assertThat(statusLine(slow2, 5)).isEqualTo("HTTP/1.1 408 Request Timeout");
      long cutOff = (System.nanoTime() - start) / 1_000_000;
      assertThat(cutOff).isLessThan(2500);

      Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER);
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.port() + "/hooks/github"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
      d.headers().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("User-Agent")) {
          b.header(k, v.get(0));
        }
      });
      assertThat(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
      System.out.printf("stalled clients cut off after %d ms (deadline 1000 ms)%n", cutOff);
    }
  }

  @Test
  void aTricklingClientIsCutOffAtTheDeadline() throws Exception {
    WebhookHandler handler = WebhookHandler.builder(WebhookHandlerTest.SECRET).build();
    try (WebhookServer quick = WebhookServer.builder(handler).port(0).readTimeout(Duration.ofSeconds(1)).start();
         Socket s = new Socket("127.0.0.1", quick.port())) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread trickle = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write("POST /github/webhook HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
          while (!stop.get()) {
            out.write('X'); // a header that never ends, one byte every 50 ms
            out.flush();
            Thread.sleep(50);
          }
        } catch (Exception e) {
          // the server closed the connection
        }
      });
      long start = System.nanoTime();
      trickle.start();
      String status = statusLine(s, 5);
      stop.set(true);
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(status).isEqualTo("HTTP/1.1 408 Request Timeout");
      assertThat(millis).isBetween(900L, 2500L);
      trickle.join(2000);
    }
  }

  @Test
  void aHugeContentLengthIsRefusedBeforeTheBodyIsRead() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      Delivery d = WebhookHandlerTest.push("refs/heads/main", WebhookHandlerTest.AFTER);
      StringBuilder head = new StringBuilder("POST /hooks/github HTTP/1.1\r\nHost: x\r\n");
      d.headers().forEach((k, v) -> head.append(k).append(": ").append(v.get(0)).append("\r\n"));
      head.append("Content-Length: ").append(26L * 1024 * 1024).append("\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write("{\"ref\"".getBytes(StandardCharsets.ISO_8859_1)); // a few bytes of the 26 MiB, then nothing
      out.flush();

      long start = System.nanoTime();
      String status = statusLine(s, 5);
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(status).isEqualTo("HTTP/1.1 413 Content Too Large");
      assertThat(millis).isLessThan(1500);
      assertThat(deployed).isEmpty();
    }
  }

  @Test
  void aChunkLargerThanTheLimitIsRefusedBeforeItIsRead() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /hooks/github HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "1000\r\n" + "x".repeat(4096) + "\r\n" + "4000000\r\nxx").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      assertThat(statusLine(s, 5)).isEqualTo("HTTP/1.1 413 Content Too Large");
      assertThat(deployed).isEmpty();
    }
  }

  @Test
  void itListensOnLoopbackUnlessToldOtherwise() throws Exception {
    WebhookHandler handler = WebhookHandler.builder(WebhookHandlerTest.SECRET).build();
    try (WebhookServer plain = WebhookServer.builder(handler).port(0).start()) {
      assertThat(plain.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(plain.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(plain.uri().toString()).isEqualTo("http://127.0.0.1:" + plain.port() + "/github/webhook");
      Optional<InetAddress> external = nonLoopbackAddress();
      if (external.isPresent()) { // not reachable from another interface of this host
        assertThatThrownBy(() -> new Socket(external.get(), plain.port()).close()).isInstanceOf(ConnectException.class);
      }
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
