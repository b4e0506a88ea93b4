package io.potions.e2e.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.digitalocean.DigitalOceanClient;
import io.potions.digitalocean.DigitalOceanProvider;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.sim.DigitalOceanSimulation;
import io.potions.internal.cloud.CloudInit;
import io.potions.progress.ProgressEvent;
import io.potions.secret.Secret;
import io.potions.spi.RemoteCommand;
import io.potions.ssh.HostKeyMismatchException;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.ServerImages;
import io.potions.testkit.ThrowawayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * provision() through the simulated DigitalOcean API, end to end: the simulation checks every
 * request against the published OpenAPI description, and "creating a droplet" boots a real server
 * container from the very user data the droplet would get, so the real path runs: create, wait for
 * the action, SSH with the pinned host key (no trust on first use), rotate the host key away from
 * the one in user data (which the metadata service serves to any local process), bootstrap, ready;
 * then destroy.
 */
@ExtendWith(RequiresDocker.class)
class DigitalOceanProvisionE2ETest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  @Test
  void provisionCreatesADropletThatBootsWithThePinnedHostKeyRotatesItAndIsReady() throws Exception {
    Map<String, ThrowawayServer> droplets = new ConcurrentHashMap<>();
    sim.onDropletCreated(created -> {
      CloudInit.ParsedUserData data = CloudInit.parseUserData(created.userData());
      ThrowawayServer box = ThrowawayServer.withKeys(ServerImages.provisionedImage(),
          SshIdentity.parse(data.hostPrivateKey(), "droplet-host"), data.authorizedKeys());
      box.start();
      // What cloud-init leaves on a droplet's disk: a copy of the user data, host key and all.
      String copy = "/var/lib/cloud/instances/" + created.id() + "/user-data.txt";
      assertThat(box.console("install -d -m 0700 /var/lib/cloud/instances/" + created.id() + " && cat > " + copy
          + " <<'UD'\n" + created.userData() + "UD\ngrep -q 'PRIVATE KEY' " + copy).getExitCode()).isZero();
      droplets.put(created.name(), box);
      return "127.0.0.1";
    });
    DigitalOceanClient client = DigitalOceanClient.builder().token(Secret.of(sim.token())).baseUri(sim.baseUri())
        .polling(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(5)).build();
    DigitalOceanProvider provider = new DigitalOceanProvider(DigitalOceanProvider.builder().client(client)) {
      @Override
      protected int sshPort(Droplet droplet) {
        ThrowawayServer box = droplets.get(droplet.name());
        return box == null ? 22 : box.sshPort();
      }
    };
    Path home = Files.createTempDirectory("potions-do-home-");
    List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    try (Potions potions = Potions.builder().cloud(provider).home(home).progress(events::add).build()) {
      Server server = potions.server("web-1").region("nyc3").size("s-1vcpu-2gb").provision();

      assertThat(server.facts().os()).contains("Debian GNU/Linux 12");
      assertThat(server.hostKey()).isPresent();
      String userData = sim.createdDroplets().get(0).userData();
      String userDataKey = typeAndKey(SshIdentity.parse(
          CloudInit.parseUserData(userData).hostPrivateKey(), "user-data").publicKey());
      String presented = typeAndKey(server.hostKey().orElseThrow());
      // Created with the user-data key, then rotated: the server now presents a key that was never
      // in user data, and known_hosts pins only that one.
      assertThat(presented).isNotEqualTo(userDataKey);
      assertThat(sim.createdDroplets()).singleElement().satisfies(d -> {
        assertThat(d.tags()).contains("potions", "potions-server:web-1");
        assertThat(d.userData()).startsWith("#cloud-config").contains(userDataKey.split(" ")[1])
            .doesNotContain(presented.split(" ")[1]);
      });
      Path knownHosts = home.resolve("known_hosts");
      assertThat(Files.readString(knownHosts)).contains(presented.split(" ")[1])
          .doesNotContain(userDataKey.split(" ")[1]);
      ThrowawayServer box = droplets.get("web-1");
      int sshPort = box.sshPort();
      assertThat(box.console("ssh-keygen -y -f /etc/ssh/ssh_host_ed25519_key").getStdout()).contains(presented);
      // Every key sshd offers, of any type: only the new one.
      assertThat(box.console("ssh-keyscan 127.0.0.1 2>/dev/null").getStdout().strip().lines()
          .map(l -> l.substring(l.indexOf(' ') + 1))).containsExactly(presented);
      assertThat(box.console("cat /var/lib/cloud/instances/*/user-data.txt").getStdout())
          .contains("Scrubbed by Potions").doesNotContain("PRIVATE KEY");
      assertThat(events).anyMatch(e -> e.step().equals("host-key") && e instanceof ProgressEvent.StepFinished f
          && f.changed());

      // A connection that pins the key from user data is refused before anything is sent.
      Server withOldKey = potions.existingServer("old-key", SshTarget.builder().host("127.0.0.1").port(sshPort)
          .user("root").identity(potions.identity()).hostKeys(HostKeyPolicy.pinned(userDataKey)).build());
      assertThatThrownBy(withOldKey::executor).isInstanceOf(HostKeyMismatchException.class);

      // A fresh SDK instance on the same home connects with the pinned (new) key; nothing to rotate.
      List<ProgressEvent> again = new CopyOnWriteArrayList<>();
      try (Potions fresh = Potions.builder().cloud(provider).home(home).progress(again::add).build()) {
        Server reconnected = fresh.server("web-1").connect();
        assertThat(reconnected.executor().require(RemoteCommand.of("whoami", "whoami")).out()).isEqualTo("root");
        assertThat(typeAndKey(reconnected.hostKey().orElseThrow())).isEqualTo(presented);
        assertThat(again).anyMatch(e -> e.step().equals("host-key") && e instanceof ProgressEvent.StepFinished f
            && !f.changed());
      }
      assertThat(Files.readString(knownHosts)).contains(presented.split(" ")[1])
          .doesNotContain(userDataKey.split(" ")[1]);

      assertThat(sim.firewalls()).singleElement().satisfies(fw -> assertThat(fw.toString())
          .contains("\"22\"").contains("\"80\"").contains("\"443\""));
      assertThat(events).anyMatch(e -> e.step().equals("create") && e instanceof ProgressEvent.StepFinished);
      assertThat(potions.destroy("web-1")).isTrue();
      assertThat(sim.droplets()).isEmpty();
      assertThat(sim.firewalls()).isEmpty();
      assertThat(sim.contractViolations()).isEmpty();
    } finally {
      droplets.values().forEach(ThrowawayServer::stop);
    }
  }

  private static String typeAndKey(String publicKeyLine) {
    String[] parts = publicKeyLine.trim().split("\\s+");
    return parts[0] + " " + parts[1];
  }
}
