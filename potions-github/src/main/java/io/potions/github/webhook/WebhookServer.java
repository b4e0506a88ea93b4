package io.potions.github.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.potions.InvalidInputException;
import io.potions.PotionsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for GitHub webhooks on the JDK's own {@code com.sun.net.httpserver}, for
 * programs without a web framework. It accepts {@code POST} on one path, reads the raw body up to a
 * size limit and hands it to a {@link WebhookHandler}.
 *
 * <pre>{@code
 * try (WebhookServer endpoint = WebhookServer.builder(handler)
 *     .bindAddress("0.0.0.0").port(8787).path("/github/webhook").start()) {
 *   // GitHub delivers to http://HOST:8787/github/webhook
 * }
 * }</pre>
 *
 * <p>It speaks plain HTTP: put it behind TLS (Caddy, the server's reverse proxy, does that in a few
 * lines) when GitHub reaches it over the internet.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
  /** How much of a too-large body is read and dropped before answering 413 (GitHub's own cap is 25 MB). */
  private static final long DRAIN_LIMIT = 26L * 1024 * 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final WebhookHandler handler;
  private final String path;
  private final long maxBodyBytes;
  private final String host;

  private WebhookServer(Builder b) throws IOException {
    this.handler = b.handler;
    this.path = b.path;
    this.maxBodyBytes = b.maxBodyBytes > 0 ? b.maxBodyBytes : handler.maxBodyBytes();
    this.host = b.bindAddress;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(b.threads, r -> {
      Thread t = new Thread(r, "potions-webhooks-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = HttpServer.create(new InetSocketAddress(b.bindAddress, b.port), 64);
    server.createContext("/", this::serve);
    server.setExecutor(executor);
    server.start();
    log.info("webhook endpoint listening on {}", uri());
  }

  /**
   * @param handler the handler deliveries go to
   * @return a builder
   */
  public static Builder builder(WebhookHandler handler) {
    return new Builder(handler);
  }

  /** @return the port it listens on (the chosen one when the builder asked for 0) */
  public int port() {
    return server.getAddress().getPort();
  }

  /** @return the endpoint's address, such as {@code http://0.0.0.0:8787/github/webhook} */
  public URI uri() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + port() + path);
  }

  private void serve(HttpExchange exchange) {
    try (exchange) {
      String requestPath = exchange.getRequestURI().getPath();
      if (!path.equals(requestPath)) {
        reply(exchange, 404, "not found");
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        reply(exchange, 405, "only POST");
        return;
      }
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      if (length != null) {
        try {
          if (Long.parseLong(length.trim()) > DRAIN_LIMIT) {
            reply(exchange, 413, "payload larger than " + maxBodyBytes + " bytes");
            return;
          }
        } catch (NumberFormatException e) {
          reply(exchange, 400, "bad Content-Length");
          return;
        }
      }
      byte[] body = readAtMost(exchange.getRequestBody(), maxBodyBytes);
      if (body == null) {
        reply(exchange, 413, "payload larger than " + maxBodyBytes + " bytes");
        return;
      }
      WebhookResponse response = handler.handle(exchange.getRequestHeaders(), body);
      reply(exchange, response.status(), response.body());
    } catch (IOException | RuntimeException e) {
      log.warn("webhook endpoint failed on a request: {}", e.toString());
      try {
        reply(exchange, 500, "internal error");
      } catch (IOException | RuntimeException ignored) {
        // the response was already under way; the connection is closed either way
      }
    }
  }

  /**
   * Reads the body. A body over the limit is read on and dropped (up to {@link #DRAIN_LIMIT}) so
   * that the client, still sending, receives the 413 instead of a reset connection.
   *
   * @return the body, or {@code null} when it is longer than {@code max}
   */
  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      if (total > DRAIN_LIMIT) {
        return null;
      }
      if (total <= max) {
        out.write(buffer, 0, n);
      }
    }
    return total > max ? null : out.toByteArray();
  }

  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", WebhookResponse.CONTENT_TYPE);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening at once. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "WebhookServer[" + uri() + "]";
  }

  /** Settings for a {@link WebhookServer}. */
  public static final class Builder {
    private final WebhookHandler handler;
    private String bindAddress = "0.0.0.0";
    private int port = 8787;
    private String path = "/github/webhook";
    private long maxBodyBytes;
    private int threads = 2;

    private Builder(WebhookHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * @param address the address to listen on (default {@code 0.0.0.0}, every interface; use
     *     {@code 127.0.0.1} behind a local reverse proxy)
     * @return this
     */
    public Builder bindAddress(String address) {
      if (address == null || address.isBlank()) {
        throw new InvalidInputException("Give an address to listen on, such as 0.0.0.0 or 127.0.0.1.");
      }
      this.bindAddress = address;
      return this;
    }

    /**
     * @param port the port (default 8787; 0 picks a free one, see {@link WebhookServer#port()})
     * @return this
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new InvalidInputException("Port " + port + " is not between 0 and 65535.");
      }
      this.port = port;
      return this;
    }

    /**
     * @param path the path GitHub posts to (default {@code /github/webhook}); other paths answer 404
     * @return this
     */
    public Builder path(String path) {
      if (path == null || !path.matches("/[A-Za-z0-9._~/-]*")) {
        throw new InvalidInputException("Webhook path '" + path + "' must start with / and hold only URL-safe"
            + " characters.");
      }
      this.path = path;
      return this;
    }

    /**
     * @param bytes the largest body read (default: the handler's limit); larger bodies answer 413
     *     unread
     * @return this
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024) {
        throw new InvalidInputException("maxBodyBytes must be at least 1024.");
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * @param threads how many requests are handled at once (default 2)
     * @return this
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new InvalidInputException("threads must be between 1 and 64.");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Starts listening.
     *
     * @return the running endpoint; close it to stop
     */
    public WebhookServer start() {
      try {
        return new WebhookServer(this);
      } catch (IOException e) {
        throw new PotionsException("Could not listen for webhooks on " + bindAddress + ":" + port + ": "
            + e.getMessage() + ". Is the port in use?", e);
      }
    }
  }
}
