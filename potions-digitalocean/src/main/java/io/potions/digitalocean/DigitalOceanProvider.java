package io.potions.digitalocean;

import io.potions.InvalidInputException;
import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.digitalocean.model.DomainRecord;
import io.potions.digitalocean.model.Droplet;
import io.potions.digitalocean.model.DropletCreateRequest;
import io.potions.digitalocean.model.DropletCreation;
import io.potions.digitalocean.model.Firewall;
import io.potions.digitalocean.model.FirewallRule;
import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.spi.CloudProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DigitalOcean {@link CloudProvider}: servers are droplets, tagged {@code potions} and {@code
 * potions-server:<name>} so the SDK finds its own, each behind its own cloud firewall (inbound TCP
 * 22, 80 and 443 only) as defence in depth beside the server's UFW.
 *
 * <pre>{@code
 * CloudProvider cloud = DigitalOceanProvider.builder()
 *     .client(DigitalOceanClient.builder().tokenFromEnvironment().build())
 *     .build();
 * }</pre>
 *
 * <p>Tests may subclass it: {@link #onDropletCreated(Droplet, ServerRequest)} is told of every
 * droplet as soon as DigitalOcean accepted it, and {@link #sshPort(Droplet)} and {@link
 * #toCloudServer(Droplet, String)} decide how a droplet is reported.
 */
public class DigitalOceanProvider implements CloudProvider {
  /** The tag every droplet the SDK creates carries, unless configured otherwise. */
  public static final String DEFAULT_TAG = "potions";

  /** Label holding the droplet's id. */
  public static final String LABEL_DROPLET_ID = "digitalocean.droplet_id";

  /** Label holding the id of the firewall created for the server, when known. */
  public static final String LABEL_FIREWALL_ID = "digitalocean.firewall_id";

  /** Label holding the droplet's tags, comma-separated. */
  public static final String LABEL_TAGS = "digitalocean.tags";

  /** Label holding the droplet's image slug. */
  public static final String LABEL_IMAGE = "digitalocean.image";

  private static final Logger log = LoggerFactory.getLogger(DigitalOceanProvider.class);
  private static final String STEP_CREATE = "cloud-create";
  private static final String STEP_FIREWALL = "cloud-firewall";

  private final DigitalOceanClient client;
  private final String tag;
  private final boolean firewall;
  private final boolean allowHttp3;
  private final boolean registerSshKeys;
  private final boolean ipv6;
  private final boolean monitoring;

  /**
   * For subclasses; others use {@link #builder()}.
   *
   * @param builder the configuration
   */
  protected DigitalOceanProvider(Builder builder) {
    this.client = Objects.requireNonNull(builder.client,
        "client: pass DigitalOceanProvider.builder().client(DigitalOceanClient.builder().token(...).build())");
    this.tag = builder.tag;
    this.firewall = builder.firewall;
    this.allowHttp3 = builder.allowHttp3;
    this.registerSshKeys = builder.registerSshKeys;
    this.ipv6 = builder.ipv6;
    this.monitoring = builder.monitoring;
  }

  /** @return a builder; only the client is required */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the client this provider calls, for what the {@link CloudProvider} SPI does not cover */
  public DigitalOceanClient client() {
    return client;
  }

  @Override
  public String name() {
    return "digitalocean";
  }

  /**
   * Creates the droplet and waits until it is active with a public address: registers the
   * authorized keys in the account (reusing keys it already has), creates the droplet with the
   * cloud-init user data and the SDK's tags, waits for the create action and then for the droplet,
   * and puts it behind its own cloud firewall. The create call itself is never repeated. If
   * DigitalOcean fails the create action, the droplet is destroyed again; if it is merely slow, it is
   * left in place (tagged, so {@link #find(String)} and {@link #destroy(CloudServer)} reach it).
   *
   * @param request what to create
   * @param listener receives progress
   * @return the running server
   */
  @Override
  public CloudServer create(ServerRequest request, ProgressListener listener) {
    String name = request.name();
    long started = System.nanoTime();
    listener.onEvent(new ProgressEvent.StepStarted(name, STEP_CREATE,
        "Create droplet " + name + " (" + request.size() + " in " + request.region() + ", " + request.image() + ")"));
    Droplet droplet;
    try {
      Optional<CloudServer> existing = find(name);
      if (existing.isPresent()) {
        throw new InvalidInputException("A server named '" + name + "' already exists on DigitalOcean (droplet "
            + existing.get().id() + "). Destroy it first, or pick another name.");
      }
      List<String> keys = new ArrayList<>();
      if (registerSshKeys) {
        for (String publicKey : request.cloudInit().authorizedKeys()) {
          String fingerprint = DigitalOceanClient.md5Fingerprint(publicKey);
          keys.add(client.ensureSshKey("potions-" + fingerprint.replace(":", "").substring(0, 12), publicKey)
              .fingerprint());
        }
      }
      DropletCreation creation = client.createDroplet(DropletCreateRequest.builder()
          .name(name)
          .region(request.region())
          .size(request.size())
          .image(request.image())
          .sshKeys(keys)
          .tags(tagsFor(request))
          .userData(request.cloudInit().renderUserData())
          .ipv6(ipv6)
          .monitoring(monitoring)
          .build());
      droplet = creation.droplet();
      onDropletCreated(droplet, request);
      output(listener, name, STEP_CREATE, "Droplet " + droplet.id() + " accepted; waiting for DigitalOcean to create it");
      long dropletId = droplet.id();
      if (creation.createActionId().isPresent()) {
        long actionId = creation.createActionId().getAsLong();
        try {
          client.waitForAction(actionId, onChange(listener, name, a -> "Create action " + actionId + ": " + a.status()));
        } catch (ActionFailedException e) {
          destroyQuietly(dropletId);
          throw new ActionFailedException("DigitalOcean failed to create droplet " + name + " (create action "
              + actionId + " errored); the droplet was destroyed again. Try again, perhaps in another region"
              + " or with another size.", actionId);
        }
      }
      droplet = client.waitForDropletActive(dropletId, onChange(listener, name, d -> "Droplet " + dropletId + ": "
          + d.status() + d.publicIpv4().map(ip -> " at " + ip).orElse("")));
      output(listener, name, STEP_CREATE, "Droplet " + dropletId + " is active at " + droplet.publicIpv4().orElse("?"));
      listener.onEvent(new ProgressEvent.StepFinished(name, STEP_CREATE, true, since(started)));
    } catch (RuntimeException e) {
      listener.onEvent(new ProgressEvent.StepFailed(name, STEP_CREATE, e.getMessage(), since(started)));
      throw e;
    }
    String firewallId = null;
    if (firewall) {
      firewallId = attachFirewall(droplet, listener);
    }
    log.info("Server {} is droplet {} at {}", name, droplet.id(), droplet.publicIpv4().orElse("?"));
    return toCloudServer(droplet, firewallId);
  }

  private String attachFirewall(Droplet droplet, ProgressListener listener) {
    String name = droplet.name();
    long started = System.nanoTime();
    listener.onEvent(new ProgressEvent.StepStarted(name, STEP_FIREWALL,
        "Put a DigitalOcean cloud firewall in front of it (inbound " + openPortsText() + " only)"));
    try {
      Firewall created = client.createFirewall(firewallName(name), inboundRules(), outboundRules(),
          List.of(droplet.id()), List.of());
      listener.onEvent(new ProgressEvent.StepFinished(name, STEP_FIREWALL, true, since(started)));
      return created.id();
    } catch (RuntimeException e) {
      // A server without the firewall it was promised is not handed out: undo, then report.
      destroyQuietly(droplet.id());
      listener.onEvent(new ProgressEvent.StepFailed(name, STEP_FIREWALL, e.getMessage()
          + " The droplet was destroyed again.", since(started)));
      throw e;
    }
  }

  /** @return the inbound rules of the SDK's firewall: TCP 22, 80 and 443 (and UDP 443 for HTTP/3) */
  public List<FirewallRule> inboundRules() {
    List<FirewallRule> rules = new ArrayList<>(List.of(
        FirewallRule.inboundFromAnywhere("tcp", "22"),
        FirewallRule.inboundFromAnywhere("tcp", "80"),
        FirewallRule.inboundFromAnywhere("tcp", "443")));
    if (allowHttp3) {
      rules.add(FirewallRule.inboundFromAnywhere("udp", "443"));
    }
    return List.copyOf(rules);
  }

  /** @return the outbound rules of the SDK's firewall: everything */
  public List<FirewallRule> outboundRules() {
    return List.of(FirewallRule.outboundToAnywhere("tcp"), FirewallRule.outboundToAnywhere("udp"),
        FirewallRule.outboundToAnywhere("icmp"));
  }

  private String openPortsText() {
    return allowHttp3 ? "TCP 22, 80, 443 and UDP 443" : "TCP 22, 80 and 443";
  }

  @Override
  public Optional<CloudServer> find(String name) {
    List<Droplet> found = client.dropletsByTag(serverTag(name)).stream()
        .filter(d -> name.equals(d.name()) && d.tags().contains(tag))
        .toList();
    if (found.size() > 1) {
      log.warn("{} droplets are tagged as server '{}': using {}", found.size(), name, found.get(0).id());
    }
    return found.stream().findFirst().map(d -> toCloudServer(d, null));
  }

  @Override
  public List<CloudServer> list() {
    return client.dropletsByTag(tag).stream().map(d -> toCloudServer(d, null)).toList();
  }

  /**
   * Destroys the droplet, then the cloud firewall created for it (by its id when the server carries
   * it, else by its name). Already-gone resources are not an error.
   *
   * @param server the server
   */
  @Override
  public void destroy(CloudServer server) {
    long id;
    try {
      id = Long.parseLong(server.id());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("'" + server.id() + "' is not a DigitalOcean droplet id: was this server"
          + " created by another provider?");
    }
    client.deleteDroplet(id);
    Set<String> firewallIds = new LinkedHashSet<>();
    String labelled = server.labels() == null ? null : server.labels().get(LABEL_FIREWALL_ID);
    if (labelled != null) {
      firewallIds.add(labelled);
    } else {
      String expected = firewallName(server.name());
      client.firewalls().stream().filter(f -> expected.equals(f.name())).forEach(f -> firewallIds.add(f.id()));
    }
    firewallIds.forEach(client::deleteFirewall);
  }

  /**
   * Makes {@code name.domain} resolve to a server, when the domain's DNS is managed in this
   * DigitalOcean account. Not done by {@link #create}: call it when an app gets a domain.
   *
   * @param domain the domain, such as {@code example.com}
   * @param name the relative host name, such as {@code app}, or {@code @}
   * @param ipv4 the server's address
   * @return the record, or empty when the domain is not managed in this account
   */
  public Optional<DomainRecord> ensureARecord(String domain, String name, String ipv4) {
    return client.ensureARecord(domain, name, ipv4);
  }

  /**
   * Creates A records in whichever of the account's domains holds the name: for
   * {@code shop.app.example.com} it tries the zone {@code app.example.com} (record {@code shop}), then
   * {@code example.com} (record {@code shop.app}). For {@link io.potions.app.domain.Domains#add}.
   *
   * @return a creator answering false for names in no zone of this account
   */
  public io.potions.app.domain.DnsRecordCreator dnsRecords() {
    return record -> {
      if (!record.type().equals("A")) {
        return false;
      }
      String[] labels = record.name().split("\\.");
      for (int i = 1; i < labels.length - 1; i++) {
        String zone = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
        String name = String.join(".", java.util.Arrays.copyOfRange(labels, 0, i));
        if (client.ensureARecord(zone, name, record.value()).isPresent()) {
          return true;
        }
      }
      return false;
    };
  }

  /**
   * Told of every droplet as soon as DigitalOcean accepted its creation, before waiting for it.
   * Does nothing; tests override it (for instance to start a stand-in server).
   *
   * @param droplet the droplet just accepted (status {@code new})
   * @param request what was asked for
   */
  protected void onDropletCreated(Droplet droplet, ServerRequest request) {
    // hook
  }

  /**
   * @param droplet a droplet
   * @return the SSH port to report for it: 22 (tests may map it elsewhere)
   */
  protected int sshPort(Droplet droplet) {
    return 22;
  }

  /**
   * Reports a droplet as a {@link CloudServer}.
   *
   * @param droplet the droplet
   * @param firewallId the id of its firewall when known, else {@code null}
   * @return the server; its address is {@code null} while the droplet has none
   */
  protected CloudServer toCloudServer(Droplet droplet, String firewallId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_DROPLET_ID, String.valueOf(droplet.id()));
    labels.put(LABEL_TAGS, String.join(",", droplet.tags()));
    if (droplet.image() != null && droplet.image().slug() != null) {
      labels.put(LABEL_IMAGE, droplet.image().slug());
    }
    if (firewallId != null) {
      labels.put(LABEL_FIREWALL_ID, firewallId);
    }
    return new CloudServer(String.valueOf(droplet.id()), droplet.name(), droplet.publicIpv4().orElse(null),
        sshPort(droplet), droplet.regionSlug(), droplet.sizeSlug(), droplet.status(), Map.copyOf(labels));
  }

  /**
   * @param name a server name
   * @return the tag marking that server's droplet
   */
  public static String serverTag(String name) {
    return "potions-server:" + name;
  }

  /**
   * @param name a server name
   * @return the name of the firewall the SDK creates for it
   */
  public static String firewallName(String name) {
    return "potions-" + name;
  }

  private List<String> tagsFor(ServerRequest request) {
    Set<String> tags = new LinkedHashSet<>();
    tags.add(tag);
    tags.add(serverTag(request.name()));
    tags.addAll(request.tags());
    return List.copyOf(tags);
  }

  private void destroyQuietly(long dropletId) {
    try {
      client.deleteDroplet(dropletId);
    } catch (RuntimeException e) {
      log.warn("Could not destroy droplet {} after a failed create; destroy it by hand: {}", dropletId, e.getMessage());
    }
  }

  /** Reports each new status line once, however often it is polled. */
  private static <T> Consumer<T> onChange(ProgressListener listener, String server, Function<T, String> line) {
    String[] last = {null};
    return value -> {
      String text = line.apply(value);
      if (!text.equals(last[0])) {
        last[0] = text;
        output(listener, server, STEP_CREATE, text);
      }
    };
  }

  private static void output(ProgressListener listener, String server, String step, String line) {
    listener.onEvent(new ProgressEvent.StepOutput(server, step, line));
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /**
   * Configures a {@link DigitalOceanProvider}. Defaults: tag {@code potions}, a cloud firewall per
   * server without UDP 443, authorized keys registered in the account, no IPv6, no monitoring agent.
   */
  public static class Builder {
    private DigitalOceanClient client;
    private String tag = DEFAULT_TAG;
    private boolean firewall = true;
    private boolean allowHttp3;
    private boolean registerSshKeys = true;
    private boolean ipv6;
    private boolean monitoring;

    /** For subclasses' builders; others use {@link DigitalOceanProvider#builder()}. */
    protected Builder() {}

    /**
     * @param client the API client (required)
     * @return this builder
     */
    public Builder client(DigitalOceanClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * @param tag the tag marking the SDK's droplets in the account
     * @return this builder
     */
    public Builder tag(String tag) {
      if (tag == null || !tag.matches("[A-Za-z0-9:_-]{1,200}")) {
        throw new InvalidInputException("Tag '" + tag + "' is not valid: letters, digits, ':', '_' and '-'.");
      }
      this.tag = tag;
      return this;
    }

    /**
     * @param enabled whether each server gets its own cloud firewall (default true)
     * @return this builder
     */
    public Builder firewall(boolean enabled) {
      this.firewall = enabled;
      return this;
    }

    /**
     * @param allow whether the firewall also lets UDP 443 in, for HTTP/3 (default false)
     * @return this builder
     */
    public Builder allowHttp3(boolean allow) {
      this.allowHttp3 = allow;
      return this;
    }

    /**
     * @param register whether the authorized keys are also registered in the account and given to
     *     the droplet (default true; cloud-init authorizes them either way)
     * @return this builder
     */
    public Builder registerSshKeys(boolean register) {
      this.registerSshKeys = register;
      return this;
    }

    /**
     * @param enabled whether droplets get IPv6 addresses (default false)
     * @return this builder
     */
    public Builder ipv6(boolean enabled) {
      this.ipv6 = enabled;
      return this;
    }

    /**
     * @param enabled whether droplets get DigitalOcean's monitoring agent (default false)
     * @return this builder
     */
    public Builder monitoring(boolean enabled) {
      this.monitoring = enabled;
      return this;
    }

    /** @return the provider */
    public DigitalOceanProvider build() {
      return new DigitalOceanProvider(this);
    }
  }
}
