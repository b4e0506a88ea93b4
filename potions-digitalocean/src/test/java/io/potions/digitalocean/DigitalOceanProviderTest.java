package io.potions.digitalocean;

import static io.potions.digitalocean.sim.DigitalOceanSimulation.serverError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.potions.InvalidInputException;
import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.sim.DigitalOceanSimulation;
import io.potions.digitalocean.sim.FakeTime;
import io.potions.http.ServerErrorException;
import io.potions.internal.cloud.CloudInit;
import io.potions.progress.ProgressEvent;
import io.potions.secret.Secret;
import io.potions.ssh.SshIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link io.potions.spi.CloudProvider} against the simulated API. */
class DigitalOceanProviderTest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  private static SshIdentity sdkKey;
  private static SshIdentity hostKey;

  private FakeTime time;
  private DigitalOceanClient client;
  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void keys() {
    sdkKey = SshIdentity.generateEd25519("potions@test");
    hostKey = SshIdentity.generateEd25519("host");
  }

  @BeforeEach
  void client() {
    time = new FakeTime();
    client = DigitalOceanClient.builder().token(Secret.of(sim.token())).baseUri(sim.baseUri())
        .clock(time).sleeper(time).build();
  }

  private DigitalOceanProvider.Builder provider() {
    return DigitalOceanProvider.builder().client(client);
  }

  private static ServerRequest request(String name) {
    return ServerRequest.builder().name(name).region("fra1").size("s-1vcpu-512mb-10gb").image("ubuntu-24-04-x64")
        .cloudInit(new CloudInit(List.of(sdkKey.publicKey()), hostKey)).addTags("team-a").build();
  }

  @Test
  void createsATaggedDropletWithTheUserDataBehindItsOwnFirewall() {
    sim.onDropletCreated(d -> "198.51.100.23");
    ServerRequest request = request("web");

    CloudServer server = provider().build().create(request, events::add);

    assertThat(server.name()).isEqualTo("web");
    assertThat(server.publicIpv4()).isEqualTo("198.51.100.23");
    assertThat(server.sshPort()).isEqualTo(22);
    assertThat(server.region()).isEqualTo("fra1");
    assertThat(server.size()).isEqualTo("s-1vcpu-512mb-10gb");
    assertThat(server.status()).isEqualTo("active");
    assertThat(server.labels()).containsEntry(DigitalOceanProvider.LABEL_DROPLET_ID, server.id())
        .containsEntry(DigitalOceanProvider.LABEL_TAGS, "potions,potions-server:web,team-a")
        .containsEntry(DigitalOceanProvider.LABEL_IMAGE, "ubuntu-24-04-x64")
        .containsKey(DigitalOceanProvider.LABEL_FIREWALL_ID);

    String fingerprint = DigitalOceanClient.md5Fingerprint(sdkKey.publicKey());
    assertThat(sim.createdDroplets()).singleElement().satisfies(c -> {
      // The OpenSSH private key block carries a random check number, so renderings differ in it only.
      assertThat(c.userData()).startsWith("#cloud-config\n")
          .contains("-----BEGIN OPENSSH PRIVATE KEY-----")
          .contains("ed25519_public: \"" + hostKey.publicKey().replace(" host", "") + "\"")
          .contains("- \"" + sdkKey.publicKey() + "\"");
      assertThat(c.userData().lines().count())
          .isEqualTo(request.cloudInit().renderUserData().lines().count());
      assertThat(c.tags()).containsExactly("potions", "potions-server:web", "team-a");
      assertThat(c.sshKeys()).containsExactly(fingerprint);
      assertThat(c.image()).isEqualTo("ubuntu-24-04-x64");
    });
    assertThat(sim.sshKeys()).singleElement().satisfies(k -> assertThat(k.path("fingerprint").asText()).isEqualTo(fingerprint));
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);

    JsonNode firewall = sim.firewalls().get(0);
    assertThat(sim.firewalls()).hasSize(1);
    assertThat(firewall.path("id").asText()).isEqualTo(server.labels().get(DigitalOceanProvider.LABEL_FIREWALL_ID));
    assertThat(firewall.path("name").asText()).isEqualTo("potions-web");
    assertThat(firewall.path("droplet_ids").get(0).asText()).isEqualTo(server.id());
    assertThat(rules(firewall.path("inbound_rules"))).containsExactly("tcp/22", "tcp/80", "tcp/443");
    assertThat(firewall.path("inbound_rules").get(0).path("sources").path("addresses").toString())
        .isEqualTo("[\"0.0.0.0/0\",\"::/0\"]");
    assertThat(rules(firewall.path("outbound_rules"))).containsExactly("tcp/0", "udp/0", "icmp/0");

    assertThat(events).extracting(e -> e.getClass().getSimpleName() + ":" + e.step()).containsSubsequence(
        "StepStarted:cloud-create", "StepOutput:cloud-create", "StepFinished:cloud-create",
        "StepStarted:cloud-firewall", "StepFinished:cloud-firewall");
    assertThat(events).allSatisfy(e -> assertThat(e.server()).isEqualTo("web"));
    assertThat(events).filteredOn(ProgressEvent.StepOutput.class::isInstance)
        .extracting(e -> ((ProgressEvent.StepOutput) e).line().replaceAll("\\d{5,}", "N"))
        .containsExactly("Droplet N accepted; waiting for DigitalOcean to create it",
            "Create action N: in-progress", "Create action N: completed",
            "Droplet N: new", "Droplet N: active at 198.51.100.23",
            "Droplet N is active at 198.51.100.23");
  }

  private static List<String> rules(JsonNode rules) {
    List<String> out = new ArrayList<>();
    rules.forEach(r -> out.add(r.path("protocol").asText() + "/" + r.path("ports").asText()));
    return out;
  }

  @Test
  void opensUdp443ForHttp3OnlyWhenAsked() {
    provider().allowHttp3(true).build().create(request("web"), e -> { });

    assertThat(rules(sim.firewalls().get(0).path("inbound_rules"))).containsExactly("tcp/22", "tcp/80", "tcp/443", "udp/443");
  }

  @Test
  void canGoWithoutTheCloudFirewallOrKeyRegistration() {
    CloudServer server = provider().firewall(false).registerSshKeys(false).build().create(request("web"), e -> { });

    assertThat(server.labels()).doesNotContainKey(DigitalOceanProvider.LABEL_FIREWALL_ID);
    assertThat(sim.firewalls()).isEmpty();
    assertThat(sim.sshKeys()).isEmpty();
    assertThat(sim.createdDroplets().get(0).sshKeys()).isEmpty();
  }

  @Test
  void reusesTheRegisteredKeyForTheNextServer() {
    DigitalOceanProvider provider = provider().build();
    provider.create(request("web"), e -> { });
    provider.create(request("worker"), e -> { });

    assertThat(sim.sshKeys()).hasSize(1);
    assertThat(sim.count("POST", "/v2/account/keys")).isEqualTo(1);
  }

  @Test
  void findsAndListsOnlyItsOwnServers() {
    DigitalOceanProvider provider = provider().build();
    CloudServer web = provider.create(request("web"), e -> { });
    sim.addDroplet("web", "someone-else");
    sim.addDroplet("legacy", "potions", "potions-server:legacy");

    assertThat(provider.find("web")).hasValueSatisfying(s -> {
      assertThat(s.id()).isEqualTo(web.id());
      assertThat(s.publicIpv4()).isEqualTo(web.publicIpv4());
    });
    assertThat(provider.find("nope")).isEmpty();
    assertThat(provider.list()).extracting(CloudServer::name).containsExactlyInAnyOrder("web", "legacy");
  }

  @Test
  void destroysTheDropletAndItsFirewallAndToleratesTheirAbsence() {
    DigitalOceanProvider provider = provider().build();
    CloudServer web = provider.create(request("web"), e -> { });
    CloudServer other = provider.create(request("other"), e -> { });

    provider.destroy(web);

    assertThat(sim.droplets()).extracting(d -> d.path("name").asText()).containsExactly("other");
    assertThat(sim.firewalls()).extracting(f -> f.path("name").asText()).containsExactly("potions-other");
    provider.destroy(web); // already gone: not an error
    // Found again (no firewall label): the firewall is found by name.
    provider.destroy(provider.find("other").orElseThrow());
    assertThat(sim.droplets()).isEmpty();
    assertThat(sim.firewalls()).isEmpty();
    assertThat(other.id()).isNotEqualTo(web.id());
  }

  @Test
  void refusesASecondServerOfTheSameName() {
    DigitalOceanProvider provider = provider().build();
    provider.create(request("web"), e -> { });

    assertThatThrownBy(() -> provider.create(request("web"), events::add))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("already exists");
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);
    assertThat(events).last().isInstanceOf(ProgressEvent.StepFailed.class);
  }

  @Test
  void anErroredCreateDestroysTheDropletAndSaysSo() {
    sim.failCreateActions(true);

    assertThatThrownBy(() -> provider().build().create(request("web"), events::add))
        .isInstanceOf(ActionFailedException.class)
        .hasMessageContaining("errored").hasMessageContaining("destroyed again");
    assertThat(sim.droplets()).isEmpty();
    assertThat(sim.firewalls()).isEmpty();
    assertThat(events).last().isInstanceOfSatisfying(ProgressEvent.StepFailed.class,
        f -> assertThat(f.step()).isEqualTo("cloud-create"));
  }

  @Test
  void aFailingBootIsAnErroredCreate() {
    sim.onDropletCreated(d -> {
      throw new IllegalStateException("no capacity");
    });

    assertThatThrownBy(() -> provider().build().create(request("web"), e -> { }))
        .isInstanceOf(ActionFailedException.class);
    assertThat(sim.droplets()).isEmpty();
  }

  @Test
  void aSlowCreateLeavesTheDropletFindable() {
    sim.actionPollsToComplete(10_000);
    DigitalOceanClient impatient = DigitalOceanClient.builder().token(Secret.of(sim.token())).baseUri(sim.baseUri())
        .polling(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(3)).clock(time).sleeper(time).build();
    DigitalOceanProvider provider = DigitalOceanProvider.builder().client(impatient).build();

    assertThatThrownBy(() -> provider.create(request("web"), e -> { })).isInstanceOf(WaitTimedOutException.class);

    assertThat(provider.find("web")).isPresent();
    assertThat(time.slept()).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void aFailedCreateCallIsNotRepeated() {
    sim.failNext("POST", "/v2/droplets", 1, serverError(500));

    assertThatThrownBy(() -> provider().build().create(request("web"), e -> { }))
        .isInstanceOf(ServerErrorException.class);
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);
  }

  /** How an end-to-end test stands a local server in for the droplet: the hooks it uses. */
  @Test
  void aTestCanStandInForTheDroplet() {
    Map<String, Integer> ports = new ConcurrentHashMap<>();
    List<Droplet> announced = new CopyOnWriteArrayList<>();
    sim.onDropletCreated(created -> {
      // Here an end-to-end test would boot a throwaway server with created.userData().
      assertThat(created.userData()).startsWith("#cloud-config");
      ports.put(created.name(), 22022);
      return "127.0.0.1";
    });
    DigitalOceanProvider local = new DigitalOceanProvider(DigitalOceanProvider.builder().client(client).firewall(false)) {
      @Override
      protected void onDropletCreated(Droplet droplet, ServerRequest request) {
        announced.add(droplet);
      }

      @Override
      protected int sshPort(Droplet droplet) {
        return ports.getOrDefault(droplet.name(), 22);
      }
    };

    CloudServer server = local.create(request("web"), e -> { });

    assertThat(server.publicIpv4()).isEqualTo("127.0.0.1");
    assertThat(server.sshPort()).isEqualTo(22022);
    assertThat(announced).singleElement().satisfies(d -> assertThat(d.status()).isEqualTo("new"));
    assertThat(local.find("web")).hasValueSatisfying(s -> assertThat(s.sshPort()).isEqualTo(22022));
  }

  @Test
  void pointsADomainAtAServerWhenTheAccountManagesIt() {
    sim.addDomain("example.com");
    DigitalOceanProvider provider = provider().build();

    assertThat(provider.ensureARecord("example.com", "app", "203.0.113.5")).isPresent();
    assertThat(provider.ensureARecord("example.net", "app", "203.0.113.5")).isEmpty();
    assertThat(provider.name()).isEqualTo("digitalocean");
  }

  @Test
  void createsTheRecordADomainCheckAsksForInTheZoneThatHoldsIt() {
    sim.addDomain("example.com");
    var records = provider().build().dnsRecords();

    assertThat(records.create(new io.potions.app.domain.DnsRecord("A", "shop.app.example.com", "203.0.113.5"))).isTrue();
    assertThat(sim.count("GET", "/v2/domains/app.example.com")).isEqualTo(1);
    assertThat(sim.count("POST", "/v2/domains/example.com/records")).isEqualTo(1);
    assertThat(records.create(new io.potions.app.domain.DnsRecord("A", "shop.example.net", "203.0.113.5"))).isFalse();
    assertThat(records.create(new io.potions.app.domain.DnsRecord("AAAA", "shop.example.com", "2001:db8::5"))).isFalse();
    assertThat(sim.count("POST", "/v2/domains/.*")).isEqualTo(1);
  }
}
