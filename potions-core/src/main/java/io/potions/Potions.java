package io.potions;

import io.potions.app.OnServerBuilder;
import io.potions.cloud.CloudServer;
import io.potions.event.EventStream;
import io.potions.progress.ProgressListener;
import io.potions.secret.Redactor;
import io.potions.spi.CloudProvider;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.ReverseProxy;
import io.potions.ssh.KnownHosts;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The entry point. Build one per program, keep it, close it at the end:
 *
 * <pre>{@code
 * try (Potions potions = Potions.builder().progress(System.out::println).build()) {
 *   Server server = potions.existingServer(SshTarget.builder()
 *       .host("203.0.113.10").identity(SshIdentity.fromFile(Path.of("/home/me/.ssh/id_ed25519")))
 *       .hostKeys(HostKeyPolicy.pinned("ssh-ed25519 AAAA..."))
 *       .build()).provision();
 * }
 * }</pre>
 */
public final class Potions implements AutoCloseable {
  private final ProgressListener listener;
  private final ReverseProxy proxy;
  private final ReleaseBuilder releaseBuilder;
  private final Redactor redactor = new Redactor();
  private final EventStream events = new EventStream();
  private final List<Server> servers = new ArrayList<>();
  private final CloudProvider cloud;
  private final Path home;
  private final KnownHosts knownHosts;
  private SshIdentity identity;
  private final Optional<String> baseDomain;

  private Potions(Builder builder) {
    this.listener = builder.listener;
    ReverseProxy chosenProxy = builder.proxy != null ? builder.proxy : discoverProxy();
    this.proxy = builder.acme != null ? chosenProxy.withAcme(builder.acme) : chosenProxy;
    this.baseDomain = Optional.ofNullable(builder.baseDomain);
    ReleaseBuilder chosen = builder.releaseBuilder != null ? builder.releaseBuilder
        : ServiceLoader.load(ReleaseBuilder.class).findFirst().orElseGet(OnServerBuilder::new);
    // Apps may name another builder in their settings: the extra ones, and always the on-server one.
    List<ReleaseBuilder> others = new ArrayList<>(builder.otherBuilders);
    if (others.stream().noneMatch(b -> b.name().equals("on-server")) && !chosen.name().equals("on-server")) {
      others.add(new OnServerBuilder());
    }
    this.releaseBuilder = new io.potions.internal.engine.ReleaseBuilders(chosen, others);
    this.cloud = builder.cloud;
    this.home = builder.home != null ? builder.home
        : Path.of(System.getProperty("user.home"), ".potions");
    this.identity = builder.identity;
    this.knownHosts = new KnownHosts(home.resolve("known_hosts"));
  }

  /** @return a builder with no listener and the reverse proxy found on the class path */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A server the user already has: provisioning takes it over; nothing is created.
   *
   * @param target how to log in (as root, or a user with passwordless sudo)
   * @return the server, not yet connected
   */
  public Server existingServer(SshTarget target) {
    return existingServer(target.host(), target);
  }

  /**
   * A server the user already has, under a name of the caller's choosing.
   *
   * @param name the name used in progress events
   * @param target how to log in
   * @return the server, not yet connected
   */
  public synchronized Server existingServer(String name, SshTarget target) {
    Server server = new Server(name, target, proxy, releaseBuilder, listener, redactor);
    server.useEvents(events);
    server.useBaseDomain(baseDomain);
    servers.add(server);
    return server;
  }

  /**
   * A server from the configured cloud provider, created if the SDK has not created it yet.
   *
   * @param name the server's name (a host name label)
   * @return a request to configure, then {@code provision()}
   */
  public CloudServerRequest server(String name) {
    cloud();
    return new CloudServerRequest(this, name);
  }

  /** @return the servers the SDK created with the configured cloud provider */
  public List<CloudServer> cloudServers() {
    return cloud().list();
  }

  /**
   * Destroys a server the SDK created (and what the provider created for it).
   *
   * @param name the server's name
   * @return true when there was one to destroy
   */
  public boolean destroy(String name) {
    Optional<CloudServer> server = cloud().find(name);
    server.ifPresent(cloud()::destroy);
    return server.isPresent();
  }

  CloudProvider cloud() {
    if (cloud == null) {
      throw new PotionsException("No cloud provider configured: pass one to Potions.builder().cloud(...)"
          + " (DigitalOceanProvider, or the testkit's LocalCloud), or use existingServer(...) for a server"
          + " you already have.");
    }
    return cloud;
  }

  /** Cloud-side steps (create, host key) go to the listener and to the stream, under the server's provisioning. */
  ProgressListener listener() {
    return event -> {
      try {
        listener.onEvent(event);
      } finally {
        events.publish(event.server(), null, "provision-" + event.server(), event);
      }
    };
  }

