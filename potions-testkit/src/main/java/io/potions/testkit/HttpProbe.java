package io.potions.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 client on a plain (or TLS) socket, for talking to an app through the server's Caddy with
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
  public record Response(int status, String body, boolean closing, Map<String, String> headers) {
    /**
     * @param status the HTTP status
     * @param body the body as text
     * @param closing whether the server closes the connection after it
     * @param headers the response headers, names in lower case (the last of repeated ones)
     */
    public Response {
      headers = Map.copyOf(headers);
    }

    /**
     * @param status the HTTP status
     * @param body the body as text
     * @param closing whether the server closes the connection after it
     */
    public Response(int status, String body, boolean closing) {
      this(status, body, closing, Map.of());
    }

    /**
     * @param name a header name, any case
     * @return its value, if the response has it
     */
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
  }

  private final String address;
  private final int port;
  private final String host;
  private final SSLContext tls;
  private Socket socket;
  private volatile Certificate[] peerCertificates = new Certificate[0];

  /**
   * @param address where to connect, such as {@code 127.0.0.1}
   * @param port the port, such as the server's published port 80
   * @param host the {@code Host} header: the app's domain
   */
  public HttpProbe(String address, int port, String host) {
    this(address, port, host, null);
  }

  /**
   * A client over TLS: the handshake sends {@code host} as SNI, and the server's certificate must
   * chain to a root {@code tls} trusts and be valid for {@code host} (the JDK's checks, as a browser
   * does), or the request fails.
   *
   * @param address where to connect, such as {@code 127.0.0.1}
   * @param port the port, such as the server's published port 443
   * @param host the {@code Host} header and SNI name: the app's domain
   * @param tls the trust to verify the server with, or null for plain HTTP
   */
  public HttpProbe(String address, int port, String host, SSLContext tls) {
    this.address = address;
    this.port = port;
    this.host = host;
    this.tls = tls;
  }

  /**
   * One request over TLS on a new connection, closed afterwards.
   *
   * @param address where to connect
   * @param port the port
   * @param host the {@code Host} header and SNI name
   * @param tls the trust to verify the server with
   * @param method the method
   * @param path the path
   * @return the response
   * @throws IOException when the connection, the handshake or the verification fails
   */
  public static Response sendTls(String address, int port, String host, SSLContext tls, String method, String path)
      throws IOException {
    try (HttpProbe probe = new HttpProbe(address, port, host, tls)) {
      return probe.request(method, path, null, false);
    }
  }

  /**
   * @return the certificate chain the server presented on the last TLS connection (leaf first),
   *     empty over plain HTTP
   */
  public Certificate[] peerCertificates() {
    return peerCertificates.clone();
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
      if (tls != null) {
        socket = handshake(socket);
      }
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

  /** TLS over the connected socket, verified as a browser would: chain to a trusted root, name = host. */
  private Socket handshake(Socket plain) throws IOException {
    SSLSocket secure;
    try {
      secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
    } catch (IOException e) {
      plain.close();
      throw e;
    }
    SSLParameters params = secure.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(host)));
    params.setEndpointIdentificationAlgorithm("HTTPS");
    secure.setSSLParameters(params);
    try {
      secure.startHandshake();
    } catch (IOException e) {
      secure.close();
      throw e;
    }
    peerCertificates = secure.getSession().getPeerCertificates();
    return secure;
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
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.put(name, header.substring(colon + 1).trim());
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
    return new Response(status, body.toString(StandardCharsets.UTF_8), closing, headers);
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
