package io.potions.e2e.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.digitalocean.DigitalOceanClient;
import io.potions.digitalocean.DigitalOceanProvider;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.sim.DigitalOceanSimulation;
import io.potions.internal.cloud.CloudInit;
import io.potions.progress.ProgressEvent;
import io.potions.secret.Secret;
import io.potions.ssh.SshIdentity;
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
 * the action, SSH with the pinned host key (no trust on first use), bootstrap, ready; then destroy.
 */
@ExtendWith(RequiresDocker.class)
class DigitalOceanProvisionE2ETest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  @Test
  void provisionCreatesADropletThatBootsWithThePinnedHostKeyAndIsReady() throws Exception {
    Map<String, ThrowawayServer> droplets = new ConcurrentHashMap<>();
    sim.onDropletCreated(created -> {
      CloudInit.ParsedUserData data = CloudInit.parseUserData(created.userData());
      ThrowawayServer box = ThrowawayServer.withKeys(ServerImages.provisionedImage(),
          SshIdentity.parse(data.hostPrivateKey(), "droplet-host"), data.authorizedKeys());
      box.start();
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
      assertThat(sim.createdDroplets()).singleElement().satisfies(d -> {
        assertThat(d.tags()).contains("potions", "potions-server:web-1");
        assertThat(d.userData()).startsWith("#cloud-config").contains(server.hostKey().orElseThrow().split(" ")[1]);
      });
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
}
