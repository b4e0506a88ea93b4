package io.potions.testkit;

import io.potions.app.domain.AcmeSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local ACME CA playing Let's Encrypt for a throwaway server: Debian's {@code pebble} (the CA) and
 * {@code pebble-challtestsrv} (its DNS, answering every name with the server's address), run as
 * processes of this machine. Pebble listens on the host's address on the server's bridge network, so
 * Caddy on the server reaches its directory, and it validates challenges by connecting to the
 * server's ports 80 and 443, as Let's Encrypt connects to a droplet. Its directory is served over
 * TLS with a certificate of a CA made here for each run ({@link #acme()} carries that CA as the
 * directory's root); the certificates it issues chain to {@link #issuingRoot()}.
 */
public final class Pebble implements AutoCloseable {
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final String directory;
  private final String management;
  private final String directoryRootPem;
  private final SSLContext directoryTrust;

  private Pebble(Path dir, String directory, String management, String directoryRootPem) {
    this.dir = dir;
    this.directory = directory;
    this.management = management;
    this.directoryRootPem = directoryRootPem;
    this.directoryTrust = trusting(directoryRootPem);
  }

  /**
   * Starts the DNS server and the CA, and waits until the directory answers.
   *
   * @param listenAddress the host's address the server reaches, such as {@link ThrowawayServer#bridgeGateway()}
   * @param serverAddress the address every name resolves to, such as {@link ThrowawayServer#bridgeAddress()}
   * @return the running CA; close it to stop both processes
   * @throws IllegalStateException when pebble is not installed or does not start
   */
  public static Pebble start(String listenAddress, String serverAddress) {
    for (String program : List.of("pebble", "pebble-challtestsrv", "openssl")) {
      if (!onPath(program)) {
        throw new IllegalStateException(program + " is not installed: run scripts/test-prerequisites.sh as root"
            + " (Debian/Ubuntu: apt-get install pebble openssl).");
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("potions-pebble-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Pebble pebble = null;
    try {
      String rootPem = makeDirectoryCertificate(dir, listenAddress);
      int dnsPort = freePort();
      int dnsManagementPort = freePort();
      int directoryPort = freePort();
      int managementPort = freePort();
      Files.writeString(dir.resolve("pebble-config.json"), """
          {"pebble": {
            "listenAddress": "%s:%d",
            "managementListenAddress": "%s:%d",
            "certificate": "%s",
            "privateKey": "%s",
            "httpPort": 80,
            "tlsPort": 443,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false
          }}
          """.formatted(listenAddress, directoryPort, listenAddress, managementPort,
          dir.resolve("directory.pem"), dir.resolve("directory.key")));
      pebble = new Pebble(dir, "https://" + listenAddress + ":" + directoryPort + "/dir",
          "https://" + listenAddress + ":" + managementPort, rootPem);
      // Only its DNS is wanted: the challenges are answered by Caddy on the server.
      pebble.launch(List.of("pebble-challtestsrv", "-defaultIPv4", serverAddress, "-defaultIPv6", "",
          "-dns01", "127.0.0.1:" + dnsPort, "-management", "127.0.0.1:" + dnsManagementPort,
          "-http01", "", "-https01", "", "-tlsalpn01", ""), "challtestsrv.log");
      pebble.launch(List.of("pebble", "-config", dir.resolve("pebble-config.json").toString(),
          "-dnsserver", "127.0.0.1:" + dnsPort), "pebble.log");
      pebble.awaitDirectory(Duration.ofSeconds(30));
      return pebble;
    } catch (IOException | RuntimeException e) {
      if (pebble != null) {
        pebble.close();
      } else {
        deleteTree(dir);
      }
      throw e instanceof RuntimeException re ? re : new UncheckedIOException((IOException) e);
    }
  }

  /** @return the ACME settings for Caddy: this directory, trusted through this run's CA */
  public AcmeSettings acme() {
    return AcmeSettings.directory(directory).withDirectoryRootPem(directoryRootPem);
  }

  /** @return the directory URL */
  public String directory() {
    return directory;
  }

  /**
   * The root the certificates Pebble issues chain to (it makes a new one each time it starts), read
   * from its management interface.
   *
   * @return the issuing root
   */
  public X509Certificate issuingRoot() {
    String pem = fetch(management + "/roots/0");
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IllegalStateException("Pebble's root is not a certificate: " + pem, e);
    }
  }

  /**
   * @return a TLS context trusting only Pebble's issuing root: a client with it accepts exactly the
   *     certificates this CA issued
   */
  public SSLContext clientTrustingIssuedCertificates() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("pebble-root", issuingRoot());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the last lines of Pebble's log, for a failure message */
  public String log() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("pebble.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops both processes and removes their files. */
  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
    deleteTree(dir);
  }

  private void launch(List<String> command, String logName) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(logName).toFile());
    // Validate at once (no random sleep) and never reject a good nonce: tests stay fast and honest.
    builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
    builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
    processes.add(builder.start());
  }

  private void awaitDirectory(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("Pebble stopped at start (exit " + p.exitValue() + "):\n" + log());
        }
      }
      try {
        if (fetch(directory).contains("newOrder")) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      sleep(200);
    }
    throw new IllegalStateException("Pebble's directory " + directory + " did not answer within "
        + limit.toSeconds() + " s (" + last + "):\n" + log());
  }

  private String fetch(String url) {
    HttpClient client = HttpClient.newBuilder().sslContext(directoryTrust).connectTimeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A CA made for this run and a certificate for Pebble's listen address signed by it (Pebble's
   * package ships none).
   *
   * @return the CA's certificate, PEM
   */
  private static String makeDirectoryCertificate(Path dir, String address) throws IOException {
    String ca = dir.resolve("ca.pem").toString();
    String caKey = dir.resolve("ca.key").toString();
    String key = dir.resolve("directory.key").toString();
    String csr = dir.resolve("directory.csr").toString();
    Path ext = dir.resolve("directory.ext");
    Files.writeString(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        + "extendedKeyUsage=serverAuth\nsubjectAltName=IP:" + address + ",IP:127.0.0.1,DNS:localhost\n");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", caKey, "-out", ca, "-days", "2", "-subj", "/CN=potions testkit ACME directory CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=pebble");
    openssl(dir, "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial",
        "-out", dir.resolve("directory.pem").toString(), "-days", "2", "-extfile", ext.toString());
    return Files.readString(dir.resolve("ca.pem"));
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(String pem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("directory-ca", CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(java.io.File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
