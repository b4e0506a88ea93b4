package io.potions.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;

/**
 * The testkit's one way to Docker: Testcontainers' docker-java client, for images (build, pull,
 * load, commit) and for the containers that outlive a test (the local cloud's servers, leftovers).
 * No docker CLI is needed.
 *
 * <p>The client is made from the transport Testcontainers discovered, not taken from
 * {@code DockerClientFactory.instance().client()}: that call also starts Ryuk and resolves the
 * Docker host's address by running a helper container, which both pull images from a registry. The
 * local cloud runs in plain programs (the quick start, the Maven plugin) on machines without a
 * registry and without Testcontainers' settings, so it must not trigger either.
 */
final class Docker {
  /** The ports every throwaway server publishes, on loopback only. */
  static final List<Integer> SERVER_PORTS = List.of(22, 80, 443);

  private Docker() {}

  private static DockerClient client;

  /**
   * @return the client
   * @throws DockerUnavailableException when no Docker engine was found
   */
  static synchronized DockerClient client() {
    if (client == null) {
      try {
        client = DockerClientProviderStrategy.getClientForConfig(DockerClientFactory.instance().getTransportConfig());
      } catch (RuntimeException e) {
        throw new DockerUnavailableException("No Docker engine answers. Throwaway servers need one:"
            + " run scripts/test-prerequisites.sh as root (Debian/Ubuntu), or install and start Docker.");
      }
    }
    return client;
  }

