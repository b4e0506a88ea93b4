package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A script's text becomes a command line on the server (ssh runs it as {@code bash -c <text>}),
 * which any local user can read in {@code ps}. So the commands that carry secrets name only the
 * app: the database password and the env content travel on stdin.
 */
class SecretsOffCommandLineTest {
  @Test
  void theDatabaseAndEnvCommandsCarryNothingButTheAppAndSlot() {
    assertThat(AppScripts.createDatabase("shop")).isEqualTo("sudo -n /usr/local/sbin/potions-admin db-create shop");
    assertThat(AppScripts.installEnv("shop", Slot.BLUE)).isEqualTo("sudo -n /usr/local/sbin/potions-admin env shop blue");
  }
}
