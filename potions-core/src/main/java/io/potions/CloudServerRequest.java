package io.potions;

import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.internal.cloud.CloudInit;
import io.potions.internal.cloud.HostKeyRotation;
import io.potions.progress.ProgressEvent;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.ServerUnreachableException;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server to get from the configured cloud provider:
 * {@code potions.server("web-1").region("nyc3").size("s-1vcpu-2gb").provision()}. When the SDK
 * already created a server of that name, it is reused (and provisioning is quick); otherwise it is
 * created with a host key the SDK generated and pinned, so the first connection is already trusted;
 * right after it, the server's host key is replaced by one generated on the server (the one in user
 * data, which the cloud's metadata service serves to any local process, then opens nothing).
 */
public final class CloudServerRequest {
  private static final Logger log = LoggerFactory.getLogger(CloudServerRequest.class);
  /** The progress step of the host key rotation after first contact. */
  static final String HOST_KEY_STEP = "host-key";

  private final Potions potions;
  private final String name;
  private String region = "nyc3";
  private String size = "s-1vcpu-2gb";
  private String image = "ubuntu-24-04-x64";
  private final List<String> tags = new ArrayList<>();
  private Duration sshDeadline = Duration.ofMinutes(5);

  CloudServerRequest(Potions potions, String name) {
    this.potions = potions;
    this.name = name;
  }

  /**
   * @param region provider region slug (default {@code nyc3})
   * @return this
   */
  public CloudServerRequest region(String region) {
    this.region = Objects.requireNonNull(region);
    return this;
  }

  /**
   * @param size provider size slug (default {@code s-1vcpu-2gb})
   * @return this
   */
  public CloudServerRequest size(String size) {
    this.size = Objects.requireNonNull(size);
    return this;
  }

  /**
   * @param image provider image slug (default {@code ubuntu-24-04-x64})
   * @return this
   */
  public CloudServerRequest image(String image) {
    this.image = Objects.requireNonNull(image);
    return this;
  }

  /**
   * @param tag an extra tag for the server
   * @return this
   */
  public CloudServerRequest tag(String tag) {
    tags.add(Objects.requireNonNull(tag));
    return this;
  }

  /**
   * @param deadline how long to wait for a new server's SSH to answer (default 5 minutes)
   * @return this
   */
  public CloudServerRequest sshDeadline(Duration deadline) {
    this.sshDeadline = Objects.requireNonNull(deadline);
    return this;
  }

  /**
   * Finds or creates the server, waits for SSH with the pinned host key, rotates the host key away
   * from the one in user data (once), then runs the bootstrap.
   *
   * @return the provisioned server
   */
  public Server provision() {
    return connect().provision();
  }

  /**
   * Like {@link #provision()}, on a thread of the SDK; its progress is on {@link Potions#events()}
   * under the operation {@code provision-<name>}.
   *
   * @return completes with the provisioned server
   */
  public java.util.concurrent.CompletableFuture<Server> provisionAsync() {
    potions.cloud();
    // Bad input is refused now, on the caller's thread, rather than in the future.
    if (name == null || !name.matches(io.potions.cloud.ServerRequest.NAME_PATTERN)) {
      throw new InvalidInputException("Server name '" + io.potions.internal.Names.abbreviate(String.valueOf(name))
          + "' is not valid: use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or"
          + " digit (it becomes a host name).");
    }
    return io.potions.internal.engine.Async.supply(this::provision);
  }

