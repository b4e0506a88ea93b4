package io.potions.internal.transfer;

import io.potions.PotionsException;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A release in a directory of another server (a build server), read through its executor: the
 * manifest is computed there, and only the requested files leave it, as one streamed archive.
 */
public final class RemoteReleaseSource implements ReleaseSource {
  private static final Duration LIMIT = Duration.ofMinutes(10);
  private final RemoteExecutor server;
  private final String releaseDir;

  /**
   * @param server the server holding the release
   * @param releaseDir the release's directory there
   */
  public RemoteReleaseSource(RemoteExecutor server, String releaseDir) {
    this.server = server;
    this.releaseDir = releaseDir;
  }

  @Override
  public ReleaseManifest manifest() {
    ExecResult listed = server.run(RemoteCommand.of("Listing the release's files and hashes",
        TransferScripts.manifest(releaseDir)).limit(LIMIT));
    if (!listed.ok()) {
      throw new PotionsException("Could not list the release in " + releaseDir + " on " + server.host()
          + ": " + listed.tail(10));
    }
    return ReleaseManifest.parse(String.join("\n", listed.stdout()));
  }

  @Override
  public void writeArchive(List<String> paths, OutputStream out) {
    StringBuilder names = new StringBuilder();
    paths.forEach(p -> names.append(p).append('\0'));
    StringBuilder errors = new StringBuilder();
    ExecResult packed = server.runStreaming(RemoteCommand.of("Packing the release's new files",
            TransferScripts.pack(releaseDir)).limit(LIMIT),
        new ByteArrayInputStream(names.toString().getBytes(StandardCharsets.UTF_8)), out,
        (stream, line) -> errors.append(line).append('\n'));
    if (!packed.ok()) {
      throw new PotionsException("Could not pack the release's files on " + server.host() + " (exit "
          + packed.exitStatus() + "): " + errors);
    }
  }

  @Override
  public String toString() {
    return server.host() + ":" + releaseDir;
  }
}
