package io.potions.github.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A real git smart-HTTP server for tests, like github.com's: {@code git http-backend} (the CGI
 * program that ships with git) behind the JDK's HttpServer, serving the bare repositories under a
 * root directory at {@code /OWNER/NAME.git}. Every request must carry HTTP basic auth with user
 * {@code x-access-token} and a password the given predicate accepts, else it is answered 401 with a
 * {@code WWW-Authenticate} challenge. {@code Content-Encoding} (JGit gzips POST bodies) and
 * {@code Git-Protocol} are passed through to git.
 */
public final class GitHttpServer implements AutoCloseable {
  /** One request served. */
  public record Request(String method, String path, String query, int status, long bytesSent, String user) {}

  private final Path root;
  private final Predicate<String> tokens;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "git-http");
    t.setDaemon(true);
    return t;
  });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong refused = new AtomicLong();

  /**
   * Starts serving on a free port of 127.0.0.1.
   *
   * @param root the directory holding {@code OWNER/NAME.git} bare repositories
   * @param tokens which passwords (tokens) are accepted now
   */
  public GitHttpServer(Path root, Predicate<String> tokens) {
    this(root, tokens, "127.0.0.1");
  }

  /**
   * Starts serving on a free port.
   *
   * @param root the directory holding {@code OWNER/NAME.git} bare repositories
   * @param tokens which passwords (tokens) are accepted now
   * @param bindAddress the address to listen on
   */
  public GitHttpServer(Path root, Predicate<String> tokens, String bindAddress) {
    this.root = root;
    this.tokens = tokens;
    try {
      this.server = HttpServer.create(new InetSocketAddress(bindAddress, 0), 32);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::serve);
    server.setExecutor(executor);
    server.start();
  }

  /** @return the base URL, such as {@code http://127.0.0.1:41234} (repositories at /OWNER/NAME.git) */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** @return every request served with valid credentials, or refused */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** @return how many requests were refused for missing or wrong credentials */
  public long refused() {
    return refused.get();
  }

  /** Forgets the recorded requests. */
  public void clear() {
    requests.clear();
    refused.set(0);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      String user = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
      if (user == null) {
        refused.incrementAndGet();
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"GitHub\"");
        byte[] body = "Invalid username or token.\n".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(401, body.length);
        exchange.getResponseBody().write(body);
        requests.add(new Request(exchange.getRequestMethod(), path, query, 401, body.length, null));
        return;
      }
      if (path.contains("..") || !path.matches("/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+\\.git/.*")) {
        exchange.sendResponseHeaders(404, -1);
        requests.add(new Request(exchange.getRequestMethod(), path, query, 404, 0, user));
        return;
      }
      cgi(exchange, path, query, user);
    }
  }

  /** @return the user when the credentials are acceptable, else {@code null} */
  private String authenticate(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String user = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    return user.equals("x-access-token") && tokens.test(password) ? user : null;
  }

  private void cgi(HttpExchange exchange, String path, String query, String user) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
    Map<String, String> env = pb.environment();
    env.put("GIT_PROJECT_ROOT", root.toAbsolutePath().toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("PATH_INFO", path);
    env.put("QUERY_STRING", query == null ? "" : query);
    env.put("REQUEST_METHOD", exchange.getRequestMethod());
    env.put("REMOTE_USER", user);
    env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
    env.put("SERVER_PROTOCOL", "HTTP/1.1");
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    copyHeader(exchange, "Content-Type", env, "CONTENT_TYPE");
    copyHeader(exchange, "Content-Length", env, "CONTENT_LENGTH");
    copyHeader(exchange, "Content-Encoding", env, "HTTP_CONTENT_ENCODING");
    copyHeader(exchange, "Git-Protocol", env, "GIT_PROTOCOL");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = pb.start();
    // Feed the request body on another thread so a large answer cannot deadlock against it.
    executor.execute(() -> {
      try (OutputStream stdin = process.getOutputStream(); InputStream body = exchange.getRequestBody()) {
        body.transferTo(stdin);
      } catch (IOException ignored) {
        // git stopped reading: it answers with an error of its own
      }
    });
    InputStream stdout = process.getInputStream();
    int status = 200;
    String line;
    while ((line = readLine(stdout)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Status")) {
        status = Integer.parseInt(value.split(" ")[0]);
      } else {
        exchange.getResponseHeaders().add(name, value);
      }
    }
    exchange.sendResponseHeaders(status, 0);
    long sent;
    try (OutputStream out = exchange.getResponseBody()) {
      sent = stdout.transferTo(out);
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    requests.add(new Request(exchange.getRequestMethod(), path, query, status, sent, user));
  }

  private static void copyHeader(HttpExchange exchange, String header, Map<String, String> env, String variable) {
    String value = exchange.getRequestHeaders().getFirst(header);
    if (value != null) {
      env.put(variable, value);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
