package io.potions.github.webhook;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 endpoint for GitHub webhooks, for programs without a web framework. It accepts
 * {@code POST} on one path, reads the raw body up to a size limit and hands it to a
 * {@link WebhookHandler}; every connection carries one request and is closed after the answer.
 *
 * <pre>{@code
 * try (WebhookServer endpoint = WebhookServer.builder(handler)
 *     .port(8787).path("/github/webhook").start()) {
 *   // a local reverse proxy (Caddy) terminates TLS and forwards to http://127.0.0.1:8787/github/webhook
 * }
 * }</pre>
 *
 * <p>Made to face clients it does not trust:
 * <ul>
 *   <li>it listens on loopback ({@code 127.0.0.1}) unless the builder names another address; it
 *       speaks plain HTTP, so put it behind TLS (Caddy, the server's reverse proxy, does that in a
 *       few lines) when GitHub reaches it over the internet;
 *   <li>a request (line, headers and body) must arrive within the {@link Builder#readTimeout(Duration)
 *       read timeout} (default 10 s), or it is answered 408 and closed: a client that trickles its
 *       headers byte by byte holds a connection for that long at most;
 *   <li>at most {@link Builder#threads(int) N} connections (default 16) are served at once; more are
 *       answered 503 at once, without reading them;
 *   <li>a {@code Content-Length} over the body limit is answered 413 before any of the body is read;
 *       a chunked body is read only up to the limit.
 * </ul>
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_HEADERS = 100;
  /** After an early answer, what is read and dropped so that the client sees it rather than a reset. */
  private static final int DRAIN_BYTES = 1024 * 1024;
  private static final long DRAIN_MILLIS = 1000;

  private final ServerSocket listener;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor refusals;
  private final Semaphore connections;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final WebhookHandler handler;
  private final String path;
  private final long maxBodyBytes;
  private final long readTimeoutNanos;
  private final String host;
  private final Thread acceptor;
  private volatile boolean closed;

  private WebhookServer(Builder b) throws IOException {
    this.handler = b.handler;
    this.path = b.path;
    this.maxBodyBytes = b.maxBodyBytes > 0 ? b.maxBodyBytes : handler.maxBodyBytes();
    this.readTimeoutNanos = b.readTimeout.toNanos();
    this.host = b.bindAddress;
    this.connections = new Semaphore(b.threads);
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> daemon(r, "potions-webhooks-" + n.incrementAndGet()));
    workers.allowCoreThreadTimeOut(true);
    // One thread answers the connections over the cap; when even its queue is full they are just closed.
    this.refusals = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
        r -> daemon(r, "potions-webhooks-busy"));
    refusals.allowCoreThreadTimeOut(true);
    this.listener = new ServerSocket();
    try {
      listener.bind(new InetSocketAddress(InetAddress.getByName(b.bindAddress), b.port), 64);
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    this.acceptor = daemon(this::acceptLoop, "potions-webhooks-accept");
    acceptor.start();
    log.info("webhook endpoint listening on {}", uri());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
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
    return listener.getLocalPort();
  }

  /** @return the address and port it listens on */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** @return the endpoint's address, such as {@code http://127.0.0.1:8787/github/webhook} */
  public URI uri() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + port() + path);
  }

  // ---------------------------------------------------------------- connections

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("webhook endpoint could not accept a connection: {}", e.toString());
        }
        continue;
      }
      if (!connections.tryAcquire()) {
        refuseBusy(socket);
        continue;
      }
      try {
        workers.execute(() -> {
          try {
            serve(socket);
          } finally {
            connections.release();
          }
        });
      } catch (RejectedExecutionException e) {
        connections.release();
        closeQuietly(socket);
      }
    }
  }

  /** Over the cap: 503 at once, nothing read (the refusing thread spends at most a second on it). */
  private void refuseBusy(Socket socket) {
    try {
      refusals.execute(() -> {
        try (socket) {
          log.debug("webhook endpoint busy: refused a connection from {}", socket.getRemoteSocketAddress());
          reply(socket.getOutputStream(), 503, "busy, retry later", Map.of("Retry-After", "1"));
          drainAndClose(socket, socket.getInputStream(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        } catch (IOException e) {
          // the client went away; nothing to answer
        }
      });
    } catch (RejectedExecutionException e) {
      closeQuietly(socket);
    }
  }

  private void serve(Socket socket) {
    open.add(socket);
    try (socket) {
      if (closed) {
        return;
      }
      socket.setTcpNoDelay(true);
      DeadlineInput in = new DeadlineInput(socket, System.nanoTime() + readTimeoutNanos);
      OutputStream out = socket.getOutputStream();
      try {
        WebhookResponse response = exchange(in, out);
        reply(out, response.status(), response.body(), Map.of());
        socket.shutdownOutput();
      } catch (EarlyAnswer early) {
        // answered before the request was read to its end: let the client read the answer
        reply(out, early.status, early.getMessage(), early.headers);
        drainAndClose(socket, in.raw, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
      } catch (SocketTimeoutException e) {
        log.debug("webhook endpoint: {} did not send its request in time", socket.getRemoteSocketAddress());
        reply(out, 408, "request not received within " + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms",
            Map.of());
      }
    } catch (IOException e) {
      log.debug("webhook endpoint: connection failed: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("webhook endpoint failed on a request: {}", e.toString());
    } finally {
      open.remove(socket);
    }
  }

  /** Reads one request and hands it to the handler. */
  private WebhookResponse exchange(DeadlineInput in, OutputStream out) throws IOException {
    String requestLine = in.readLine();
    for (int blank = 0; requestLine != null && requestLine.isEmpty() && blank < 4; blank++) {
      requestLine = in.readLine(); // a stray CRLF before the request line is allowed
    }
    if (requestLine == null) {
      throw new EarlyAnswer(400, "no request");
    }
    String[] parts = requestLine.split(" ", -1);
    if (parts.length != 3 || !parts[0].matches("[A-Z]{1,20}") || !parts[2].startsWith("HTTP/1.")) {
      throw new EarlyAnswer(400, "bad request line");
    }
    Map<String, List<String>> headers = readHeaders(in);
    String requestPath;
    try {
      requestPath = new URI(parts[1]).getPath();
    } catch (URISyntaxException e) {
      throw new EarlyAnswer(400, "bad request target");
    }
    if (!path.equals(requestPath)) {
      throw new EarlyAnswer(404, "not found");
    }
    if (!"POST".equals(parts[0])) {
      throw new EarlyAnswer(405, "only POST", Map.of("Allow", "POST"));
    }
    byte[] body = readBody(in, out, headers);
    return handler.handle(headers, body);
  }

  private static Map<String, List<String>> readHeaders(DeadlineInput in) throws IOException {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int count = 0;
    int bytes = 0;
    while (true) {
      String line = in.readLine();
      if (line == null) {
        throw new EarlyAnswer(400, "headers cut short");
      }
      if (line.isEmpty()) {
        return headers;
      }
      bytes += line.length();
      if (++count > MAX_HEADERS || bytes > MAX_HEADER_BYTES) {
        throw new EarlyAnswer(431, "too many headers");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new EarlyAnswer(400, "bad header line"); // also refuses folded (obsolete) lines
      }
      headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
    }
  }

  /** Reads the body, refusing before reading it when it says it is too large. */
  private byte[] readBody(DeadlineInput in, OutputStream out, Map<String, List<String>> headers) throws IOException {
    List<String> encodings = headers.get("Transfer-Encoding");
    List<String> lengths = headers.get("Content-Length");
    boolean chunked = false;
    long length = 0;
    if (encodings != null) {
      if (lengths != null) {
        throw new EarlyAnswer(400, "both Transfer-Encoding and Content-Length");
      }
      if (encodings.size() != 1 || !encodings.get(0).equalsIgnoreCase("chunked")) {
        throw new EarlyAnswer(501, "only chunked transfer encoding");
      }
      chunked = true;
    } else if (lengths != null) {
      String first = lengths.get(0);
      for (String l : lengths) {
        if (!l.equals(first)) {
          throw new EarlyAnswer(400, "conflicting Content-Length");
        }
      }
      if (!first.matches("[0-9]{1,19}")) {
        throw new EarlyAnswer(400, "bad Content-Length");
      }
      try {
        length = Long.parseLong(first);
      } catch (NumberFormatException e) {
        throw new EarlyAnswer(413, tooLarge());
      }
      if (length > maxBodyBytes) {
        throw new EarlyAnswer(413, tooLarge());
      }
    }
    List<String> expect = headers.get("Expect");
    if (expect != null && expect.get(0).equalsIgnoreCase("100-continue")) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    if (!chunked) {
      byte[] body = in.readNBytes((int) length);
      if (body.length < length) {
        throw new EarlyAnswer(400, "body shorter than its Content-Length");
      }
      return body;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = in.readLine();
      if (sizeLine == null) {
        throw new EarlyAnswer(400, "chunked body cut short");
      }
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
      if (!hex.matches("[0-9A-Fa-f]{1,16}")) {
        throw new EarlyAnswer(400, "bad chunk size");
      }
      long size = Long.parseUnsignedLong(hex, 16);
      if (size == 0) {
        readHeaders(in); // trailers, dropped
        return body.toByteArray();
      }
      if (size < 0 || body.size() + size > maxBodyBytes) {
        throw new EarlyAnswer(413, tooLarge());
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length < size || !"".equals(in.readLine())) {
        throw new EarlyAnswer(400, "chunked body cut short");
      }
      body.write(chunk);
    }
  }

  private String tooLarge() {
    return "payload larger than " + maxBodyBytes + " bytes";
  }

  private static void reply(OutputStream out, int status, String text, Map<String, String> extra) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
        .append("Content-Type: ").append(WebhookResponse.CONTENT_TYPE).append("\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n")
        .append("Connection: close\r\n");
    extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 413 -> "Content Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      default -> status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "OK";
    };
  }

  /**
   * Ends the answer, then reads and drops what the client still sends, within bounds, before
   * closing: closing with unread data would reset the connection and could lose the answer.
   */
  private static void drainAndClose(Socket socket, InputStream in, long deadline) {
    try {
      socket.shutdownOutput();
      byte[] buffer = new byte[16 * 1024];
      long total = 0;
      while (total < DRAIN_BYTES) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) left);
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (IOException e) {
      // done either way
    } finally {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops listening at once and closes the connections being served. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      log.debug("closing the webhook listener: {}", e.toString());
    }
    open.forEach(WebhookServer::closeQuietly);
    workers.shutdown();
    refusals.shutdown();
    try {
      acceptor.join(2000);
      workers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "WebhookServer[" + uri() + "]";
  }

  /** An answer given before the request was read to its end. */
  private static final class EarlyAnswer extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient Map<String, String> headers;

    EarlyAnswer(int status, String text) {
      this(status, text, Map.of());
    }

    EarlyAnswer(int status, String text, Map<String, String> headers) {
      super(text, null);
      this.status = status;
      this.headers = headers;
    }
  }

  /**
   * The socket's input with one deadline for the whole request: each read waits only for what is
   * left of it, so a client trickling bytes cannot stretch it.
   */
  private static final class DeadlineInput extends InputStream {
    private final Socket socket;
    private final InputStream raw;
    private final long deadline;
    private final byte[] buffer = new byte[8 * 1024];
    private int pos;
    private int limit;

    DeadlineInput(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.raw = socket.getInputStream();
      this.deadline = deadline;
    }

    private boolean fill() throws IOException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("request deadline passed");
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1)));
      int n = raw.read(buffer);
      if (n < 0) {
        return false;
      }
      pos = 0;
      limit = n;
      return true;
    }

    @Override
    public int read() throws IOException {
      if (pos == limit && !fill()) {
        return -1;
      }
      return buffer[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos == limit && !fill()) {
        return -1;
      }
      int n = Math.min(len, limit - pos);
      System.arraycopy(buffer, pos, b, off, n);
      pos += n;
      return n;
    }

    /** @return one line without its CRLF or LF, or {@code null} at the end of the stream */
    String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      while (true) {
        int c = read();
        if (c < 0) {
          return line.length() == 0 ? null : line.toString();
        }
        if (c == '\n') {
          int end = line.length();
          if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
          }
          return line.toString();
        }
        if (line.length() >= MAX_LINE) {
          throw new EarlyAnswer(431, "line longer than " + MAX_LINE + " bytes");
        }
        line.append((char) c);
      }
    }
  }

  /** Settings for a {@link WebhookServer}. */
  public static final class Builder {
    private final WebhookHandler handler;
    private String bindAddress = "127.0.0.1";
    private int port = 8787;
    private String path = "/github/webhook";
    private long maxBodyBytes;
    private int threads = 16;
    private Duration readTimeout = Duration.ofSeconds(10);

    private Builder(WebhookHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * @param address the address to listen on (default {@code 127.0.0.1}, loopback only, for a
     *     reverse proxy on the same host). Listening elsewhere (such as {@code 0.0.0.0}, every
     *     interface) is an explicit choice: the endpoint speaks plain HTTP, so put it behind TLS
     * @return this
     */
    public Builder bindAddress(String address) {
      if (address == null || address.isBlank() || !address.matches("[0-9A-Za-z.:%_-]+")) {
        throw new InvalidInputException("Give an address to listen on, such as 127.0.0.1 (or 0.0.0.0 behind TLS).");
      }
      try {
        InetAddress.getByName(address);
      } catch (UnknownHostException e) {
        throw new InvalidInputException("Cannot listen on '" + address + "': " + e.getMessage() + ".");
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
     * @param bytes the largest body read (default: the handler's limit); a larger
     *     {@code Content-Length} is answered 413 before the body is read, and a chunked body is read
     *     only up to it
     * @return this
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024 || bytes > Integer.MAX_VALUE - 8) {
        throw new InvalidInputException("maxBodyBytes must be between 1024 and 2 GiB.");
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * @param threads how many connections are served at once (default 16); more are answered 503
     *     without being read
     * @return this
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new InvalidInputException("threads must be between 1 and 256.");
      }
      this.threads = threads;
      return this;
    }

    /**
     * @param timeout how long a client has to send its whole request, line, headers and body
     *     (default 10 s); later, it is answered 408 and the connection closed
     * @return this
     */
    public Builder readTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 100 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new InvalidInputException("readTimeout must be between 100 ms and 10 minutes.");
      }
      this.readTimeout = timeout;
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
