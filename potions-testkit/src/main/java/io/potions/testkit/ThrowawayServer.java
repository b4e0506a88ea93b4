package io.potions.testkit;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real, disposable server: a container with systemd as PID 1 and OpenSSH, reachable on loopback
 * ports only. Like a new droplet, it boots with the host key the SDK pinned (generated here) and the
 * SDK's public key authorized for root, which is exactly what cloud-init user data gives a droplet.
 */
public final class ThrowawayServer extends GenericContainer<ThrowawayServer> {
  /** Label on every testkit container, to find leftovers. */
  public static final String LABEL = "io.potions.testkit";

  private static volatile boolean leftoversRemoved;

  private final SshIdentity hostKey;
  /** Loopback ports after a {@link #reboot()}, when Docker assigned new ones. */
  private final java.util.Map<Integer, Integer> rebootedPorts = new java.util.concurrent.ConcurrentHashMap<>();

  private ThrowawayServer(String image, SshIdentity hostKey, List<String> authorizedKeys) {
    super(DockerImageName.parse(image));
    this.hostKey = hostKey;
    withExposedPorts(Docker.SERVER_PORTS.toArray(Integer[]::new));
    withLabel(LABEL, "true");
    withLabel(LABEL + ".pid", Long.toString(ProcessHandle.current().pid()));
    withCreateContainerCmdModifier(cmd -> Docker.systemdHost(cmd.getHostConfig()));
    withCopyToContainer(Transferable.of(hostKey.privateKeyOpenSsh(), 0600), "/etc/ssh/ssh_host_ed25519_key");
    withCopyToContainer(Transferable.of(hostKey.publicKey() + "\n", 0644), "/etc/ssh/ssh_host_ed25519_key.pub");
    withCopyToContainer(Transferable.of(String.join("\n", authorizedKeys) + "\n", 0600),
        "/root/.ssh/authorized_keys");
    waitingFor(new BootedWithSsh());
    withStartupTimeout(Duration.ofMinutes(2));
  }

  /** @return a server like a brand-new droplet: nothing of the Potions stack installed */
  public static ThrowawayServer fresh() {
    return fromImage(ServerImages.serverImage());
  }

  /** @return a server on which the Potions bootstrap already ran (from a cached snapshot) */
  public static ThrowawayServer provisioned() {
    return fromImage(ServerImages.provisionedImage());
  }

  /**
   * @param distribution the server's distribution
   * @return a brand-new server of that distribution: nothing of the Potions stack installed
   */
  public static ThrowawayServer fresh(io.potions.provision.Distribution distribution) {
    return fromImage(ServerImages.serverImage(distribution));
  }

  /**
   * @param distribution the server's distribution
   * @return a server of that distribution on which the Potions bootstrap already ran (from a cached
   *     snapshot)
   */
  public static ThrowawayServer provisioned(io.potions.provision.Distribution distribution) {
    return fromImage(ServerImages.provisionedImage(distribution));
  }

  /**
   * A server that boots with the given host key and authorized keys, as a cloud provider's user
   * data would give it.
   *
   * @param image the image tag
   * @param hostKey the host key it must present
   * @param authorizedKeys keys authorized for root
   * @return the server, not started
   */
  public static ThrowawayServer withKeys(String image, SshIdentity hostKey, List<String> authorizedKeys) {
    requireDocker();
    removeLeftovers();
    return new ThrowawayServer(image, hostKey, authorizedKeys);
  }