  KnownHosts knownHosts() {
    return knownHosts;
  }

  /** @return the SDK's own SSH key: the one given to the builder, else {@code ~/.potions/id_ed25519} */
  public synchronized SshIdentity identity() {
    if (identity == null) {
      identity = SshIdentity.loadOrGenerate(home.resolve("id_ed25519"), "potions");
    }
    return identity;
  }

  /**
   * The one stream of every event of this instance (every server, app and deployment), with ids;
   * see {@link EventStream} for catching up and following.
   *
   * @return the stream
   */
  public EventStream events() {
    return events;
  }

  /** @return the masker every server of this instance shares: register secrets you add yourself */
  public Redactor redactor() {
    return redactor;
  }

  /** Closes every server's SSH connection. */
  @Override
  public synchronized void close() {
    servers.forEach(Server::close);
    servers.clear();
    events.close();
  }

  private static ReverseProxy discoverProxy() {
    return ServiceLoader.load(ReverseProxy.class).findFirst().orElseThrow(() -> new PotionsException(
        "No reverse proxy on the class path. Add the io.potions:potions-caddy dependency, or pass one"
            + " to Potions.builder().reverseProxy(...)."));
  }

  /** Configures a {@link Potions}. */
  public static final class Builder {
    private ProgressListener listener = ProgressListener.NONE;
    private ReverseProxy proxy;
    private ReleaseBuilder releaseBuilder;
    private final List<ReleaseBuilder> otherBuilders = new ArrayList<>();
    private CloudProvider cloud;
    private SshIdentity identity;
    private Path home;
    private io.potions.app.domain.AcmeSettings acme;
    private String baseDomain;

    private Builder() {}

    /**
     * @param listener receives progress events from every operation
     * @return this builder
     */
    public Builder progress(ProgressListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @param proxy the reverse proxy to configure on servers (default: the one on the class path)
     * @return this builder
     */
    public Builder reverseProxy(ReverseProxy proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * @param builder where releases are built (default: one found on the class path through
     *     {@link ServiceLoader}, else {@link OnServerBuilder}, which builds on the app's own server)
     * @return this builder
     */
    public Builder releaseBuilder(ReleaseBuilder builder) {
      this.releaseBuilder = Objects.requireNonNull(builder, "builder");
      return this;
    }

    /**
     * Adds a builder an app may choose by name in its settings ({@code AppSettings.releaseBuilder}),
     * besides the default one; the on-server builder is always available as {@code on-server}.
     *
     * @param builder a builder, such as {@code BuildServerBuilder.on(buildServer)}
     * @return this builder
     */
    public Builder addReleaseBuilder(ReleaseBuilder builder) {
      this.otherBuilders.add(Objects.requireNonNull(builder, "builder"));
      return this;
    }

    /**
     * @param cloud where {@link Potions#server(String)} creates servers
     * @return this builder
     */
    public Builder cloud(CloudProvider cloud) {
      this.cloud = Objects.requireNonNull(cloud, "cloud");
      return this;
    }

    /**
     * @param identity the SSH key the SDK logs in to cloud servers with (default: generated once
     *     and kept in {@code ~/.potions/id_ed25519})
     * @return this builder
     */
    public Builder identity(SshIdentity identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * @param home where the SDK keeps its key and the pinned host keys (default {@code ~/.potions})
     * @return this builder
     */
    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home");
      return this;
    }

    /**
     * Where the reverse proxy obtains the certificates of apps served over HTTPS (default: Let's
     * Encrypt's production directory; {@link io.potions.app.domain.AcmeSettings#letsEncryptStaging()}
     * for trials).
     *
     * @param acme the ACME directory, the root to trust for it, the account email
     * @return this builder
     */
    public Builder acme(io.potions.app.domain.AcmeSettings acme) {
      this.acme = Objects.requireNonNull(acme, "acme");
      return this;
    }

    /**
     * A base domain under which every app created through this instance also answers, at
     * {@code <app>.<base>} (point the wildcard record {@code *.<base>} at the server once). The app's
     * own first domain stays its primary one (PHX_HOST); the default one is added after it when the app
     * is created.
     *
     * @param baseDomain a plain domain, such as {@code apps.example.com}
     * @return this builder
     * @throws io.potions.InvalidInputException when it is not a plain domain
     */
    public Builder baseDomain(String baseDomain) {
      io.potions.app.domain.Domains.defaultDomain("app", baseDomain);  // refuses a bad one here, not later
      this.baseDomain = io.potions.internal.Names.domain(baseDomain);
      return this;
    }

    /** @return the configured instance */
    public Potions build() {
      return new Potions(this);
    }
  }
}
