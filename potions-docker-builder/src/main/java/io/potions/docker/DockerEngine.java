package io.potions.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;

/**
 * The builder's way to the local Docker engine: Testcontainers' docker-java client made from the
 * transport Testcontainers discovered (not {@code DockerClientFactory.client()}, which starts Ryuk
 * and probes with helper containers pulled from a registry). Images, exec with streamed output,
 * files in. No docker CLI is needed.
 */
final class DockerEngine {
  private static DockerClient client;

  private DockerEngine() {}

  /** What a command run in a container did. */
  record Exec(long exitCode, boolean timedOut, String stderr) {
    boolean ok() {
      return !timedOut && exitCode == 0;
    }
  }

  static synchronized DockerClient client() {
    if (client == null) {
      try {
        client = DockerClientProviderStrategy.getClientForConfig(DockerClientFactory.instance().getTransportConfig());
      } catch (RuntimeException e) {
        throw new io.potions.PotionsException("No Docker engine answers on this machine; the local-container"
            + " builder needs one (install and start Docker, or set DOCKER_HOST): " + e.getMessage(), e);
      }
    }
    return client;
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

  static void pull(String ref, Duration timeout) throws InterruptedException {
    int colon = ref.lastIndexOf(':');
    boolean tagged = colon > 0 && colon > ref.lastIndexOf('/');
    client().pullImageCmd(tagged ? ref.substring(0, colon) : ref).withTag(tagged ? ref.substring(colon + 1) : "latest")
        .exec(new PullImageResultCallback()).awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS);
  }

  /** Builds an image from a Dockerfile alone, with the classic builder; each output line goes to the log. */
  static void build(String dockerfile, String tag, Map<String, String> labels, Duration timeout, Consumer<String> log) {
    byte[] context = tar(Map.of("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8)));
    BuildImageResultCallback callback = new BuildImageResultCallback() {
      @Override
      public void onNext(BuildResponseItem item) {
        if (item.getStream() != null && !item.getStream().isBlank()) {
          log.accept(item.getStream().stripTrailing());
        }
        super.onNext(item);
      }
    };
    client().buildImageCmd(new ByteArrayInputStream(context)).withTags(Set.of(tag)).withLabels(labels)
        .withRemove(true).exec(callback).awaitImageId(timeout.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Runs {@code bash -c script name args...} in a running container.
   *
   * @param stdout receives standard output as bytes, or null to send it line by line to {@code lines}
   * @param lines receives each line of output (stdout when {@code stdout} is null, and stderr)
   */
  static Exec exec(String containerId, String script, java.util.List<String> args, Duration timeout,
      OutputStream stdout, Consumer<String> lines) throws InterruptedException {
    String[] cmd = new String[3 + args.size()];
    cmd[0] = "bash";
    cmd[1] = "-c";
    cmd[2] = script;
    for (int i = 0; i < args.size(); i++) {
      cmd[3 + i] = args.get(i);
    }
    String execId = client().execCreateCmd(containerId).withCmd(cmd).withAttachStdout(true).withAttachStderr(true)
        .exec().getId();
    LineSplitter outLines = new LineSplitter(lines);
    LineSplitter errLines = new LineSplitter(lines);
    StringBuilder stderr = new StringBuilder();
    IOException[] writeFailure = {null};
    boolean done = client().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (frame.getStreamType() == StreamType.STDERR) {
          synchronized (stderr) {
            stderr.append(new String(payload, StandardCharsets.UTF_8));
          }
          errLines.accept(payload);
        } else if (stdout != null) {
          try {
            stdout.write(payload);
          } catch (IOException e) {
            writeFailure[0] = e;
          }
        } else {
          outLines.accept(payload);
        }
      }
    }).awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS);
    outLines.flush();
    errLines.flush();
    if (writeFailure[0] != null) {
      throw new UncheckedIOException(writeFailure[0]);
    }
    if (!done) {
      return new Exec(-1, true, stderr.toString());
    }
    Long code = client().inspectExecCmd(execId).exec().getExitCodeLong();
    return new Exec(code == null ? -1 : code, false, stderr.toString());
  }

  /** Copies files (path relative to the root, mode 0600) into a container. */
  static void copyIn(String containerId, Map<String, byte[]> files) {
    client().copyArchiveToContainerCmd(containerId).withTarInputStream(new ByteArrayInputStream(tar(files)))
        .withRemotePath("/").exec();
  }

  /** Kills a running container (its execs end); one that has stopped or gone already is left as it is. */
  static void kill(String containerId) {
    try {
      client().killContainerCmd(containerId).exec();
    } catch (NotFoundException | ConflictException e) {
      // not running any more
    }
  }

  static void remove(String containerId) {
    try {
      client().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(false).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  private static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0600);
        out.putArchiveEntry(entry);
        out.write(file.getValue());
        out.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Turns frames (split anywhere) into lines. */
  private static final class LineSplitter {
    private final Consumer<String> lines;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineSplitter(Consumer<String> lines) {
      this.lines = lines;
    }

    synchronized void accept(byte[] payload) {
      for (byte b : payload) {
        if (b == '\n') {
          lines.accept(pending.toString(StandardCharsets.UTF_8));
          pending.reset();
        } else {
          pending.write(b);
        }
      }
    }

    synchronized void flush() {
      if (pending.size() > 0) {
        lines.accept(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
      }
    }
  }
}
