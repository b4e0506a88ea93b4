package io.potions;

import io.potions.app.App;
import io.potions.app.AppManifest;
import io.potions.event.EventStream;
import io.potions.internal.engine.DeployQueue;
import io.potions.internal.engine.ServerContext;
import io.potions.internal.provision.Provisioner;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.ssh.SshConnection;
import io.potions.internal.ssh.SshExecutor;
import io.potions.progress.ProgressListener;
import io.potions.provision.ProvisionReport;
import io.potions.provision.ServerFacts;
import io.potions.secret.Redactor;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import io.potions.ssh.PortForward;
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
  private final ReleaseBuilder releaseBuilder;
  private final ProgressListener listener;
  private final Redactor redactor;
  private final DeployQueue queue;
  private final ServerContext context = new Context();
  private volatile Optional<String> baseDomain = Optional.empty();
  private SshConnection connection;
  private SshConnection deployConnection;
  private ProvisionReport lastProvision;
  private EventStream events = new EventStream();

  Server(String name, SshTarget target, ReverseProxy proxy, ReleaseBuilder releaseBuilder, ProgressListener listener,
      Redactor redactor) {
    this.name = name;
    this.target = target;
    this.proxy = proxy;
    this.releaseBuilder = releaseBuilder;
    this.listener = listener;
    this.redactor = redactor;
    this.queue = new DeployQueue(name);
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
    String operation = "provision-" + name;
    ProgressListener both = event -> context.publish(null, operation, event);
    Provisioner provisioner = new Provisioner(executor(), target.user(), redactor, name, proxy, both);
    lastProvision = provisioner.provision(List.of(target.identity().publicKey()));
    return this;
  }

  /**
   * Like {@link #provision()}, on a thread of the SDK: the events (on {@link #events()}) show its
   * progress.
   *
   * @return completes with this server, ready for apps
   */
  public java.util.concurrent.CompletableFuture<Server> provisionAsync() {
    return io.potions.internal.engine.Async.supply(this::provision);
  }

  /** @return the event stream this server publishes to (its {@link io.potions.Potions}'s) */
  public EventStream events() {
    return events;
  }

  /** Publishes to the instance's stream instead of a private one. */
  void useBaseDomain(Optional<String> base) {
    this.baseDomain = base;
  }

  void useEvents(EventStream stream) {
    this.events = stream;
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
   * The executor logged in as the target's user, for advanced use and tests: every command the
   * SDK runs on a server goes through one.
   *
   * @return the executor, connected on first use
   */
  public synchronized RemoteExecutor executor() {
    return sshExecutor();
  }

  private synchronized SshExecutor sshExecutor() {
    if (connection == null) {
      connection = SshConnection.open(target, redactor);
    }
    return new SshExecutor(connection, redactor);
  }

  /**
   * Forwards a local port to an address on the server (such as a loopback-only admin API).
   *
   * @param remoteHost the host as seen from the server, such as {@code 127.0.0.1}
   * @param remotePort the port there
   * @return the forward; close it to stop
   */
  public PortForward forwardLocal(String remoteHost, int remotePort) {
    return sshExecutor().connection().forwardLocal(remoteHost, remotePort);
  }

  /**
   * An app on this server (it may not exist yet: see {@link App#create}).
   *
   * @param appName the app's name
   * @return a handle to it
   */
  public App app(String appName) {
    return new App(context, appName, null);
  }

  /** @return every app on this server, as stored there */
  public List<AppManifest> apps() {
    return App.list(context);
  }

  /**
   * The executor logged in as the deploy user, which every app operation uses (it can run only the
   * validating helper as root).
   *
   * @return the executor, connected on first use
   */
  synchronized RemoteExecutor deployExecutor() {
    if (ServerLayout.DEPLOY_USER.equals(target.user())) {
      return executor();
    }
    if (deployConnection == null) {
      deployConnection = SshConnection.open(target.asUser(ServerLayout.DEPLOY_USER), redactor);
    }
    return new SshExecutor(deployConnection, redactor);
  }

  /**
   * The executor logged in as the unprivileged deploy user, which app operations and builds use; a
   * {@link io.potions.spi.ReleaseBuilder} that builds on this server (a build server) runs through it.
   *
   * @return the executor, connected on first use
   */
  public RemoteExecutor appExecutor() {
    return deployExecutor();
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
    if (deployConnection != null) {
      deployConnection.close();
      deployConnection = null;
    }
    queue.shutdown();
  }

  /** What apps need from their server, kept off the public API. */
  private final class Context implements ServerContext {
    @Override
    public String serverName() {
      return name;
    }

    @Override
    public RemoteExecutor executor() {
      return Server.this.deployExecutor();
    }

    @Override
    public ReverseProxy proxy() {
      return proxy;
    }

    @Override
    public Optional<String> baseDomain() {
      return baseDomain;
    }

    @Override
    public ReleaseBuilder releaseBuilder() {
      return releaseBuilder;
    }

    @Override
    public ProgressListener listener() {
      return listener;
    }

    @Override
    public Redactor redactor() {
      return redactor;
    }

    @Override
    public DeployQueue queue() {
      return queue;
    }

    @Override
    public void publish(String app, String operation, io.potions.progress.ProgressEvent event) {
      try {
        listener.onEvent(event);
      } finally {
        events.publish(name, app, operation, event);
      }
    }
  }

  @Override
  public String toString() {
    return "Server[" + name + ", " + target + "]";
  }
}
