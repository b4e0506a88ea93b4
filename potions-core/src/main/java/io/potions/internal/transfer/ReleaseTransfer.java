package io.potions.internal.transfer;

import io.potions.PotionsException;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Moves a release built elsewhere to its app server as content-addressed files: the manifest goes
 * first, the server answers which contents it lacks, only those travel (one archive streamed from
 * the source through this JVM into one SSH channel, never buffered whole), and the server checks
 * each against its hash and assembles the release from hard links into its store. A one-line
 * change sends a few files and the manifest.
 */
public final class ReleaseTransfer {
  private static final Duration LIMIT = Duration.ofMinutes(15);
  private static final int PIPE_BUFFER = 1 << 20;

  private ReleaseTransfer() {}

  /**
   * What a transfer did.
   *
   * @param files regular files in the release
   * @param releaseBytes their total size
   * @param filesSent files whose content travelled
   * @param bytesSent bytes sent to the app server: the compressed manifest and the archive
   * @param releaseName the release's executable name (empty when the release has no {@code bin/})
   */
  public record Report(int files, long releaseBytes, int filesSent, long bytesSent, String releaseName) {
    /** @return bytes sent as a share of the release's size, 0 to 1 (and beyond for a tiny release) */
    public double sentShare() {
      return releaseBytes == 0 ? 0 : (double) bytesSent / releaseBytes;
    }
  }

  /**
   * Sends the release and assembles it as {@code <appDir>/releases/<releaseId>} on the target.
   *
   * @param source where the release is
   * @param target the app server, as the deploy user
   * @param appDir the app's directory there
   * @param releaseId the release's id
   * @param storageDir the app's storage directory there (the release's {@code storage} link)
   * @param log receives a few progress lines
   * @return what was sent
   * @throws PotionsException when any step fails; the target then has no release under that id
   */
  public static Report send(ReleaseSource source, RemoteExecutor target, String appDir, String releaseId,
      String storageDir, Consumer<String> log) {
    ReleaseManifest manifest = source.manifest();
    byte[] manifestGz = gzip(manifest.renderBytes());
    ExecResult asked = target.run(RemoteCommand.of("Asking which release files the server lacks",
        TransferScripts.missing(appDir, releaseId)).stdin(manifestGz).limit(LIMIT));
    if (!asked.ok()) {
      throw new PotionsException("The app server " + target.host() + " could not take the release's manifest: "
          + asked.tail(10));
    }
    java.util.Set<String> lacking = asked.stdout().stream().map(String::trim).filter(l -> l.startsWith("missing "))
        .map(l -> l.substring("missing ".length())).collect(java.util.stream.Collectors.toSet());
    List<ReleaseManifest.FileEntry> toSend = manifest.missing(
        manifest.keys().stream().filter(k -> !lacking.contains(k)).toList());
    long toSendBytes = toSend.stream().mapToLong(ReleaseManifest.FileEntry::size).sum();
    log.accept("release: " + manifest.files().size() + " files, " + manifest.totalBytes() + " bytes; the server"
        + " lacks " + toSend.size() + " (" + toSendBytes + " bytes before compression)");

    long[] archiveBytes = {0};
    ExecResult received;
    AtomicReference<RuntimeException> packFailure = new AtomicReference<>();
    try (PipedInputStream pipeIn = new PipedInputStream(PIPE_BUFFER)) {
      PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
      Thread packer = new Thread(() -> {
        try (pipeOut) {
          source.writeArchive(toSend.stream().map(ReleaseManifest.FileEntry::path).toList(), pipeOut);
        } catch (RuntimeException | IOException e) {
          packFailure.set(e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e));
        }
      }, "potions-release-pack");
      packer.setDaemon(true);
      packer.start();
      InputStream counted = new FilterInputStream(pipeIn) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            archiveBytes[0]++;
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          int n = super.read(buf, off, len);
          if (n > 0) {
            archiveBytes[0] += n;
          }
          return n;
        }
      };
      StringBuilder errors = new StringBuilder();
      received = target.runStreaming(RemoteCommand.of("Receiving and assembling the release",
              TransferScripts.receive(appDir, releaseId, storageDir)).limit(LIMIT), counted, null,
          (stream, line) -> {
            if (stream == io.potions.ssh.OutputListener.Stream.STDERR) {
              errors.append(line).append('\n');
            }
          });
      // Closed before waiting: a packer still writing (the server stopped reading) fails at once.
      pipeIn.close();
      packer.join(Duration.ofMinutes(1).toMillis());
    } catch (IOException e) {
      throw new PotionsException("The release transfer to " + target.host() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted while sending the release to " + target.host(), e);
    }
    if (packFailure.get() != null) {
      throw new PotionsException("Could not read the release from " + source + ": " + packFailure.get().getMessage(),
          packFailure.get());
    }
    if (!received.ok()) {
      throw new PotionsException("The app server " + target.host() + " could not assemble the release (exit "
          + received.exitStatus() + "): " + received.tail(10));
    }
    long sent = manifestGz.length + archiveBytes[0];
    String name = received.marker("POTIONS_RELEASE_NAME").orElse("");
    log.accept("sent " + sent + " bytes (" + manifestGz.length + " of manifest, " + archiveBytes[0] + " of files) for a "
        + manifest.totalBytes() + "-byte release");
    return new Report(manifest.files().size(), manifest.totalBytes(), toSend.size(), sent, name);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
