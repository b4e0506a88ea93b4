package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.Pebble;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Real HTTPS, end to end: Pebble plays Let's Encrypt (its DNS answers every name with the server's
 * address, and it validates the challenges against the server's ports 80 and 443); Caddy on the
 * server obtains a certificate for the app's domain and for its default URL under the base domain;
 * requests over TLS verify the chain against Pebble's root only; plain HTTP redirects to HTTPS; and
 * a deploy switch under HTTPS load fails no request.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsE2ETest {
  private static final String DOMAIN = "shop.potions.test";
  private static final String BASE = "apps.potions.test";
  private static final String DEFAULT_DOMAIN = "shop." + BASE;

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Pebble pebble;
  private Server server;
  private SampleRepository repo;
  private App app;
  private SSLContext trustingPebble;

  @BeforeAll
  void start() throws Exception {
    fixture = ServerFixture.start("https");
    box = fixture.box();
    pebble = fixture.open(Pebble.start(box.bridgeGateway(), box.bridgeAddress()));
    server = fixture.connect(Potions.builder()
        .acme(pebble.acme().withEmail("ops@potions.test"))
        .baseDomain(BASE)
        .build()).provision();
    repo = fixture.repo();
    app = fixture.app(server, "shop");
    trustingPebble = pebble.clientTrustingIssuedCertificates();
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void creatingAnHttpsAppPointsCaddysIssuerAtTheDirectoryAndAddsTheDefaultUrl() {
    app.create(AppSettings.builder().addDomains(DOMAIN)
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build()).build());
    assertThat(app.manifest().domains()).containsExactly(DOMAIN, DEFAULT_DOMAIN);
    // PHX_HOST is the app's own primary domain, not the default URL.
    assertThat(exec("cat /opt/potions/shop/secrets/generated.env")).contains("PHX_HOST=\"" + DOMAIN + "\"");
    String issuer = exec("curl -fsS http://127.0.0.1:2019/config/apps/tls/automation/policies/0/issuers/0");
    assertThat(issuer).contains("\"ca\":\"" + pebble.directory() + "\"", "\"email\":\"ops@potions.test\"",
        "\"trusted_roots_pem_files\":[\"/opt/potions/.acme/directory-root.pem\"]");
    // Caddy's own user reads the directory's root.
    assertThat(exec("runuser -u caddy -- head -1 /opt/potions/.acme/directory-root.pem"))
        .isEqualTo("-----BEGIN CERTIFICATE-----");
  }

  @Test
  @Order(2)
  void theAppAnswersOverTlsWithACertificateFromPebbleVerifiedAgainstItsRoot() throws Exception {
    Deployment first = app.deploy("main");
    assertThat(first.succeeded()).isTrue();
    long t0 = System.nanoTime();
    HttpProbe.Response r = awaitHttps(DOMAIN, "/version", Duration.ofSeconds(90));
    System.out.printf("https.first_answer_after_deploy_s=%.2f%n", (System.nanoTime() - t0) / 1e9);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("0.1.0");

    X509Certificate root = pebble.issuingRoot();
    try (HttpProbe probe = new HttpProbe("127.0.0.1", box.httpsPort(), DOMAIN, trustingPebble)) {
      assertThat(probe.request("/version", false).status()).isEqualTo(200);
      Certificate[] chain = probe.peerCertificates();
      assertThat(chain).isNotEmpty();
      X509Certificate leaf = (X509Certificate) chain[0];
      assertThat(leaf.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo(DOMAIN));
      // Each certificate is signed by the next; the last by Pebble's root.
      for (int i = 0; i + 1 < chain.length; i++) {
        chain[i].verify(chain[i + 1].getPublicKey());
      }
      X509Certificate top = (X509Certificate) chain[chain.length - 1];
      assertThat(top.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
      top.verify(root.getPublicKey());
    }
    // The default URL under the base domain has its own certificate too.
    assertThat(awaitHttps(DEFAULT_DOMAIN, "/version", Duration.ofSeconds(60)).body()).isEqualTo("0.1.0");
    // A client that trusts only the usual public roots refuses it: the certificate is Pebble's.
    assertThatThrownBy(() -> HttpProbe.sendTls("127.0.0.1", box.httpsPort(), DOMAIN, SSLContext.getDefault(), "GET", "/"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  @Order(3)
  void plainHttpRedirectsToHttpsKeepingThePathAndQuery() throws Exception {
    HttpProbe.Response r = HttpProbe.get("127.0.0.1", box.httpPort(), DOMAIN, "/version?from=http");
    assertThat(r.status()).isIn(301, 308);
    assertThat(r.header("Location")).contains("https://" + DOMAIN + "/version?from=http");
    assertThat(r.body()).doesNotContain("0.1.0");
    HttpProbe.Response other = HttpProbe.get("127.0.0.1", box.httpPort(), DEFAULT_DOMAIN, "/");
    assertThat(other.header("Location")).contains("https://" + DEFAULT_DOMAIN + "/");
  }

  @Test
  @Order(4)
  void aDeploySwitchUnderHttpsLoadFailsNoRequest() throws Exception {
    repo.setVersion("0.2.0");
    Deployment second;
    try (LoadLoop load = new LoadLoop(box.httpsPort(), DOMAIN, trustingPebble, "/version", 3, 3, 5)) {
      Thread.sleep(1000);
      second = app.deploy("main");
      Thread.sleep(1500);
      load.close();
      System.out.printf("https.switch_under_load: %s; %.1f req/s over %.1f s%n", load.summary(),
          load.requests.get() / load.elapsedSeconds(), load.elapsedSeconds());
      assertThat(load.failures.get()).as(load.summary()).isZero();
      assertThat(load.keepAliveRequests.get()).isGreaterThan(100);
      assertThat(load.bodies).containsKeys("0.1.0", "0.2.0");
    }
    assertThat(second.succeeded()).isTrue();
    assertThat(HttpProbe.sendTls("127.0.0.1", box.httpsPort(), DOMAIN, trustingPebble, "GET", "/version").body())
        .isEqualTo("0.2.0");
  }

  /** Caddy obtains the certificate in the background once the route exists: wait for it. */
  private HttpProbe.Response awaitHttps(String host, String path, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return HttpProbe.sendTls("127.0.0.1", box.httpsPort(), host, trustingPebble, "GET", path);
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("No HTTPS answer for " + host + " within " + limit.toSeconds() + " s (" + last
        + ").\nCaddy: " + exec("journalctl -u caddy --no-pager -n 30 | cut -c1-400 || true")
        + "\nPebble:\n" + pebble.log(), last);
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
