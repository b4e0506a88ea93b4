package io.potions.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.potions.InvalidInputException;
import io.potions.digitalocean.model.Account;
import io.potions.digitalocean.model.Action;
import io.potions.digitalocean.model.DomainRecord;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.model.DropletCreateRequest;
import io.potions.digitalocean.model.DropletCreation;
import io.potions.digitalocean.model.Firewall;
import io.potions.digitalocean.model.FirewallRule;
import io.potions.digitalocean.model.Image;
import io.potions.digitalocean.model.SshKey;
import io.potions.digitalocean.sim.DigitalOceanSimulation;
import io.potions.digitalocean.sim.FakeTime;
import io.potions.secret.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against the simulated API, every exchange checked against the published contract. */
class DigitalOceanClientTest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  private FakeTime time;
  private DigitalOceanClient client;

  @BeforeEach
  void client() {
    time = new FakeTime();
    client = client(200);
  }

  private DigitalOceanClient client(int pageSize) {
    return DigitalOceanClient.builder()
        .token(Secret.of(sim.token()))
        .baseUri(sim.baseUri())
        .pageSize(pageSize)
        .clock(time)
        .sleeper(time)
        .build();
  }

  @Test
  void checksTheAccount() {
    Account account = client.account();

    assertThat(account.isActive()).isTrue();
    assertThat(account.dropletLimit()).isEqualTo(25);
    assertThat(sim.exchanges()).singleElement().satisfies(e -> {
      assertThat(e.headers()).containsEntry("Authorization", "Bearer " + sim.token());
      assertThat(e.headers().get("Accept")).isEqualTo("application/json");
    });
  }

  @Test
  void listsTheCatalogForCallersOfferingChoices() {
    assertThat(client.regions()).extracting(r -> r.slug()).contains("fra1", "nyc3", "sfo3");
    assertThat(client.sizes()).anySatisfy(s -> {
      assertThat(s.slug()).isEqualTo("s-1vcpu-512mb-10gb");
      assertThat(s.memory()).isEqualTo(512);
      assertThat(s.priceMonthly()).isEqualTo(4.0);
      assertThat(s.regions()).contains("fra1");
    });
    List<Image> distributions = client.images("distribution");
    assertThat(distributions).extracting(Image::slug).contains("ubuntu-24-04-x64").doesNotContain("docker-20-04");
    assertThat(distributions).allSatisfy(i -> assertThat(i.publicImage()).isTrue());
    assertThat(client.images(null)).extracting(Image::slug).contains("docker-20-04");
    assertThat(sim.exchanges()).allSatisfy(e -> assertThat(e.query()).containsEntry("per_page", "200"));
    assertThatThrownBy(() -> client.images("snapshot")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void followsEveryPageOfAList() {
    List<String> seeded = sim.addSshKeys(45);
    DigitalOceanClient small = client(20);

    List<SshKey> keys = small.sshKeys();

    assertThat(keys).hasSize(45).extracting(SshKey::publicKey).containsExactlyElementsOf(seeded);
    assertThat(sim.exchanges()).extracting(e -> e.query().get("page")).containsExactly("1", "2", "3");
    // The links name the real host; the client follows them on its own base URI only.
    assertThat(sim.exchanges().get(0).responseBody()).contains(DigitalOceanSimulation.PUBLIC_API + "/v2/account/keys?");
  }

  @Test
  void followsPagesOfDropletsByTagKeepingTheFilter() {
    for (int i = 0; i < 7; i++) {
      sim.addDroplet("web-" + i, "potions", "potions-server:web-" + i);
    }
    sim.addDroplet("other", "unrelated");

    List<Droplet> tagged = client(3).dropletsByTag("potions");

    assertThat(tagged).hasSize(7).allSatisfy(d -> {
      assertThat(d.isActive()).isTrue();
      assertThat(d.publicIpv4()).isPresent();
    });
    assertThat(sim.exchanges()).hasSize(3).allSatisfy(e -> assertThat(e.query()).containsEntry("tag_name", "potions"));
  }

  @Test
  void reusesAnSshKeyTheAccountAlreadyHasByFingerprint() {
    String existing = sim.addSshKeys(1).get(0);

    SshKey key = client.ensureSshKey("laptop", existing);

    assertThat(key.fingerprint()).isEqualTo(DigitalOceanClient.md5Fingerprint(existing));
    assertThat(sim.count("POST", "/v2/account/keys")).isZero();
    assertThat(sim.exchanges()).singleElement()
        .satisfies(e -> assertThat(e.path()).isEqualTo("/v2/account/keys/" + key.fingerprint()));
  }

  @Test
  void registersAnSshKeyTheAccountLacks() {
    String line = DigitalOceanSimulation.randomPublicKey("potions@test");

    SshKey key = client.ensureSshKey("potions-test", line);

    assertThat(key.name()).isEqualTo("potions-test");
    assertThat(key.id()).isPositive();
    assertThat(sim.sshKeys()).singleElement().satisfies(k -> assertThat(k.path("public_key").asText()).isEqualTo(line));
    assertThat(client.ensureSshKey("again", line).id()).isEqualTo(key.id());
    assertThat(sim.count("POST", "/v2/account/keys")).isEqualTo(1);
    assertThat(client.deleteSshKey(key.fingerprint())).isTrue();
    assertThat(client.deleteSshKey(key.fingerprint())).isFalse();
  }

  @Test
  void createsADropletAndWaitsForItsActionAndThenForItToBeActive() {
    sim.actionPollsToComplete(3).dropletPollsToActive(2);

    DropletCreation creation = client.createDroplet(DropletCreateRequest.builder()
        .name("web").region("fra1").size("s-1vcpu-512mb-10gb").image("ubuntu-24-04-x64")
        .addTags("potions", "potions-server:web").userData("#cloud-config\n").build());
    assertThat(creation.droplet().status()).isEqualTo("new");
    assertThat(creation.droplet().publicIpv4()).isEmpty();
    assertThat(creation.createActionId()).isPresent();

    List<String> seen = new ArrayList<>();
    Action action = client.waitForAction(creation.createActionId().getAsLong(), a -> seen.add(a.status()));
    assertThat(action.isCompleted()).isTrue();
    assertThat(seen).containsExactly("in-progress", "in-progress", "completed");

    Droplet active = client.waitForDropletActive(creation.droplet().id(), d -> seen.add(d.status()));
    assertThat(active.isActive()).isTrue();
    assertThat(active.publicIpv4()).hasValueSatisfying(ip -> assertThat(ip).startsWith("203.0.113."));
    assertThat(active.regionSlug()).isEqualTo("fra1");
    assertThat(active.sizeSlug()).isEqualTo("s-1vcpu-512mb-10gb");
    assertThat(active.image().slug()).isEqualTo("ubuntu-24-04-x64");
    assertThat(active.tags()).containsExactly("potions", "potions-server:web");
    assertThat(active.createdAt()).isNotNull();
    // Polls back off: 3 s, then 4.5 s, ...
    assertThat(time.sleeps()).startsWith(Duration.ofSeconds(3), Duration.ofMillis(4500));
    assertThat(sim.createdDroplets()).singleElement().satisfies(c -> assertThat(c.userData()).isEqualTo("#cloud-config\n"));
  }

  @Test
  void reportsAnErroredActionAsSuch() {
    sim.failCreateActions(true);
    DropletCreation creation = client.createDroplet(DropletCreateRequest.builder()
        .name("web").region("fra1").size("s-1vcpu-1gb").image("ubuntu-24-04-x64").build());

    assertThatThrownBy(() -> client.waitForAction(creation.createActionId().getAsLong(), a -> { }))
        .isInstanceOf(ActionFailedException.class)
        .hasMessageContaining("errored")
        .satisfies(e -> assertThat(((ActionFailedException) e).actionId())
            .isEqualTo(creation.createActionId().getAsLong()));
  }

  @Test
  void givesUpWaitingAtTheDeadline() {
    sim.actionPollsToComplete(1_000);
    DigitalOceanClient impatient = DigitalOceanClient.builder().token(Secret.of(sim.token())).baseUri(sim.baseUri())
        .polling(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofMinutes(2))
        .clock(time).sleeper(time).build();
    DropletCreation creation = impatient.createDroplet(DropletCreateRequest.builder()
        .name("web").region("fra1").size("s-1vcpu-1gb").image("ubuntu-24-04-x64").build());

    assertThatThrownBy(() -> impatient.waitForAction(creation.createActionId().getAsLong(), a -> { }))
        .isInstanceOf(WaitTimedOutException.class)
        .hasMessageContaining("120 s");
    assertThat(time.slept()).isEqualTo(Duration.ofMinutes(2));
    assertThat(time.sleeps()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(20)));
  }

  @Test
  void managesFirewalls() {
    long droplet = sim.addDroplet("web", "potions");

    Firewall fw = client.createFirewall("potions-web",
        List.of(FirewallRule.inboundFromAnywhere("tcp", "22")),
        List.of(FirewallRule.outboundToAnywhere("tcp")), List.of(droplet), List.of());

    assertThat(fw.id()).isNotBlank();
    assertThat(fw.dropletIds()).containsExactly(droplet);
    assertThat(fw.inboundRules()).singleElement().satisfies(r -> {
      assertThat(r.protocol()).isEqualTo("tcp");
      assertThat(r.ports()).isEqualTo("22");
      assertThat(r.sources().addresses()).containsExactly("0.0.0.0/0", "::/0");
    });
    long other = sim.addDroplet("web2", "potions");
    client.addDropletsToFirewall(fw.id(), List.of(other));
    assertThat(client.firewall(fw.id())).hasValueSatisfying(f -> assertThat(f.dropletIds()).containsExactly(droplet, other));
    assertThat(client.firewalls()).extracting(Firewall::name).containsExactly("potions-web");
    assertThat(client.deleteFirewall(fw.id())).isTrue();
    assertThat(client.deleteFirewall(fw.id())).isFalse();
    assertThat(client.firewall(fw.id())).isEmpty();
  }

  @Test
  void deletesDropletsAndToleratesTheirAbsence() {
    long id = sim.addDroplet("web", "potions");

    assertThat(client.droplet(id)).isPresent();
    assertThat(client.deleteDroplet(id)).isTrue();
    assertThat(client.deleteDroplet(id)).isFalse();
    assertThat(client.droplet(id)).isEmpty();
  }

  @Test
  void createsAnARecordWhenTheDomainIsManagedInTheAccount() {
    sim.addDomain("example.com");
    sim.addRecord("example.com", "A", "www", "198.51.100.1");

    Optional<DomainRecord> record = client.ensureARecord("example.com", "app", "203.0.113.7");

    assertThat(record).hasValueSatisfying(r -> {
      assertThat(r.type()).isEqualTo("A");
      assertThat(r.name()).isEqualTo("app");
      assertThat(r.data()).isEqualTo("203.0.113.7");
      assertThat(r.ttl()).isEqualTo(300);
    });
    assertThat(sim.records("example.com")).extracting(r -> r.path("name").asText()).containsExactly("www", "app");
    // Again: nothing to change.
    assertThat(client.ensureARecord("example.com", "app", "203.0.113.7")).isPresent();
    assertThat(sim.count("POST", "/v2/domains/.*")).isEqualTo(1);
    assertThat(sim.count("PUT", "/v2/domains/.*")).isZero();
    assertThat(sim.exchanges()).filteredOn(e -> e.path().endsWith("/records") && e.method().equals("GET"))
        .allSatisfy(e -> assertThat(e.query()).containsEntry("name", "app.example.com").containsEntry("type", "A"));
  }

  @Test
  void pointsAnExistingARecordAtTheNewAddress() {
    sim.addDomain("example.com");
    long id = sim.addRecord("example.com", "A", "app", "198.51.100.1");

    Optional<DomainRecord> record = client.ensureARecord("example.com", "app", "203.0.113.9");

    assertThat(record).hasValueSatisfying(r -> assertThat(r.id()).isEqualTo(id));
    assertThat(sim.records("example.com")).singleElement()
        .satisfies(r -> assertThat(r.path("data").asText()).isEqualTo("203.0.113.9"));
    assertThat(sim.count("PUT", "/v2/domains/example.com/records/" + id)).isEqualTo(1);
  }

  @Test
  void leavesDnsAloneWhenTheDomainIsNotInTheAccount() {
    assertThat(client.ensureARecord("example.org", "app", "203.0.113.7")).isEmpty();
    assertThat(sim.exchanges()).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> client.ensureARecord("example.org", "app", "not-an-ip"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void md5FingerprintsMatchWhatDigitalOceanShows() {
    // `ssh-keygen -E md5 -lf` prints MD5:65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd for this key.
    String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test";
    String fp = DigitalOceanClient.md5Fingerprint(key);
    assertThat(fp).isEqualTo("65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd");
    assertThat(fp).isEqualTo(md5Independently(key));
    assertThatThrownBy(() -> DigitalOceanClient.md5Fingerprint("not a key")).isInstanceOf(InvalidInputException.class);
  }

  private static String md5Independently(String key) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("MD5")
          .digest(java.util.Base64.getDecoder().decode(key.split(" ")[1]));
      return java.util.HexFormat.ofDelimiter(":").formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void dropletCreateRequestsNeverPrintTheirUserData() {
    DropletCreateRequest request = DropletCreateRequest.builder()
        .name("web").region("fra1").size("s-1vcpu-1gb").image("ubuntu-24-04-x64")
        .userData("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n").build();
    assertThat(request.toString()).doesNotContain("PRIVATE").doesNotContain("secret");
    assertThatThrownBy(() -> DropletCreateRequest.builder().name("-bad-").region("fra1").size("s").image("i").build())
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void everyExchangeIsRecordedForTheContractCheck() {
    client.account();
    client.regions();
    assertThat(sim.exchanges()).extracting(DigitalOceanSimulation.Exchange::path)
        .containsExactly("/v2/account", "/v2/regions");
    JsonNode ignored = sim.droplets().isEmpty() ? null : sim.droplets().get(0);
    assertThat(ignored).isNull();
  }
}
