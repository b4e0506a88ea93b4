package io.potions.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.internal.cloud.CloudInit;
import io.potions.secret.Secret;
import io.potions.ssh.SshIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Against the real API, only when {@code DIGITALOCEAN_TOKEN} is set: creates the smallest droplet,
 * checks it becomes active with an address, and destroys it (and its firewall) whatever happens.
 * Costs a few cents. Region: {@code POTIONS_DO_REGION} (default {@code fra1}); size: {@code
 * POTIONS_DO_SIZE} (default {@code s-1vcpu-512mb-10gb}).
 */
class DigitalOceanLiveTest {
  @Test
  void createsAndDestroysARealDroplet() {
    String token = System.getenv(DigitalOceanClient.TOKEN_ENV);
    assumeTrue(token != null && !token.isBlank(),
        "Skipped: DIGITALOCEAN_TOKEN is not set, so the live test against the real DigitalOcean API"
            + " (which creates and destroys a small droplet) does not run.");
    String region = System.getenv().getOrDefault("POTIONS_DO_REGION", "fra1");
    String size = System.getenv().getOrDefault("POTIONS_DO_SIZE", "s-1vcpu-512mb-10gb");
    DigitalOceanClient client = DigitalOceanClient.builder().token(Secret.of(token.trim()))
        .polling(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(8)).build();
    assertThat(client.account().isActive()).as("the account is active").isTrue();
    DigitalOceanProvider provider = DigitalOceanProvider.builder().client(client).build();
    String name = "potions-live-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    SshIdentity sdkKey = SshIdentity.generateEd25519("potions-live-test");
    ServerRequest request = ServerRequest.builder().name(name).region(region).size(size).image("ubuntu-24-04-x64")
        .cloudInit(new CloudInit(List.of(sdkKey.publicKey()), SshIdentity.generateEd25519("host")))
        .addTags("potions-live-test").build();
    CloudServer server = null;
    try {
      server = provider.create(request, event -> System.err.println("[live] " + event));
      assertThat(server.status()).isEqualTo("active");
      assertThat(server.publicIpv4()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
      assertThat(provider.find(name)).isPresent();
    } finally {
      if (server != null) {
        provider.destroy(server);
      } else {
        provider.find(name).ifPresent(provider::destroy); // left behind by a slow create
      }
      client.deleteSshKey(DigitalOceanClient.md5Fingerprint(sdkKey.publicKey()));
    }
  }
}
