package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.app.domain.AcmeSettings;
import io.potions.spi.AppRoute;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order and content of what applyRoute runs on the server, against an in-memory Caddy admin API. */
class CaddyProxyAcmeTest {
  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

  /** Answers the reads like Caddy's admin API would, and records every command with its stdin. */
  private static final class FakeCaddy implements RemoteExecutor {
    final List<String> descriptions = new ArrayList<>();
    final List<RemoteCommand> commands = new ArrayList<>();
    String tls = "null";

    @Override
    public String host() {
      return "fake";
    }

    @Override
    public ExecResult run(RemoteCommand command, io.potions.ssh.OutputListener listener) {
      return require(command);
    }

    @Override
    public ExecResult require(RemoteCommand command) {
      commands.add(command);
      descriptions.add(command.what());
      String script = command.script();
      String out;
      if (script.equals(CaddyTls.readScript())) {
        out = tls;
      } else if (script.equals(CaddyTls.writeScript())) {
        tls = new String(command.stdin(), StandardCharsets.UTF_8);
        out = "{}\nHTTP 200";
      } else if (script.equals(CaddyProxy.readServerScript())) {
        out = "HTTP/1.1 200 OK\nEtag: \"e1\"\n\n{\"listen\":[\":80\",\":443\"],\"routes\":[]}";
      } else if (script.contains("/config/logging") && !script.contains("POST")) {
        out = "null";
      } else {
        out = "{}\nHTTP 200";
      }
      return new ExecResult(0, List.of(out.split("\n", -1)), List.of(), Duration.ZERO);
    }

    @Override
    public void upload(byte[] content, String remotePath, int mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void upload(Path local, String remotePath, int mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public io.potions.spi.RemoteProcess hold(RemoteCommand command, io.potions.ssh.OutputListener listener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Optional<String>> read(List<String> remotePaths) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void anHttpsRouteWritesTheRootAndTheIssuerBeforeTheRouteAndOnlyOnce() {
    FakeCaddy caddy = new FakeCaddy();
    CaddyProxy proxy = new CaddyProxy(AcmeSettings.directory("https://10.0.0.1:14000/dir").withDirectoryRootPem(PEM));
    proxy.applyRoute(new AppRoute("shop", List.of("shop.example.com"), 4000, true), caddy);
    assertThat(caddy.descriptions).containsExactly(
        "Writing the ACME directory's root for Caddy",
        "Reading Caddy's TLS config",
        "Caddy: obtain certificates from https://10.0.0.1:14000/dir",
        "Reading Caddy's logging config",
        "Caddy: give app shop its access log",
        "Reading Caddy's config",
        "Caddy: route [shop.example.com] to app shop");
    // The root goes on stdin, never on a command line.
    assertThat(new String(caddy.commands.get(0).stdin(), StandardCharsets.UTF_8)).isEqualTo(PEM + "\n");
    assertThat(caddy.commands.get(0).script()).doesNotContain("MIIB");
    assertThat(caddy.tls).contains("\"ca\":\"https://10.0.0.1:14000/dir\"");
    // A second HTTPS app finds the issuer current and does not reload Caddy for it.
    caddy.descriptions.clear();
    proxy.applyRoute(new AppRoute("blog", List.of("blog.example.com"), 4010, true), caddy);
    assertThat(caddy.descriptions).doesNotContain("Caddy: obtain certificates from https://10.0.0.1:14000/dir");
  }

  @Test
  void aPlainHttpRouteLeavesTlsAlone() {
    FakeCaddy caddy = new FakeCaddy();
    new CaddyProxy().applyRoute(new AppRoute("shop", List.of("shop.test"), 4000, false), caddy);
    assertThat(caddy.descriptions).noneMatch(d -> d.contains("TLS") || d.contains("ACME") || d.contains("certificates"));
    assertThat(caddy.tls).isEqualTo("null");
  }
}
