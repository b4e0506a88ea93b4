package io.potions.testkit;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import io.potions.PotionsException;
import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.internal.cloud.CloudInit;
import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.spi.CloudProvider;
import io.potions.ssh.SshIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A cloud whose "droplets" are throwaway server containers on this machine: the quick start runs
 * the whole flow on it with no account, and users can test their own tools built on the SDK. A
 * created server boots with the same cloud-init user data a droplet gets (the SDK's key for root,
 * the host key the SDK pinned), read back from the rendered text. Servers outlive the JVM that
 * created them (like real ones) until {@link #destroy(CloudServer)}.
 */
public final class LocalCloud implements CloudProvider {
  /** Label naming a local-cloud server. */
  public static final String NAME_LABEL = "io.potions.localcloud.name";

  private final boolean fromSnapshot;

  private LocalCloud(boolean fromSnapshot) {
    this.fromSnapshot = fromSnapshot;
  }

  /** @return a cloud whose servers start like fresh droplets (nothing installed) */
  public static LocalCloud fresh() {
    return new LocalCloud(false);
  }

  /**
   * @return a cloud whose servers start from the cached provisioned snapshot, so provisioning finds
   *     nothing to do (the first use builds the snapshot)
   */
  public static LocalCloud fromSnapshot() {
    return new LocalCloud(true);
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public CloudServer create(ServerRequest request, ProgressListener listener) {
    if (!Docker.available()) {
      throw new DockerUnavailableException("No Docker engine answers. The local cloud needs one: run"
          + " scripts/test-prerequisites.sh as root (Debian/Ubuntu), or install and start Docker.");
    }
    if (find(request.name()).isPresent()) {
      throw new PotionsException("A local server named " + request.name() + " already exists.");
    }
    String image = fromSnapshot ? ServerImages.provisionedImage() : ServerImages.serverImage();
    CloudInit.ParsedUserData data = CloudInit.parseUserData(request.cloudInit().renderUserData());
    SshIdentity hostKey = SshIdentity.parse(data.hostPrivateKey(), "potions-host");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME_LABEL, request.name());
    labels.put(ThrowawayServer.LABEL, "true");
    for (String tag : request.tags()) {
      labels.put("io.potions.localcloud.tag." + tag, "true");
    }
    String id = Docker.client().createContainerCmd(image)
        .withLabels(labels)
        .withHostName(request.name())
        .withExposedPorts(Docker.SERVER_PORTS.stream().map(ExposedPort::tcp).toList())
        .withHostConfig(Docker.systemdHost(HostConfig.newHostConfig()))
        .exec().getId();
    try {
      firstBoot(id, hostKey, data.authorizedKeys());
      Docker.client().startContainerCmd(id).exec();
      waitUntilBooted(id, request.name(), listener);
      return describe(id).orElseThrow();
    } catch (RuntimeException e) {
      Docker.remove(id);
      throw e;
    }
  }

  /** What cloud-init does on a droplet's first boot: install the pinned host key and root's keys. */
  private static void firstBoot(String id, SshIdentity hostKey, List<String> authorizedKeys) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      Docker.putFile(tar, "etc/ssh/ssh_host_ed25519_key",
          hostKey.privateKeyOpenSsh().getBytes(StandardCharsets.UTF_8), 0600);
      Docker.putFile(tar, "etc/ssh/ssh_host_ed25519_key.pub",
          (hostKey.publicKey() + "\n").getBytes(StandardCharsets.UTF_8), 0644);
      TarArchiveEntry rootSsh = new TarArchiveEntry("root/.ssh/");
      rootSsh.setMode(0700);
      tar.putArchiveEntry(rootSsh);
      tar.closeArchiveEntry();
      Docker.putFile(tar, "root/.ssh/authorized_keys",
          (String.join("\n", authorizedKeys) + "\n").getBytes(StandardCharsets.UTF_8), 0600);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Docker.copyIn(id, bytes.toByteArray());
  }

  private static void waitUntilBooted(String id, String name, ProgressListener listener) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      try {
        state = Docker.exec(id, Duration.ofSeconds(30), "systemctl", "is-system-running").trim();
      } catch (RuntimeException e) {
        state = e.getMessage();
      }
      if (state.equals("running") || state.equals("degraded")) {
        int port = Docker.inspect(id).map(c -> Docker.loopbackPort(c, 22)).orElse(-1);
        if (port > 0 && ThrowawayServer.sshAnswers(port)) {
          return;
        }
      }
      listener.onEvent(new ProgressEvent.StepOutput(name, "create", "booting (" + state + ")"));
      sleep(300);
    }
    throw new PotionsException("Local server " + name + " did not boot within 2 minutes (systemd: " + state + ")");
  }

  @Override
  public Optional<CloudServer> find(String name) {
    return list().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  @Override
  public List<CloudServer> list() {
    List<Container> labelled;
    try {
      labelled = Docker.withLabel(NAME_LABEL);
    } catch (RuntimeException e) {
      return List.of();
    }
    List<CloudServer> servers = new ArrayList<>();
    for (Container c : labelled) {
      describe(c.getId()).ifPresent(servers::add);
    }
    return servers;
  }

  @Override
  public void destroy(CloudServer server) {
    try {
      Docker.remove(server.id());
    } catch (RuntimeException e) {
      // like `docker rm -f` on a server already gone: nothing left to destroy
    }
  }

  private static Optional<CloudServer> describe(String id) {
    Optional<InspectContainerResponse> found;
    try {
      found = Docker.inspect(id);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (found.isEmpty()) {
      return Optional.empty();
    }
    InspectContainerResponse c = found.get();
    String name = c.getConfig().getLabels() == null ? null : c.getConfig().getLabels().get(NAME_LABEL);
    String state = c.getState().getStatus();
    if (name == null || state == null) {
      return Optional.empty();
    }
    String status = state.equals("running") ? "active" : state;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("httpPort", Integer.toString(Docker.loopbackPort(c, 80)));
    labels.put("httpsPort", Integer.toString(Docker.loopbackPort(c, 443)));
    return Optional.of(new CloudServer(c.getId().substring(0, 12), name, "127.0.0.1", Docker.loopbackPort(c, 22),
        "local", "container", status, labels));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("interrupted");
    }
  }
}