  /**
   * Finds or creates the server and connects (rotating the host key after first contact), without
   * provisioning.
   *
   * @return the server
   */
  public Server connect() {
    var cloud = potions.cloud();
    // Validate everything before anything is created.
    SshIdentity identity = potions.identity();
    SshIdentity hostKey = SshIdentity.generateEd25519("potions-host-" + name);
    CloudInit init = new CloudInit(List.of(identity.publicKey()), hostKey);
    ServerRequest request = ServerRequest.builder().name(name).region(region).size(size).image(image)
        .cloudInit(init).tags(tags).build();
    Optional<CloudServer> existing = cloud.find(name);
    CloudServer server;
    if (existing.isPresent()) {
      server = existing.get();
      log.info("server {} already exists at {} ({}); reusing it", name, server.publicIpv4(), server.id());
    } else {
      potions.listener().onEvent(new ProgressEvent.StepStarted(name, "create",
          "Create server " + name + " (" + size + " in " + region + ") on " + cloud.name()));
      long t0 = System.nanoTime();
      server = cloud.create(request, potions.listener());
      potions.knownHosts().remember(server.publicIpv4(), server.sshPort(), hostKey.publicKey());
      potions.listener().onEvent(new ProgressEvent.StepFinished(name, "create", true,
          Duration.ofNanos(System.nanoTime() - t0)));
    }
    if (server.publicIpv4() == null) {
      throw new PotionsException("Server " + name + " has no public IPv4 address yet; try again in a minute.");
    }
    HostKeyPolicy hostKeys = potions.knownHosts().policyFor(server.publicIpv4(), server.sshPort())
        .orElseThrow(() -> new PotionsException("Server " + name + " exists but this machine has no pinned"
            + " host key for it (" + potions.knownHosts().file() + "). Copy that file from the machine that"
            + " created it, or pin the key yourself with potions.existingServer(...)."));
    Server connected = potions.existingServer(name, rootTarget(server, identity, hostKeys));
    waitForSsh(connected);
    return rotateHostKey(connected, server, identity);
  }

  private SshTarget rootTarget(CloudServer server, SshIdentity identity, HostKeyPolicy hostKeys) {
    return SshTarget.builder().host(server.publicIpv4()).port(server.sshPort()).user("root")
        .identity(identity).hostKeys(hostKeys).build();
  }

  /**
   * The host key the server was created with travelled in user data, which the cloud's metadata
   * service serves to any process on the server: right after first contact, replace it with a key
   * generated on the server, and reconnect verifying the new key. On a server already rotated this
   * is one quick command that changes nothing.
   */
  private Server rotateHostKey(Server connected, CloudServer server, SshIdentity identity) {
    String host = server.publicIpv4();
    int port = server.sshPort();
    var listener = potions.listener();
    listener.onEvent(new ProgressEvent.StepStarted(name, HOST_KEY_STEP,
        "Replace the SSH host key from user data with one generated on " + name));
    long t0 = System.nanoTime();
    try {
      String presented = connected.hostKey().orElseThrow(() ->
          new PotionsException("Connected to " + name + " but saw no host key"));
      HostKeyRotation.Outcome outcome = HostKeyRotation.rotate(connected.executor(), presented,
          potions.knownHosts(), host, port);
      Server result = connected;
      if (outcome.mustReconnect()) {
        connected.close();
        // Only the new key is accepted from here on: this connection proves sshd presents it.
        result = potions.existingServer(name, rootTarget(server, identity, HostKeyPolicy.pinned(outcome.hostKey())));
        waitForSsh(result);
        HostKeyRotation.confirm(potions.knownHosts(), host, port, outcome.hostKey());
        log.info("rotated the SSH host key of {}; pinned {}", name, outcome.hostKey());
      }
      listener.onEvent(new ProgressEvent.StepFinished(name, HOST_KEY_STEP, outcome.mustReconnect(),
          Duration.ofNanos(System.nanoTime() - t0)));
      return result;
    } catch (RuntimeException e) {
      listener.onEvent(new ProgressEvent.StepFailed(name, HOST_KEY_STEP, e.getMessage(),
          Duration.ofNanos(System.nanoTime() - t0)));
      throw e;
    }
  }

  private void waitForSsh(Server server) {
    long deadline = System.nanoTime() + sshDeadline.toNanos();
    long pause = 1000;
    while (true) {
      try {
        server.executor();
        return;
      } catch (ServerUnreachableException e) {
        if (System.nanoTime() > deadline) {
          throw new ServerUnreachableException("Server " + name + " did not answer SSH within "
              + sshDeadline.toSeconds() + " s after it was created: " + e.getMessage(), e);
        }
        log.debug("waiting for SSH on {}: {}", name, e.getMessage());
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new PotionsException("Interrupted while waiting for SSH on " + name);
        }
        pause = Math.min(pause * 2, 10_000);
      }
    }
  }
}
