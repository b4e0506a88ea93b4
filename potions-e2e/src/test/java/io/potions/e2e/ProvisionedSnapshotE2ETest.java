package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.provision.ProvisionReport;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.ThrowawayServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cached "already provisioned" snapshot boots ready: provision() finds nothing to do. */
@ExtendWith(RequiresDocker.class)
class ProvisionedSnapshotE2ETest {
  @Test
  void aServerFromTheSnapshotIsAlreadyProvisioned() {
    try (ThrowawayServer box = ThrowawayServer.provisioned(); Potions potions = Potions.builder().build()) {
      long t0 = System.nanoTime();
      box.start();
      System.out.printf("snapshot.boot_s=%.1f%n", (System.nanoTime() - t0) / 1e9);
      Server server = potions.existingServer(box.sshTarget()).provision();
      ProvisionReport report = server.lastProvision().orElseThrow();
      assertThat(report.changedSteps()).isEmpty();
      assertThat(box.console("systemctl is-active caddy postgresql fail2ban").getStdout().trim())
          .isEqualTo("active\nactive\nactive");
    }
  }
}