  /**
   * Keeps this server on some of this machine's CPUs, so that two servers in one test behave like two
   * machines rather than competing for the same cores (call before {@code start()}).
   *
   * @param cpus Docker's {@code --cpuset-cpus} form, such as {@code 0} or {@code 1-3}
   * @return this
   */
  public ThrowawayServer onCpus(String cpus) {
    withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCpusetCpus(cpus));
    return this;
  }

  static ThrowawayServer fromImage(String image) {
    return withKeys(image, SshIdentity.generateEd25519("testkit-host"),
        List.of(TestkitKeys.client().publicKey()));
  }

  /**
   * Fails when no Docker engine answers, saying how to get one.
   *
   * @throws DockerUnavailableException when Docker is missing
   */
  public static void requireDocker() {
    boolean available;
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      available = false;
    }
    if (!available) {
      throw new DockerUnavailableException("No Docker engine answers. Throwaway servers need one:"
          + " run scripts/test-prerequisites.sh as root (Debian/Ubuntu), or install and start Docker.");
    }
  }

  /** @return the SSH target for root, with the pinned host key and the testkit's key */
  public SshTarget sshTarget() {
    return sshTarget("root", TestkitKeys.client());
  }

  /**
   * @param user login user
   * @param identity key to log in with
   * @return the SSH target on the loopback port, with the pinned host key
   */
  public SshTarget sshTarget(String user, SshIdentity identity) {
    return SshTarget.builder()
        .host("127.0.0.1")
        .port(sshPort())
        .user(user)
        .identity(identity)
        .hostKeys(HostKeyPolicy.pinned(hostKey.publicKey()))
        .build();
  }

  /** @return the host key the server presents, as an OpenSSH line */
  public String pinnedHostKey() {
    return hostKey.publicKey();
  }

  /** @return the loopback port forwarded to the server's port 22 */
  public int sshPort() {
    return port(22);
  }

  /** @return the loopback port forwarded to the server's port 80 */
  public int httpPort() {
    return port(80);
  }

  /** @return the loopback port forwarded to the server's port 443 */
  public int httpsPort() {
    return port(443);
  }

  /**
   * @return the server's address on Docker's bridge network: what a host process (such as a test
   *     ACME CA validating a challenge) connects to, as the internet would to a droplet's public address
   */
  public String bridgeAddress() {
    return bridge().getIpAddress();
  }

  /**
   * @return the host's address on the server's bridge network: where the server reaches a process
   *     of the host (such as a test ACME CA's directory)
   */
  public String bridgeGateway() {
    return bridge().getGateway();
  }

  private com.github.dockerjava.api.model.ContainerNetwork bridge() {
    var networks = Docker.inspect(getContainerId()).orElseThrow(() ->
        new ContainerLaunchException("Throwaway server " + getContainerId() + " is gone")).getNetworkSettings().getNetworks();
    return networks.values().stream().filter(n -> n.getIpAddress() != null && !n.getIpAddress().isEmpty())
        .findFirst().orElseThrow(() -> new ContainerLaunchException("Throwaway server " + getContainerId()
            + " has no network address"));
  }

  private int port(int inside) {
    Integer after = rebootedPorts.get(inside);
    return after != null ? after : getMappedPort(inside);
  }

  /**
   * Reboots the server (the container restarts; systemd boots again) and waits until SSH answers.
   * Loopback ports may change, which {@link #sshPort()} and {@link #httpPort()} then report.
   */
  public void reboot() {
    Docker.restart(getContainerId(), 30);
    InspectContainerResponse after = Docker.inspect(getContainerId()).orElseThrow(() ->
        new ContainerLaunchException("Throwaway server " + getContainerId() + " is gone after a reboot"));
    for (int inside : Docker.SERVER_PORTS) {
      int port = Docker.loopbackPort(after, inside);
      if (port > 0) {
        rebootedPorts.put(inside, port);
      }
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      Container.ExecResult r = console("systemctl is-system-running || true");
      String state = r.getStdout().trim();
      if ((state.equals("running") || state.equals("degraded")) && BootedWithSsh.sshBanner(sshPort())) {
        return;
      }
      BootedWithSsh.sleep(300);
    }
    throw new ContainerLaunchException("Throwaway server did not come back within 2 minutes after a reboot");
  }

  /**
   * Runs a command as root through the container runtime, the way one would on a provider's
   * console: independent of SSH, for checking what the SDK did.
   *
   * @param script bash text
   * @return exit code and output
   */
  public Container.ExecResult console(String script) {
    try {
      return execInContainer("bash", "-c", script);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * @param port a loopback port
   * @return true when an SSH server answers there with its banner
   */
  static boolean sshAnswers(int port) {
    return BootedWithSsh.sshBanner(port);
  }

  /** Removes testkit containers left behind by JVMs that no longer run (killed test runs). */
  static synchronized void removeLeftovers() {
    if (leftoversRemoved) {
      return;
    }
    leftoversRemoved = true;
    List<com.github.dockerjava.api.model.Container> labelled;
    try {
      labelled = Docker.withLabel(LABEL);
    } catch (RuntimeException e) {
      return;
    }
    for (var container : labelled) {
      String pid = container.getLabels() == null ? null : container.getLabels().get(LABEL + ".pid");
      if (pid == null || !pid.matches("\\d+")
          || ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      try {
        Docker.remove(container.getId());
      } catch (RuntimeException e) {
        // another JVM may be removing it too
      }
    }
  }

  /** Ready when systemd finished booting and sshd answers with its banner on the loopback port. */
  private static final class BootedWithSsh extends AbstractWaitStrategy {
    @Override
    protected void waitUntilReady() {
      long deadline = System.nanoTime() + startupTimeout.toNanos();
      String state = "";
      while (System.nanoTime() < deadline) {
        try {
          Container.ExecResult r = waitStrategyTarget.execInContainer("systemctl", "is-system-running");
          state = r.getStdout().trim();
          if ((state.equals("running") || state.equals("degraded"))
              && sshBanner(waitStrategyTarget.getMappedPort(22))) {
            return;
          }
        } catch (IOException | RuntimeException e) {
          state = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ContainerLaunchException("interrupted", e);
        }
        sleep(200);
      }
      throw new ContainerLaunchException("Throwaway server did not boot with sshd within "
          + startupTimeout.toSeconds() + " s (systemd state: " + state + ")");
    }

    static boolean sshBanner(int port) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8];
        int n = in.readNBytes(buf, 0, 4);
        return n == 4 && new String(buf, 0, 4, StandardCharsets.US_ASCII).equals("SSH-");
      } catch (IOException e) {
        return false;
      }
    }

    static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
