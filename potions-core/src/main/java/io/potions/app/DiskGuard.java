package io.potions.app;

import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.shell.Shell;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses work that would fill a server's disk, before it starts: the file systems it writes to
 * must keep, after the work, at least a margin free. Deploys use it (the new release is estimated
 * from the last one); anything else that writes a known amount (a database dump) can too.
 * The command is rendered here and its output parsed here; {@link #require} runs it.
 */
public final class DiskGuard {
  /** What a deploy leaves free at least, beyond its release: room for logs, the database, the OS. */
  public static final long DEFAULT_MARGIN_BYTES = 512L * 1024 * 1024;
  /** A first release's estimated size, when there is no earlier one to go by. */
  public static final long FIRST_RELEASE_ESTIMATE_BYTES = 100L * 1024 * 1024;

  /**
   * One file system's free space.
   *
   * @param path the path asked about
   * @param mountPoint where its file system is mounted
   * @param availableBytes bytes free for unprivileged users
   */
  public record Free(String path, String mountPoint, long availableBytes) {}

  private DiskGuard() {}

  /**
   * @param paths absolute paths the work writes under (they need not exist yet)
   * @return a script printing each one's file system's free bytes and mount point
   */
  public static String freeSpaceScript(List<String> paths) {
    return ScriptTemplate.load(DiskGuard.class, "/io/potions/scripts/app/disk-free.sh")
        .raw("PATHS", Shell.join(paths)).render();
  }

  /**
   * @param paths the paths asked about
   * @param result what {@link #freeSpaceScript} printed
   * @return each path's free space
   * @throws io.potions.PotionsException when the output cannot be read
   */
  public static List<Free> parse(List<String> paths, ExecResult result) {
    List<String> lines = result.stdout().stream().filter(l -> !l.isBlank()).toList();
    if (!result.ok() || lines.size() != paths.size()) {
      throw new io.potions.PotionsException("Could not read the server's free disk space (exit "
          + result.exitStatus() + "): " + result.tail(5));
    }
    List<Free> free = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String[] parts = lines.get(i).trim().split("\\s+", 2);
      if (parts.length != 2 || !parts[0].matches("\\d{1,19}")) {
        throw new io.potions.PotionsException("Unreadable df output for " + paths.get(i) + ": " + lines.get(i));
      }
      free.add(new Free(paths.get(i), parts[1], Long.parseLong(parts[0])));
    }
    return free;
  }

  /**
   * The decision, pure: enough space, or the message saying how much is missing.
   *
   * @param what the work, for the message ("deploy of shop")
   * @param free the file system it writes to
   * @param neededBytes what the work writes
   * @param marginBytes what must stay free after it
   * @return empty when it fits, else the refusal with the numbers
   */
  public static Optional<String> shortfall(String what, Free free, long neededBytes, long marginBytes) {
    long after = free.availableBytes() - neededBytes;
    if (after >= marginBytes) {
      return Optional.empty();
    }
    return Optional.of("Refused the " + what + " before it started: " + free.mountPoint() + " (holding "
        + free.path() + ") has " + size(free.availableBytes()) + " free; it needs " + size(neededBytes)
        + " and must keep " + size(marginBytes) + " free afterwards, so " + size(neededBytes + marginBytes - free.availableBytes())
        + " more is needed. Nothing was changed. Free space on the server (old releases are pruned by"
        + " keepReleases; check journald and database size) or resize its disk.");
  }

  /**
   * Measures and decides in one round trip.
   *
   * @param server the server
   * @param what the work, for the message
   * @param paths where it writes
   * @param neededBytes what it writes (counted against each file system)
   * @param marginBytes what must stay free after it
   * @throws InsufficientDiskSpaceException when any file system would drop below the margin
   */
  public static void require(RemoteExecutor server, String what, List<String> paths, long neededBytes, long marginBytes) {
    ExecResult result = server.run(RemoteCommand.of("Checking free disk space", freeSpaceScript(paths)));
    for (Free free : parse(paths, result)) {
      Optional<String> refusal = shortfall(what, free, neededBytes, marginBytes);
      if (refusal.isPresent()) {
        throw new InsufficientDiskSpaceException(refusal.get());
      }
    }
  }

  /**
   * @param bytes a size
   * @return it for people: "1.5 GiB", "300 MiB", "12 KiB"
   */
  public static String size(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    if (bytes >= 1L << 20) {
      return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }
    return String.format(Locale.ROOT, "%d KiB", Math.max(0, bytes) >> 10);
  }
}
