package io.potions.maven;

import io.potions.Potions;
import io.potions.Server;
import io.potions.provision.ProvisionReport;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * {@code potions:provision}: finds or creates the server and brings it to the state Potions needs
 * (Erlang/OTP, Elixir, PostgreSQL, Caddy, systemd units, firewall, fail2ban, SSH hardening).
 * Idempotent: on a server that is already set up it changes nothing and says so.
 */
@Mojo(name = "provision", requiresProject = false, threadSafe = true)
public class ProvisionMojo extends AbstractPotionsMojo {
  /** For Maven. */
  public ProvisionMojo() {}

  @Override
  protected void run(Potions potions) throws MojoFailureException {
    Server server = server(potions, true).provision();
    ProvisionReport report = server.lastProvision().orElseThrow();
    getLog().info("Server " + server.name() + " (" + server.target() + ") is ready: " + report.summary());
    getLog().info("It runs " + report.facts().os() + ", Erlang/OTP " + report.facts().erlang() + ", Elixir "
        + report.facts().elixir() + ", PostgreSQL " + report.facts().postgresql() + ", reverse proxy "
        + report.facts().proxy());
  }
}
