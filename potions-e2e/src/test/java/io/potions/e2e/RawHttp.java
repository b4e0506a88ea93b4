package io.potions.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client over a plain socket, so tests control exactly what a client does: send
 * any Host header, keep one connection alive across requests, and never retry.
 */
public final class RawHttp implements AutoCloseable {
  /** A response: status and body. */
  public record Response(int status, String body, boolean closing) {}

  private final String host;
  private final int port;
  private final String hostHeader;
  private Socket socket;

  RawHttp(String host, int port, String hostHeader) {
    this.host = host;
    this.port = port;
    this.hostHeader = hostHeader;
  }

  /** One request on a fresh connection, closed afterwards. */
  public static Response once(int port, String hostHeader, String method, String path, String body) throws IOException {
    try (RawHttp client = new RawHttp("127.0.0.1", port, hostHeader)) {
      return client.send(method, path, body, true);
    }
  }

  /** A request on this client's keep-alive connection (opened when needed). */
  Response send(String method, String path, String body, boolean close) throws IOException {
    if (socket == null || socket.isClosed()) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(15000);
    }
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n"
        + (close ? "Connection: close\r\n" : "")
        + (body == null ? "" : "Content-Length: " + payload.length + "\r\n") + "\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(payload);
    out.flush();
    InputStream in = socket.getInputStream();
    String statusLine = readLine(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    int length = -1;
    boolean closing = false;
    boolean chunked = false;
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        closing = true;
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    String text;
    if (chunked) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        if (size == 0) {
          readLine(in);
          break;
        }
        all.write(in.readNBytes(size));
        readLine(in);
      }
      text = all.toString(StandardCharsets.UTF_8);
    } else if (length >= 0) {
      text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    } else {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      closing = true;
    }
    if (closing || close) {
      socket.close();
    }
    return new Response(status, text, closing);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = line.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
  }
}
