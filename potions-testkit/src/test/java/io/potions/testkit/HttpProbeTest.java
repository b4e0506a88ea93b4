package io.potions.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpProbeTest {
  /** The response without its headers, which {@link #keepsTheHeadersForRedirects} looks at. */
  private static HttpProbe.Response parse(String raw) throws IOException {
    HttpProbe.Response r = HttpProbe.read(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
    return new HttpProbe.Response(r.status(), r.body(), r.closing());
  }

  @Test
  void keepsTheHeadersForRedirects() throws IOException {
    HttpProbe.Response r = HttpProbe.read(new ByteArrayInputStream(("HTTP/1.1 308 Permanent Redirect\r\n"
        + "Location: https://Shop.test/a?b=1\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(r.status()).isEqualTo(308);
    assertThat(r.header("LOCATION")).contains("https://Shop.test/a?b=1");
    assertThat(r.header("Retry-After")).isEmpty();
  }

  @Test
  void readsLengthChunkedAndUntilCloseBodies() throws IOException {
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"))
        .isEqualTo(new HttpProbe.Response(200, "hello", false));
    assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: t\r\n\r\n"))
        .isEqualTo(new HttpProbe.Response(200, "abcde", true));
    assertThat(parse("HTTP/1.0 502 Bad Gateway\r\n\r\nno upstream"))
        .isEqualTo(new HttpProbe.Response(502, "no upstream", true));
    assertThatThrownBy(() -> parse("")).hasMessageContaining("end of stream");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
        .hasMessageContaining("5 of 10");
  }

  @Test
  void keepsOneConnectionAliveAndSendsTheHostHeader() throws Exception {
    List<String> hosts = new ArrayList<>();
    try (ServerSocket listener = new ServerSocket(0)) {
      Thread server = new Thread(() -> {
        try (Socket s = listener.accept()) {
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream();
          for (int i = 0; i < 2; i++) {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
              head.append((char) in.read());
            }
            synchronized (hosts) {
              hosts.add(head.toString().lines().filter(l -> l.startsWith("Host: ")).findFirst().orElse(""));
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr" + i).getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      server.start();
      try (HttpProbe probe = new HttpProbe("127.0.0.1", listener.getLocalPort(), "shop.localhost")) {
        assertThat(probe.request("/", true).body()).isEqualTo("r0");
        assertThat(probe.connected()).isTrue();
        assertThat(probe.request("/", true).body()).isEqualTo("r1");
      }
      server.join(5000);
    }
    assertThat(hosts).containsExactly("Host: shop.localhost", "Host: shop.localhost");
  }

  @Test
  void aRequestWithABodySendsItsLength() throws Exception {
    StringBuilder received = new StringBuilder();
    try (ServerSocket listener = new ServerSocket(0)) {
      Thread server = new Thread(() -> {
        try (Socket s = listener.accept()) {
          InputStream in = s.getInputStream();
          while (!received.toString().endsWith("written")) {
            received.append((char) in.read());
          }
          s.getOutputStream().write("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      server.start();
      HttpProbe.Response r = HttpProbe.send("127.0.0.1", listener.getLocalPort(), "shop.test", "POST", "/storage/x", "written");
      server.join(5000);
      assertThat(r.status()).isEqualTo(201);
    }
    assertThat(received.toString()).startsWith("POST /storage/x HTTP/1.1\r\nHost: shop.test\r\n")
        .contains("Connection: close\r\n", "Content-Length: 7\r\n\r\nwritten");
  }
}
