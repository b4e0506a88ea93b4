package io.potions.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A small HTTP/1.1 client on a plain socket, for talking to an app through the server's Caddy with
 * any {@code Host} header (the JDK's HttpClient refuses to set it) and for keeping one connection
 * alive across many requests. It never retries, so every failure it reports is real. The quick
 * start, the examples and the end-to-end tests all use it.
 */
public final class HttpProbe implements AutoCloseable {
  /**
   * One response.
   *
   * @param status the HTTP status
   * @param body the body as text
   * @param closing whether the server closes the connection after it
   */
  public record Response(int status, String body, boolean closing) {}

  private final String address;
  private final int port;
  private final String host;
  private Socket socket;

  /**
   * @param address where to connect, such as {@code 127.0.0.1}
   * @param port the port, such as the server's published port 80
   * @param host the {@code Host} header: the app's domain
   */
  public HttpProbe(String address, int port, String host) {
    this.address = address;
    this.port = port;
    this.host = host;
  }

  /**
   * One GET on a new connection, closed afterwards.
   *
   * @param address where to connect
   * @param port the port
   * @param host the {@code Host} header
   * @param path the path, such as {@code /}
   * @return the response
   * @throws IOException when the connection fails or the answer is not HTTP
   */
  public static Response get(String address, int port, String host, String path) throws IOException {
    try (HttpProbe probe = new HttpProbe(address, port, host)) {
      return probe.request(path, false);
    }
  }

  /**
   * One request on a new connection, closed afterwards.
   *
   * @param address where to connect
   * @param port the port
   * @param host the {@code Host} header
   * @param method the method, such as {@code POST}
   * @param path the path
   * @param body the request body as text, or null for none
   * @return the response
   * @throws IOException when the connection fails or the answer is not HTTP
   */
  public static Response send(String address, int port, String host, String method, String path, String body)
      throws IOException {
    try (HttpProbe probe = new HttpProbe(address, port, host)) {
      return probe.request(method, path, body, false);
    }
  }

  /**
   * @return whether a request now would go on a connection opened earlier
   */
  public boolean connected() {
    return socket != null && !socket.isClosed();
  }

  /**
   * A GET on this probe's connection, opened when needed.
   *
   * @param path the path
   * @param keepAlive whether to keep the connection open for the next request
   * @return the response
   * @throws IOException when the connection fails or the answer is not HTTP
   */
  public Response request(String path, boolean keepAlive) throws IOException {
    return request("GET", path, null, keepAlive);
  }

  /**
   * A request on this probe's connection, opened when needed.
   *
   * @param method the method, such as {@code GET} or {@code POST}
   * @param path the path
   * @param body the request body as text (sent with its {@code Content-Length}), or null for none
   * @param keepAlive whether to keep the connection open for the next request
   * @return the response
   * @throws IOException when the connection fails or the answer is not HTTP
   */
  public Response request(String method, String path, String body, boolean keepAlive) throws IOException {
    if (!connected()) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(address, port), 5000);
      socket.setSoTimeout(15000);
    }
    try {
      byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: potions-testkit\r\n"
          + (keepAlive ? "" : "Connection: close\r\n")
          + (body == null ? "" : "Content-Length: " + payload.length + "\r\n")
          + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      Response response = read(socket.getInputStream());
      if (response.closing() || !keepAlive) {
        close();
      }
      return response;
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
      throw new IOException("no HTTP response (got " + (statusLine == null ? "end of stream" : "'" + statusLine + "'") + ")");
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    long length = -1;
    boolean chunked = false;
    boolean closing = statusLine.startsWith("HTTP/1.0");
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> closing = value.contains("close") || (closing && !value.contains("keep-alive"));
        default -> { }
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        String size = line(in);
        if (size == null) {
          throw new IOException("connection closed inside a chunked body");
        }
        int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
        if (n == 0) {
          for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
            // trailers are ignored
          }
          break;
        }
        body.write(exactly(in, n));
        line(in);
      }
    } else if (length >= 0) {
      body.write(exactly(in, (int) length));
    } else {
      body.write(in.readAllBytes());
      closing = true;
    }
    return new Response(status, body.toString(StandardCharsets.UTF_8), closing);
  }

  private static byte[] exactly(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new IOException("connection closed after " + bytes.length + " of " + n + " body bytes");
    }
    return bytes;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int size = buf.size();
        byte[] bytes = buf.toByteArray();
        return new String(bytes, 0, size > 0 && bytes[size - 1] == '\r' ? size - 1 : size, StandardCharsets.ISO_8859_1);
      }
      buf.write(c);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
  }

  /** Closes the connection, if one is open. */
  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