  /** @return whether a Docker engine answers */
  static boolean available() {
    try {
      client().pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  static boolean imageExists(String ref) {
    try {
      client().inspectImageCmd(ref).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  static String imageId(String ref) {
    return client().inspectImageCmd(ref).exec().getId();
  }

  /** Pulls an image from its registry, as {@code docker pull} does. */
  static void pull(String ref, Duration timeout) {
    String[] nameAndTag = splitTag(ref);
    try {
      client().pullImageCmd(nameAndTag[0]).withTag(nameAndTag[1]).exec(new PullImageResultCallback())
          .awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pulling " + ref, e);
    }
    if (!imageExists(ref)) {
      throw new IllegalStateException("Pulling " + ref + " did not finish within " + timeout.toSeconds() + " s");
    }
  }

  /**
   * Builds an image from a Dockerfile alone (no other build context), as {@code docker build -}
   * does, with the classic builder (no BuildKit session is needed).
   */
  static void build(String dockerfile, String tag, Map<String, String> labels, Duration timeout) {
    byte[] context = tar(Map.of("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8)));
    StringBuilder output = new StringBuilder();
    BuildImageResultCallback callback = new BuildImageResultCallback() {
      @Override
      public void onNext(BuildResponseItem item) {
        if (item.getStream() != null) {
          synchronized (output) {
            output.append(item.getStream());
          }
        }
        super.onNext(item);
      }
    };
    try {
      client().buildImageCmd(new ByteArrayInputStream(context)).withTags(Set.of(tag)).withLabels(labels)
          .withRemove(true).exec(callback).awaitImageId(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      synchronized (output) {
        throw new IllegalStateException("Building " + tag + " failed: " + e.getMessage() + "\n"
            + tail(output.toString(), 30), e);
      }
    }
  }

  /**
   * Makes an image of one layer from a root file system tarball, what {@code docker import} does.
   * docker-java has no import command (Testcontainers ships docker-java 3.4, whose client lacks
   * {@code POST /images/create?fromSrc=}), so the tarball is wrapped as the archive
   * {@code docker save} writes (manifest, image config, the layer) and loaded instead.
   *
   * @param rootfs a tar of the root file system
   * @param tag the image's tag
   * @param comment a note kept in the image's history
   */
  static void importRootfs(Path rootfs, String tag, String comment) {
    try {
      String diffId = "sha256:" + sha256(rootfs);
      String created = Instant.now().toString();
      String config = "{\"architecture\":\"" + architecture() + "\",\"os\":\"linux\",\"created\":\"" + created
          + "\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]},"
          + "\"history\":[{\"created\":\"" + created + "\",\"comment\":\"" + comment + "\"}]}";
      String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[\"layer.tar\"]}]";
      Path archive = rootfs.resolveSibling(rootfs.getFileName() + ".image.tar");
      try (OutputStream file = Files.newOutputStream(archive);
           TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        putFile(out, "config.json", config.getBytes(StandardCharsets.UTF_8), 0644);
        putFile(out, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8), 0644);
        TarArchiveEntry layer = new TarArchiveEntry("layer.tar");
        layer.setSize(Files.size(rootfs));
        layer.setMode(0644);
        out.putArchiveEntry(layer);
        Files.copy(rootfs, out);
        out.closeArchiveEntry();
      }
      try (InputStream in = Files.newInputStream(archive)) {
        client().loadImageCmd(in).exec();
      } finally {
        Files.deleteIfExists(archive);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!imageExists(tag)) {
      throw new IllegalStateException("Docker did not load the root file system as " + tag);
    }
  }

  /** Saves a container as an image, pausing it meanwhile, as {@code docker commit} does. */
  static void commit(String containerId, String tag) {
    String[] nameAndTag = splitTag(tag);
    client().commitCmd(containerId).withRepository(nameAndTag[0]).withTag(nameAndTag[1]).withPause(true).exec();
  }

  /**
   * Sets what systemd as PID 1 needs in a container on these machines: every capability but
   * SYS_RESOURCE (the VM's bounding set lacks it, so a privileged container fails), the host's cgroup
   * tree, and tmpfs for /run; and publishes {@link #SERVER_PORTS} on loopback only.
   *
   * @param hostConfig the container's host settings, changed in place
   * @return the same
   */
  static HostConfig systemdHost(HostConfig hostConfig) {
    Ports ports = new Ports();
    for (int port : SERVER_PORTS) {
      ports.bind(ExposedPort.tcp(port), Ports.Binding.bindIp("127.0.0.1"));
    }
    return hostConfig
        .withCapAdd(Capability.ALL)
        .withCapDrop(Capability.SYS_RESOURCE)
        .withSecurityOpts(List.of("seccomp=unconfined"))
        .withCgroupnsMode("host")
        .withBinds(new Bind("/sys/fs/cgroup", new Volume("/sys/fs/cgroup"), AccessMode.rw))
        .withTmpFs(Map.of("/run", "rw,exec", "/run/lock", "rw"))
        .withPublishAllPorts(false)
        .withPortBindings(ports);
  }

  static Optional<InspectContainerResponse> inspect(String containerId) {
    try {
      return Optional.of(client().inspectContainerCmd(containerId).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * @param container the inspected container
   * @param inside a TCP port inside it
   * @return the loopback port it is published on, or -1
   */
  static int loopbackPort(InspectContainerResponse container, int inside) {
    if (container.getNetworkSettings() == null || container.getNetworkSettings().getPorts() == null) {
      return -1;
    }
    Ports.Binding[] bindings = container.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(inside));
    if (bindings == null) {
      return -1;
    }
    return Arrays.stream(bindings)
        .filter(b -> "127.0.0.1".equals(b.getHostIp()) && b.getHostPortSpec() != null)
        .mapToInt(b -> Integer.parseInt(b.getHostPortSpec()))
        .findFirst().orElse(-1);
  }

  /** @return all containers, running or not, that carry the label */
  static List<Container> withLabel(String label) {
    return client().listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec();
  }

  /** Stops a container within the given seconds and starts it again. */
  static void restart(String containerId, int stopSeconds) {
    client().restartContainerCmd(containerId).withTimeout(stopSeconds).exec();
  }

  /** Removes a container with its anonymous volumes, running or not; a missing one is fine. */
  static void remove(String containerId) {
    try {
      client().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  /**
   * Runs a command in a running container and returns what it printed (stdout and stderr
   * together), whatever its exit code.
   */
  static String exec(String containerId, Duration timeout, String... command) {
    String execId = client().execCreateCmd(containerId).withCmd(command)
        .withAttachStdout(true).withAttachStderr(true).exec().getId();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      boolean done = client().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
        @Override
        public void onNext(Frame frame) {
          synchronized (out) {
            out.writeBytes(frame.getPayload());
          }
        }
      }).awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS);
      if (!done) {
        throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
            + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Copies files into a container (created or running), as a tar extracted at its root.
   *
   * @param containerId the container
   * @param archive a tar whose paths are relative to the container's root
   */
  static void copyIn(String containerId, byte[] archive) {
    client().copyArchiveToContainerCmd(containerId).withTarInputStream(new ByteArrayInputStream(archive))
        .withRemotePath("/").exec();
  }

  /** @return a tar of the given files (path to content), each with mode 0644 */
  static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        putFile(out, file.getKey(), file.getValue(), 0644);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void putFile(TarArchiveOutputStream out, String path, byte[] content, int mode) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(path);
    entry.setSize(content.length);
    entry.setMode(mode);
    out.putArchiveEntry(entry);
    out.write(content);
    out.closeArchiveEntry();
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }

  /** Splits {@code name:tag} (a registry's host:port may hold a colon too); no tag means latest. */
  static String[] splitTag(String ref) {
    int colon = ref.lastIndexOf(':');
    if (colon < 0 || colon < ref.lastIndexOf('/')) {
      return new String[] {ref, "latest"};
    }
    return new String[] {ref.substring(0, colon), ref.substring(colon + 1)};
  }

  /** The image architecture of this machine, in Docker's (Go's) names. */
  private static String architecture() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
