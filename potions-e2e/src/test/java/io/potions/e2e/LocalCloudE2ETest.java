package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.Server;
import io.potions.cloud.CloudServer;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cloud path of the fluent API on the local cloud: create a server whose host key the SDK
 * generated and pinned (handed over as cloud-init user data), connect with no trust on first use,
 * bootstrap, find it again from a new SDK instance, destroy it.
 */
@ExtendWith(RequiresDocker.class)
class LocalCloudE2ETest {
  @Test
  void aServerIsCreatedPinnedProvisionedFoundAgainAndDestroyed() throws Exception {
    Path home = Files.createTempDirectory("potions-home-");
    LocalCloud cloud = LocalCloud.fromSnapshot();
    RecordingListener progress = new RecordingListener();
    try (Potions potions = Potions.builder().cloud(cloud).home(home).progress(progress).build()) {
      assertThatThrownBy(() -> potions.server("Web_1").provision()).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Server name");
      assertThat(cloud.find("web-1")).isEmpty();

      Server server = potions.server("web-1").provision();
      assertThat(server.facts().os()).contains("Debian GNU/Linux 12");
      assertThat(server.hostKey()).isPresent();
      assertThat(Files.readString(home.resolve("known_hosts")))
          .contains(server.hostKey().orElseThrow().split(" ")[1]);
      assertThat(progress.events).anyMatch(e -> e.step().equals("create"));
      assertThat(potions.cloudServers()).extracting(CloudServer::name).contains("web-1");
    }
    try (Potions again = Potions.builder().cloud(cloud).home(home).build()) {
      Server found = again.server("web-1").provision();
      assertThat(found.lastProvision().orElseThrow().changedAnything()).isFalse();
      assertThat(again.destroy("web-1")).isTrue();
      assertThat(cloud.find("web-1")).isEmpty();
    } finally {
      cloud.find("web-1").ifPresent(cloud::destroy);
    }
  }
}
