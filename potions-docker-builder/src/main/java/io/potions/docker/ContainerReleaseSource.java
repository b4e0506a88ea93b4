package io.potions.docker;

import io.potions.PotionsException;
import io.potions.internal.transfer.ReleaseManifest;
import io.potions.internal.transfer.ReleaseSource;
import io.potions.internal.transfer.TransferScripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A release in the build container, read with the same manifest and pack scripts a build server
 * runs (so the content hashes are computed the same way): only the files the app server lacks leave
 * the container. The archive is spooled to a local temporary file, then streamed to the transfer.
 */
final class ContainerReleaseSource implements ReleaseSource {
  private static final Duration LIMIT = Duration.ofMinutes(10);
  private static final String NAMES = "tmp/potions-pack-names";
  private final String containerId;
  private final String releaseDir;

  ContainerReleaseSource(String containerId, String releaseDir) {
    this.containerId = containerId;
    this.releaseDir = releaseDir;
  }

  @Override
  public ReleaseManifest manifest() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DockerEngine.Exec listed = exec(TransferScripts.manifest(releaseDir), out);
    if (!listed.ok()) {
      throw new PotionsException("Could not list the release in " + releaseDir + " in the build container: "
          + listed.stderr());
    }
    return ReleaseManifest.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Override
  public void writeArchive(List<String> paths, OutputStream out) {
    StringBuilder names = new StringBuilder();
    paths.forEach(p -> names.append(p).append('\0'));
    DockerEngine.copyIn(containerId, Map.of(NAMES, names.toString().getBytes(StandardCharsets.UTF_8)));
    Path spool = null;
    try {
      spool = Files.createTempFile("potions-release-", ".tar.gz");
      DockerEngine.Exec packed;
      try (OutputStream file = Files.newOutputStream(spool)) {
        packed = exec("exec </" + NAMES + "\n" + TransferScripts.pack(releaseDir), file);
      }
      if (!packed.ok()) {
        throw new PotionsException("Could not pack the release's files in the build container (exit "
            + packed.exitCode() + "): " + packed.stderr());
      }
      Files.copy(spool, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (spool != null) {
        try {
          Files.deleteIfExists(spool);
        } catch (IOException e) {
          // a temporary file; the system cleans it
        }
      }
    }
  }

  private DockerEngine.Exec exec(String script, OutputStream stdout) {
    try {
      return DockerEngine.exec(containerId, script, List.of(), LIMIT, stdout, line -> {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted while reading the release in the build container", e);
    }
  }

  @Override
  public String toString() {
    return "build container " + containerId.substring(0, Math.min(12, containerId.length())) + ":" + releaseDir;
  }
}
