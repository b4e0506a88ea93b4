package io.potions;

import io.potions.progress.ProgressListener;
import io.potions.provision.ProvisionReport;
import io.potions.provision.Provisioner;
import io.potions.provision.ServerFacts;
import io.potions.remote.RemoteShell;
import io.potions.secret.Redactor;
import io.potions.spi.ReverseProxy;
import io.potions.ssh.SshConnection;
import io.potions.ssh.SshTarget;
import java.util.List;
import java.util.Optional;

/**
 * One server the SDK manages: a droplet it created or a machine the user already has. Holds one
 * SSH connection, opened on first use and reused. The server itself stays the user's: everything
 * the SDK knows about it is on it.
 */
public final class Server implements AutoCloseable {
  private final String name;
  private final SshTarget target;
  private final ReverseProxy proxy;
  private final ProgressListener listener;
  private final Redactor redactor;
  private SshConnection connection;
  private ProvisionReport lastProvision;

  Server(String name, SshTarget target, ReverseProxy proxy, ProgressListener listener, Redactor redactor) {
    this.name = name;
    this.target = target;
    this.proxy = proxy;
    this.listener = listener;
    this.redactor = redactor;
  }

  /** @return the server's name, as used in progress events */
  public String name() {
    return name;
  }

  /** @return where and how the SDK logs in */
  public SshTarget target() {
    return target;
  }

  /**
   * Brings the server to the state Potions needs (idempotent: a second run changes nothing and
   * says so in {@link #lastProvision()}).
   *
   * @return this server, ready for apps
   */
  public Server provision() {
    Provisioner provisioner = new Provisioner(shell(), name, proxy, listener);
    lastProvision = provisioner.provision(List.of(target.identity().publicKey()));
    return this;
  }

  /** @return what the last {@link #provision()} of this object did */
  public Optional<ProvisionReport> lastProvision() {
    return Optional.ofNullable(lastProvision);
  }

  /** @return the OS and runtime versions found by the last provision */
  public ServerFacts facts() {
    if (lastProvision == null) {
      throw new PotionsException("Server " + name + " has not been provisioned by this object yet;"
          + " call provision() first (it is quick on a server that is already set up).");
    }
    return lastProvision.facts();
  }

  /**
   * The remote shell for this server, for advanced use and tests. Every command the SDK runs goes
   * through it.
   *
   * @return the shell, connected on first use
   */
  public synchronized RemoteShell shell() {
    if (connection == null) {
      connection = SshConnection.open(target, redactor);
    }
    return new RemoteShell(connection, redactor);
  }

  /** @return the host key the server presented, as an OpenSSH line, once connected */
  public Optional<String> hostKey() {
    return connection == null ? Optional.empty() : connection.presentedHostKey();
  }

  /** Closes the SSH connection; the server keeps running. */
  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  @Override
  public String toString() {
    return "Server[" + name + ", " + target + "]";
  }
}
