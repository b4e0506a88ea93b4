package io.potions.internal.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.app.AppScriptsSyntax;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rendered script is valid bash, and the files the bootstrap installs say what they must. */
class RenderedScriptsTest {
  static void assertValidBash(String label, String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
    p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(label + ": " + out + "\n" + script).isZero();
  }

  @Test
  void everyBootstrapStepIsValidBashOnBothDistributions() throws Exception {
    for (Distribution d : Distribution.values()) {
      List<BootstrapStep> steps = BootstrapPlan.render(d, List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO test"), List.of());
      assertThat(steps).extracting(BootstrapStep::id).contains("packages", "users", "firewall", "fail2ban",
          "ssh-hardening", "postgresql", "slot-unit", "deploy-rights", "epmd");
      for (BootstrapStep step : steps) {
        assertValidBash(d + "/" + step.id() + "/check", step.check());
        assertValidBash(d + "/" + step.id() + "/apply", step.apply());
      }
    }
    assertValidBash("preflight", BootstrapPlan.preflightScript());
    assertValidBash("facts", BootstrapPlan.factsScript("caddy version"));
    assertValidBash("admin helper", SystemFiles.adminHelper());
  }

  @Test
  void ubuntuEnablesUniverseAndDebianDoesNot() {
    assertThat(BootstrapPlan.render(Distribution.UBUNTU_24_04, List.of("k"), List.of()).get(0).id())
        .isEqualTo("apt-universe");
    assertThat(BootstrapPlan.render(Distribution.DEBIAN_12, List.of("k"), List.of()))
        .extracting(BootstrapStep::id).doesNotContain("apt-universe");
  }

  @Test
  void thePlanFingerprintChangesWithAnyScript() {
    List<BootstrapStep> a = BootstrapPlan.render(Distribution.DEBIAN_12, List.of("key-a"), List.of());
    List<BootstrapStep> b = BootstrapPlan.render(Distribution.DEBIAN_12, List.of("key-b"), List.of());
    assertThat(BootstrapPlan.fingerprint(a)).isEqualTo(BootstrapPlan.fingerprint(
        BootstrapPlan.render(Distribution.DEBIAN_12, List.of("key-a"), List.of())));
    assertThat(BootstrapPlan.fingerprint(a)).isNotEqualTo(BootstrapPlan.fingerprint(b));
  }

  @Test
  void theFirewallAllowsExactlySshHttpAndHttps() {
    BootstrapStep fw = BootstrapPlan.render(Distribution.DEBIAN_12, List.of("k"), List.of()).stream()
        .filter(s -> s.id().equals("firewall")).findFirst().orElseThrow();
    List<String> allows = new ArrayList<>();
    for (String line : fw.apply().split("\n")) {
      if (line.startsWith("ufw allow ")) {
        allows.add(line.substring("ufw allow ".length()));
      }
    }
    assertThat(allows).containsExactly("22/tcp", "80/tcp", "443/tcp", "443/udp");
    assertThat(fw.apply()).contains("ufw default deny incoming");
    // SSH is allowed before the firewall is enabled, so provisioning never locks itself out.
    assertThat(fw.apply().indexOf("ufw allow 22/tcp")).isLessThan(fw.apply().indexOf("ufw --force enable"));
  }

  @Test
  void sshIsHardenedAndTheDeployUserGetsExactlyOneRootCommand() {
    assertThat(SystemFiles.sshdHardening()).contains("PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password", "ClientAliveInterval 15", "\nMaxSessions 64\n");
    assertThat(SystemFiles.sudoers()).isEqualTo("# Managed by Potions. The deploy user may run only the validating"
        + " helper as root.\nDefaults:deploy !requiretty\ndeploy ALL=(root) NOPASSWD: /usr/local/sbin/potions-admin\n");
  }

  @Test
  void slotsRunUnprivilegedWithTheirEnvFromARootOwnedFile() {
    String unit = SystemFiles.slotUnitTemplate();
    assertThat(unit).contains("User=potions", "EnvironmentFile=/etc/potions/env/%i", "NoNewPrivileges=yes",
        "ProtectSystem=strict", "ERL_EPMD_ADDRESS=127.0.0.1", "Restart=on-failure", "WantedBy=multi-user.target");
    assertThat(unit).doesNotContain("User=root", "User=deploy");
  }

  @Test
  void appScriptsAreValidBash() throws Exception {
    for (var entry : AppScriptsSyntax.samples().entrySet()) {
      assertValidBash(entry.getKey(), entry.getValue());
    }
  }
}
