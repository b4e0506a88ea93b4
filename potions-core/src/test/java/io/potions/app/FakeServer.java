package io.potions.app;

import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.RemoteProcess;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import io.potions.ssh.ServerUnreachableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A server in memory, for unit tests of what runs commands: files are a map, every command is
 * recorded, and each answers by the first rule whose description prefix matches (exit 0 with no
 * output when none does). Held commands (the deploy lock) can be "lost" to simulate a dropped
 * connection.
 */
final class FakeServer implements RemoteExecutor {
  /** Files on the "server", by absolute path. */
  final Map<String, String> files = new ConcurrentHashMap<>();
  /** Every command run, in order. */
  final List<RemoteCommand> ran = new CopyOnWriteArrayList<>();
  /** Every upload, in order (path). */
  final List<String> uploads = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<String, Function<RemoteCommand, ExecResult>>> rules = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<Predicate<String>, RuntimeException>> failingUploads = new CopyOnWriteArrayList<>();
  private final List<Held> held = new CopyOnWriteArrayList<>();

  static ExecResult result(int exit, String... stdout) {
    return new ExecResult(exit, Arrays.asList(stdout), List.of(), Duration.ofMillis(1));
  }

  /** Answers commands whose description starts with {@code whatPrefix}. */
  FakeServer on(String whatPrefix, Function<RemoteCommand, ExecResult> answer) {
    rules.add(0, Map.entry(whatPrefix, answer));
    return this;
  }

  FakeServer on(String whatPrefix, ExecResult result) {
    return on(whatPrefix, c -> result);
  }

  /** Makes uploads to paths matching {@code path} throw {@code failure}. */
  FakeServer failUploads(Predicate<String> path, RuntimeException failure) {
    failingUploads.add(Map.entry(path, failure));
    return this;
  }

  /** Drops the connection of every held command (the deploy lock is lost). */
  void dropHeldCommands() {
    held.forEach(h -> h.open = false);
  }

  /** @return descriptions of the commands run, in order */
  List<String> whatRan() {
    return ran.stream().map(RemoteCommand::what).toList();
  }

  /** Fails unless commands starting with these prefixes ran, in this order (others may run between). */
  void assertRanInOrder(String... whatPrefixes) {
    int next = 0;
    for (String what : whatRan()) {
      if (next < whatPrefixes.length && what.startsWith(whatPrefixes[next])) {
        next++;
      }
    }
    if (next < whatPrefixes.length) {
      throw new AssertionError("Expected '" + whatPrefixes[next] + "' (after " + List.of(whatPrefixes).subList(0, next)
          + ") among the commands run: " + whatRan());
    }
  }

  boolean ran(String whatPrefix) {
    return ran.stream().anyMatch(c -> c.what().startsWith(whatPrefix));
  }

  @Override
  public String host() {
    return "fake-host";
  }

  @Override
  public ExecResult run(RemoteCommand command, OutputListener listener) {
    ran.add(command);
    ExecResult result = rules.stream().filter(r -> command.what().startsWith(r.getKey())).findFirst()
        .map(r -> r.getValue().apply(command)).orElse(result(0));
    result.stdout().forEach(line -> listener.onLine(OutputListener.Stream.STDOUT, line));
    return result;
  }

  @Override
  public ExecResult require(RemoteCommand command) {
    ExecResult result = run(command, OutputListener.IGNORE);
    if (!result.ok()) {
      throw new RemoteCommandException(command.what() + " failed (exit " + result.exitStatus() + ")");
    }
    return result;
  }

  @Override
  public void upload(byte[] content, String remotePath, int mode) {
    for (var failing : failingUploads) {
      if (failing.getKey().test(remotePath)) {
        throw failing.getValue();
      }
    }
    uploads.add(remotePath);
    files.put(remotePath, new String(content, StandardCharsets.UTF_8));
  }

  @Override
  public void upload(Path local, String remotePath, int mode) {
    try {
      upload(Files.readAllBytes(local), remotePath, mode);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public List<Optional<String>> read(List<String> remotePaths) {
    List<Optional<String>> out = new ArrayList<>();
    for (String p : remotePaths) {
      out.add(Optional.ofNullable(files.get(p)));
    }
    return out;
  }

  @Override
  public RemoteProcess hold(RemoteCommand command, OutputListener listener) {
    ran.add(command);
    Held h = new Held();
    held.add(h);
    return h;
  }

  /** A held command that prints the lock's marker at once and stays open until closed or dropped. */
  private static final class Held implements RemoteProcess {
    volatile boolean open = true;

    @Override
    public String awaitLine(Predicate<String> wanted, Duration timeout) {
      // The lock is taken at once; whatever it was asked to print under it, it prints nothing.
      return java.util.stream.Stream.of("POTIONS_LOCKED", "POTIONS_PRINTED").filter(wanted).findFirst().orElse(null);
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  /** An exception like the one a dropped SSH connection causes. */
  static RuntimeException connectionDropped() {
    return new ServerUnreachableException("The SSH connection to fake-host dropped while a command ran.");
  }
}
