package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.progress.ProgressEvent;
import io.potions.provision.Distribution;
import io.potions.provision.ProvisionReport;
import io.potions.provision.UnsupportedOperatingSystemException;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import io.potions.ssh.HostKeyMismatchException;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.OutputListener;
import io.potions.ssh.ServerUnreachableException;
import io.potions.ssh.SshAuthenticationException;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.ServerImages;
import io.potions.testkit.TestkitKeys;
import io.potions.testkit.ThrowawayServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
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
 * Provisioning a brand-new server, end to end: a real container with systemd and sshd, the real
 * bootstrap over SSH, and checks made the way an operator would make them.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvisioningE2ETest {
  private ThrowawayServer box;
  private Potions potions;
  private final RecordingListener progress = new RecordingListener();
  private Server server;

  @BeforeAll
  void start() {
    box = ThrowawayServer.fresh();
    box.start();
    potions = Potions.builder().progress(progress).build();
    server = potions.existingServer("fresh-box", box.sshTarget());
  }

  @AfterAll
  void stop() {
    if (potions != null) {
      potions.close();
    }
    if (box != null) {
      box.stop();
    }
  }

  @Test
  @Order(1)
  void aWrongKeyIsRefusedWithAMessageThatSaysWhatToDo() {
    SshTarget wrongKey = box.sshTarget("root", SshIdentity.generateEd25519("stranger"));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> potions.existingServer(wrongKey).provision())
        .isInstanceOf(SshAuthenticationException.class)
        .hasMessageContaining("refused the key")
        .hasMessageContaining("authorized_keys");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @Order(1)
  void aWrongUserIsRefusedLikeAWrongKey() {
    SshTarget wrongUser = box.sshTarget("nobodyhere", TestkitKeys.client());
    assertThatThrownBy(() -> potions.existingServer(wrongUser).provision())
        .isInstanceOf(SshAuthenticationException.class)
        .hasMessageContaining("user 'nobodyhere'");
  }

  @Test
  @Order(1)
  void anUnreachableHostFailsFast() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SshTarget nowhere = SshTarget.builder().from(box.sshTarget()).port(closedPort).build();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> potions.existingServer(nowhere).provision())
        .isInstanceOf(ServerUnreachableException.class)
        .hasMessageContaining("connection refused")
        .hasMessageContaining("port " + closedPort);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @Order(1)
  void aChangedHostKeyIsRefusedBeforeAnythingIsSent() {
    String otherKey = SshIdentity.generateEd25519("impostor").publicKey();
    SshTarget pinnedElsewhere = SshTarget.builder().from(box.sshTarget())
        .hostKeys(HostKeyPolicy.pinned(otherKey)).build();
    assertThatThrownBy(() -> potions.existingServer(pinnedElsewhere).provision())
        .isInstanceOf(HostKeyMismatchException.class)
        .hasMessageContaining("has CHANGED")
        .hasMessageContaining("Nothing was sent");
  }

  @Test
  @Order(2)
  void anUnsupportedOsIsRefusedAndNothingChanges() {
    exec("cp /etc/os-release /root/os-release.real && rm /etc/os-release"
        + " && printf 'ID=fedora\\nVERSION_ID=40\\nPRETTY_NAME=\"Fedora Linux 40\"\\n' > /etc/os-release");
    try {
      assertThatThrownBy(() -> server.provision())
          .isInstanceOf(UnsupportedOperatingSystemException.class)
          .hasMessageContaining("Fedora Linux 40")
          .hasMessageContaining("Debian 12, Debian 13 and Ubuntu 24.04")
          .hasMessageContaining("Nothing was changed");
      assertThat(exec("test -e /opt/potions && echo present || echo absent")).isEqualTo("absent");
      assertThat(exec("id deploy >/dev/null 2>&1 && echo present || echo absent")).isEqualTo("absent");
      assertThat(exec("dpkg-query -W -f='${db:Status-Abbrev}' caddy 2>/dev/null || echo absent"))
          .isEqualTo("absent");
    } finally {
      exec("rm /etc/os-release && mv /root/os-release.real /etc/os-release");
    }
  }

  @Test
  @Order(3)
  void beforeProvisioningPasswordLoginsAreOpenLikeOnAFreshDroplet() {
    // Proves the check in the next test can fail: the fresh image accepts this password.
    assertThat(PasswordLogin.succeeds("127.0.0.1", box.sshPort(), "tester", ServerImages.TESTER_PASSWORD))
        .isTrue();
  }

  @Test
  @Order(4)
  void provisionBringsAFreshServerToTheReadyState() {
    server.provision();
    ProvisionReport report = server.lastProvision().orElseThrow();
    System.out.printf("provision.first_s=%.1f %s%n", report.duration().toMillis() / 1000.0, report.summary());

    assertThat(report.changedAnything()).isTrue();
    assertThat(report.changedSteps()).contains("packages", "users", "firewall", "fail2ban",
        "ssh-hardening", "caddy-package", "caddy", "slot-unit", "deploy-rights");
    List<String> started = progress.of(ProgressEvent.StepStarted.class).stream()
        .map(ProgressEvent.StepStarted::step).toList();
    List<String> finished = progress.of(ProgressEvent.StepFinished.class).stream()
        .map(ProgressEvent.StepFinished::step).toList();
    assertThat(started).startsWith("preflight").contains("packages", "caddy");
    assertThat(finished).containsAll(started.stream().filter(s -> !s.equals("preflight")).toList());
    assertThat(progress.of(ProgressEvent.StepFailed.class).stream()
        .filter(e -> !e.step().equals("preflight"))).isEmpty();
    // Step output streamed while apt ran, not only at the end.
    assertThat(progress.of(ProgressEvent.StepOutput.class).stream()
        .filter(e -> e.step().equals("packages")).map(ProgressEvent.StepOutput::line))
        .anyMatch(line -> line.contains("Setting up"));

    assertThat(server.facts().distribution()).isEqualTo(Distribution.DEBIAN_12);
    assertThat(server.facts().os()).contains("Debian GNU/Linux 12");
    assertThat(server.facts().erlang()).matches("\\d{2,}");
    assertThat(server.facts().elixir()).matches("1\\.\\d+\\.\\d+.*");
    assertThat(server.facts().postgresql()).matches("\\d+\\.\\d+.*");
    assertThat(server.facts().proxy()).matches("v?2\\.\\d+.*");
  }

  @Test
  @Order(5)
  void passwordLoginsAreRefusedAfterProvisioning() {
    assertThat(PasswordLogin.succeeds("127.0.0.1", box.sshPort(), "tester", ServerImages.TESTER_PASSWORD))
        .isFalse();
    // ...while key logins still work, for root and for the deploy user.
    try (Potions other = Potions.builder().build()) {
      RemoteExecutor deploy = other.existingServer(box.sshTarget("deploy", TestkitKeys.client())).executor();
      assertThat(deploy.require(RemoteCommand.of("whoami", "whoami").limit(Duration.ofSeconds(20))).out())
          .isEqualTo("deploy");
    }
  }

  @Test
  @Order(5)
  void theFirewallAllowsOnly22And80And443() {
    String status = exec("ufw status verbose");
    assertThat(status).contains("Status: active").contains("Default: deny (incoming)");
    Set<String> allowed = Arrays.stream(status.split("\n"))
        .filter(line -> line.contains("ALLOW IN"))
        .map(line -> line.trim().split("\\s+")[0])
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(allowed).containsExactlyInAnyOrder("22/tcp", "80/tcp", "443/tcp", "443/udp");
  }

  @Test
  @Order(5)
  void onlySshHttpAndHttpsListenOnPublicInterfaces() {
    String listeners = exec("ss -Hltnu | awk '{print $5}'");
    Set<String> publicPorts = Arrays.stream(listeners.split("\n"))
        .map(String::trim).filter(s -> !s.isEmpty())
        .filter(addr -> !addr.startsWith("127.") && !addr.startsWith("[::1]") && !addr.startsWith("::1"))
        .map(addr -> addr.substring(addr.lastIndexOf(':') + 1))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(publicPorts).isSubsetOf("22", "80", "443");
    assertThat(publicPorts).contains("22", "80", "443");
  }

  @Test
  @Order(5)
  void fail2banWatchesSsh() {
    assertThat(exec("fail2ban-client status sshd")).contains("Status for the jail: sshd");
    assertThat(exec("systemctl is-active fail2ban")).isEqualTo("active");
  }

  @Test
  @Order(5)
  void postgresqlAcceptsConnections() {
    assertThat(exec("runuser -u postgres -- psql -tAc 'select 40 + 2'")).isEqualTo("42");
  }

  @Test
  @Order(5)
  void caddyAdminApiIsOnLoopbackOnlyAndItsConfigSurvivesARestart() throws Exception {
    assertThat(exec("curl -fsS http://127.0.0.1:2019/config/admin/listen")).isEqualTo("\"127.0.0.1:2019\"");
    String publicIp = exec("ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1");
    assertThat(publicIp).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    Container.ExecResult fromPublic = box.console("curl -sS --max-time 3 http://" + publicIp + ":2019/config/");
    assertThat(fromPublic.getExitCode()).as("admin API must not answer on " + publicIp).isNotZero();

    // A change made through the API survives `systemctl restart caddy`.
    exec("curl -fsS -X POST -H 'Content-Type: application/json' -d '{\"@id\":\"restart-marker\","
        + "\"handle\":[{\"handler\":\"static_response\",\"body\":\"marker\"}],"
        + "\"match\":[{\"path\":[\"/restart-marker\"]}]}' http://127.0.0.1:2019/config/apps/http/servers/potions/routes");
    exec("systemctl restart caddy && for i in $(seq 1 50); do curl -fs http://127.0.0.1:2019/config/ >/dev/null && break; sleep 0.2; done");
    assertThat(exec("curl -fsS http://127.0.0.1:2019/id/restart-marker")).contains("marker");
    // ... and it serves from the outside, through the published port 80.
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + box.httpPort() + "/restart-marker"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("marker");
    exec("curl -fsS -X DELETE http://127.0.0.1:2019/id/restart-marker");
  }

  @Test
  @Order(5)
  void theDeployUserMayRunOnlyTheValidatingHelperAsRoot() {
    try (Potions other = Potions.builder().build()) {
      RemoteExecutor deploy = other.existingServer(box.sshTarget("deploy", TestkitKeys.client())).executor();
      ExecResult anything = deploy.run(RemoteCommand.of("sudo", "sudo -n true").limit(Duration.ofSeconds(20)));
      assertThat(anything.exitStatus()).isNotZero();
      ExecResult helper = deploy.run(RemoteCommand.of("helper version",
          "sudo -n /usr/local/sbin/potions-admin version").limit(Duration.ofSeconds(20)));
      assertThat(helper.out()).isEqualTo("potions-admin 2");
      ExecResult injection = deploy.run(RemoteCommand.of("injection",
          "sudo -n /usr/local/sbin/potions-admin unit start 'x;touch /tmp/pwned' blue").limit(Duration.ofSeconds(20)));
      assertThat(injection.exitStatus()).isEqualTo(64);
      assertThat(injection.tail(5)).contains("invalid app name");
      ExecResult otherUnit = deploy.run(RemoteCommand.of("other unit",
          "sudo -n /usr/local/sbin/potions-admin unit start ssh blue").limit(Duration.ofSeconds(20)));
      assertThat(otherUnit.exitStatus()).isNotZero();
      assertThat(exec("test -e /tmp/pwned && echo yes || echo no")).isEqualTo("no");
    }
  }

  @Test
  @Order(5)
  void aLocalPortForwardReachesWhatListensOnlyOnTheServersLoopback() throws Exception {
    try (io.potions.ssh.PortForward forward = server.forwardLocal("127.0.0.1", 2019)) {
      HttpProbe.Response r = HttpProbe.send("127.0.0.1", forward.localPort(), "127.0.0.1:2019", "GET", "/config/admin/listen", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().trim()).isEqualTo("\"127.0.0.1:2019\"");
    }
  }

  @Test
  @Order(5)
  void uploadsLandAtomicallyWithTheirMode() {
    server.executor().upload("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/root/uploaded.txt", 0600);
    assertThat(exec("stat -c '%a' /root/uploaded.txt && cat /root/uploaded.txt")).isEqualTo("600\nhello");
    assertThat(exec("ls /root | grep -c upload-tmp || true")).isEqualTo("0");
  }

  @Test
  @Order(5)
  void theLayoutAndTheSlotUnitAreInPlace() {
    assertThat(exec("stat -c '%U %a' /opt/potions /opt/potions/.slots")).isEqualTo("deploy 755\ndeploy 755");
    assertThat(exec("systemctl cat potions-app@.service | grep -c EnvironmentFile")).isEqualTo("1");
    assertThat(exec("id -u potions >/dev/null && getent passwd potions | cut -d: -f7")).isEqualTo("/usr/sbin/nologin");
  }

  @Test
  @Order(6)
  void aSecondProvisionChangesNothingAndSaysSo() {
    progress.events.clear();
    server.provision();
    ProvisionReport again = server.lastProvision().orElseThrow();
    System.out.printf("provision.rerun_s=%.1f %s%n", again.duration().toMillis() / 1000.0, again.summary());
    assertThat(again.changedAnything()).isFalse();
    assertThat(again.summary()).startsWith("nothing changed");
    assertThat(progress.of(ProgressEvent.StepFinished.class)).allMatch(e -> !e.changed());
    assertThat(progress.of(ProgressEvent.StepOutput.class)).isEmpty();
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
