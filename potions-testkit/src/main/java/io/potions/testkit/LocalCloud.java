package io.potions.testkit;

import io.potions.PotionsException;
import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.internal.cloud.CloudInit;
import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.spi.CloudProvider;
import io.potions.ssh.SshIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    // The docker CLI, not Testcontainers: a plain program using the local cloud has none of the
    // Testcontainers settings these registry-less machines need.
    if (!Docker.run(List.of("docker", "info"), null, 60).ok()) {
      throw new DockerUnavailableException("No Docker engine answers. The local cloud needs one: run"
          + " scripts/docker-engine.sh as root (Debian/Ubuntu), or install and start Docker.");
    }
    if (find(request.name()).isPresent()) {
      throw new PotionsException("A local server named " + request.name() + " already exists.");
    }
    String image = fromSnapshot ? ServerImages.provisionedImage() : ServerImages.serverImage();
    CloudInit.ParsedUserData data = CloudInit.parseUserData(request.cloudInit().renderUserData());
    SshIdentity hostKey = SshIdentity.parse(data.hostPrivateKey(), "potions-host");
    List<String> argv = new ArrayList<>(List.of("docker", "create",
        "--label", NAME_LABEL + "=" + request.name(),
        "--label", ThrowawayServer.LABEL + "=true",
        "--hostname", request.name(),
        "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
        "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run:rw,exec", "--tmpfs", "/run/lock",
        "-p", "127.0.0.1::22", "-p", "127.0.0.1::80", "-p", "127.0.0.1::443"));
    for (String tag : request.tags()) {
      argv.add("--label");
      argv.add("io.potions.localcloud.tag." + tag + "=true");
    }
    argv.add(image);
    String id = Docker.require(argv, null, 120).trim();
    try {
      firstBoot(id, hostKey, data.authorizedKeys());
      Docker.require(List.of("docker", "start", id), null, 120);
      waitUntilBooted(id, request.name(), listener);
      return describe(id).orElseThrow();
    } catch (RuntimeException e) {
      Docker.run(List.of("docker", "rm", "-f", "-v", id), null, 120);
      throw e;
    }
  }

  /** What cloud-init does on a droplet's first boot: install the pinned host key and root's keys. */
  private static void firstBoot(String id, SshIdentity hostKey, List<String> authorizedKeys) {
    try {
      Path dir = Files.createTempDirectory("potions-localcloud-");
      try {
        Path ssh = Files.createDirectories(dir.resolve("etc/ssh"));
        Path rootSsh = Files.createDirectories(dir.resolve("root/.ssh"));
        write(ssh.resolve("ssh_host_ed25519_key"), hostKey.privateKeyOpenSsh(), "rw-------");
        write(ssh.resolve("ssh_host_ed25519_key.pub"), hostKey.publicKey() + "\n", "rw-r--r--");
        write(rootSsh.resolve("authorized_keys"), String.join("\n", authorizedKeys) + "\n", "rw-------");
        Files.setPosixFilePermissions(rootSsh, PosixFilePermissions.fromString("rwx------"));
        Docker.require(List.of("docker", "cp", dir + "/.", id + ":/"), null, 120);
      } finally {
        try (var walk = Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content, String perms) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
  }

  private static void waitUntilBooted(String id, String name, ProgressListener listener) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      Docker.Result r = Docker.run(List.of("docker", "exec", id, "systemctl", "is-system-running"), null, 30);
      state = r.output().trim();
      if (state.equals("running") || state.equals("degraded")) {
        int port = mappedPort(id, 22);
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
    Docker.Result r = Docker.run(List.of("docker", "ps", "-a", "--filter", "label=" + NAME_LABEL,
        "--format", "{{.ID}}"), null, 60);
    if (!r.ok()) {
      return List.of();
    }
    List<CloudServer> servers = new ArrayList<>();
    for (String id : r.output().split("\n")) {
      if (!id.isBlank()) {
        describe(id.trim()).ifPresent(servers::add);
      }
    }
    return servers;
  }

  @Override
  public void destroy(CloudServer server) {
    Docker.run(List.of("docker", "rm", "-f", "-v", server.id()), null, 120);
  }

  private static Optional<CloudServer> describe(String id) {
    Docker.Result r = Docker.run(List.of("docker", "inspect", "--format",
        "{{.Id}}|{{index .Config.Labels \"" + NAME_LABEL + "\"}}|{{.State.Status}}", id), null, 60);
    if (!r.ok()) {
      return Optional.empty();
    }
    String[] parts = r.output().trim().split("\\|");
    if (parts.length < 3) {
      return Optional.empty();
    }
    String status = parts[2].equals("running") ? "active" : parts[2];
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("httpPort", Integer.toString(mappedPort(id, 80)));
    labels.put("httpsPort", Integer.toString(mappedPort(id, 443)));
    return Optional.of(new CloudServer(parts[0].substring(0, 12), parts[1], "127.0.0.1", mappedPort(id, 22),
        "local", "container", status, labels));
  }

  private static int mappedPort(String id, int port) {
    Docker.Result r = Docker.run(List.of("docker", "port", id, port + "/tcp"), null, 30);
    if (!r.ok()) {
      return -1;
    }
    for (String line : r.output().split("\n")) {
      String t = line.trim();
      if (t.startsWith("127.0.0.1:")) {
        return Integer.parseInt(t.substring(t.lastIndexOf(':') + 1));
      }
    }
    return -1;
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
