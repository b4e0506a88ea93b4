package io.potions.internal.ssh;

import io.potions.internal.shell.Shell;
import io.potions.internal.ssh.SshConnection;
import io.potions.secret.Redactor;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.RemoteProcess;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RemoteExecutor} that speaks SSH: wraps each command (privilege, a time limit enforced
 * on the server, strict mode), sends it over the server's reused connection, and logs its output
 * redacted. Every command, upload, read and held command of the SDK goes through an instance of
 * this class.
 */
public final class SshExecutor implements RemoteExecutor {
  private static final Logger log = LoggerFactory.getLogger(SshExecutor.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Seconds between the time limit's TERM and KILL on the server. */
  private static final int KILL_AFTER_SECONDS = 10;

  private final SshConnection connection;
  private final Redactor redactor;

  /**
   * @param connection the server's SSH connection
   * @param redactor masks secrets in output and messages
   */
  public SshExecutor(SshConnection connection, Redactor redactor) {
    this.connection = connection;
    this.redactor = redactor;
  }

  /** @return the underlying connection, for port forwards */
  public SshConnection connection() {
    return connection;
  }

  /** @return the redactor used for this server */
  public Redactor redactor() {
    return redactor;
  }

  /** @return the SSH user this executor logs in as */
  public String user() {
    return connection.target().user();
  }

  @Override
  public String host() {
    return connection.target().host();
  }

  /**
   * Renders the command line that runs {@code script} under bash strict mode, as root when asked
   * (through {@code sudo -n} unless already root), killed on the server when the limit passes.
   *
   * @param script bash text
   * @param asRoot whether it needs root
   * @param loginUser the SSH user
   * @param limit the time limit, enforced on the server by coreutils {@code timeout}
   * @return one command line
   */
  public static String render(String script, boolean asRoot, String loginUser, Duration limit) {
    List<String> argv = new ArrayList<>();
    argv.add("timeout");
    argv.add("--kill-after=" + KILL_AFTER_SECONDS + "s");
    argv.add(limit.toSeconds() + "s");
    if (asRoot && !"root".equals(loginUser)) {
      argv.add("sudo");
      argv.add("-n");
    }
    argv.addAll(List.of("bash", "-c", "set -euo pipefail\n" + script));
    return Shell.join(argv);
  }

  @Override
  public ExecResult run(RemoteCommand command, OutputListener listener) {
    String line = render(command.script(), command.runsAsRoot(), user(), command.limit());
    OutputListener logging = (stream, text) -> {
      log.debug("[{}] {}", host(), text);
      listener.onLine(stream, text);
    };
    // The local wait outlives the server-side limit, so the server's timeout fires first and the
    // process is really gone; the local limit only catches a connection that went silent.
    Duration localWait = command.limit().plusSeconds(KILL_AFTER_SECONDS + 20);
    ExecResult result = connection.exec(line, command.stdin(), localWait, logging);
    if (result.timedOut()) {
      log.warn("[{}] {}: hit its {} s limit", host(), command.what(), command.limit().toSeconds());
    }
    return result;
  }

  @Override
  public ExecResult runStreaming(RemoteCommand command, java.io.InputStream stdin, java.io.OutputStream stdout,
      OutputListener listener) {
    String line = render(command.script(), command.runsAsRoot(), user(), command.limit());
    OutputListener logging = (stream, text) -> {
      log.debug("[{}] {}", host(), text);
      listener.onLine(stream, text);
    };
    Duration localWait = command.limit().plusSeconds(KILL_AFTER_SECONDS + 20);
    return connection.execStreaming(line, stdin, stdout, localWait, logging);
  }

  @Override
  public ExecResult require(RemoteCommand command) {
    ExecResult result = run(command, OutputListener.IGNORE);
    if (!result.ok()) {
      throw new RemoteCommandException(command.what() + " failed on " + host() + " (exit "
          + result.exitStatus() + "):\n" + redactor.redact(result.tail(20)));
    }
    return result;
  }

  @Override
  public void upload(byte[] content, String remotePath, int mode) {
    connection.upload(content, remotePath, mode);
  }

  @Override
  public void upload(Path local, String remotePath, int mode) {
    connection.upload(local, remotePath, mode);
  }

  @Override
  public List<Optional<String>> read(List<String> remotePaths) {
    String boundary = "--potions-file-" + HexFormat.of().formatHex(randomBytes()) + "--";
    return FileReads.parse(require(RemoteCommand.of("Reading " + remotePaths.size() + " file(s)",
        FileReads.script(remotePaths, boundary))), remotePaths.size(), boundary);
  }

  @Override
  public RemoteProcess hold(RemoteCommand command, OutputListener listener) {
    return connection.startHeld(render(command.script(), command.runsAsRoot(), user(), command.limit()), listener,
        command.isFencing());
  }

  @Override
  public io.potions.spi.RemoteTerminal terminal(RemoteCommand command, java.io.InputStream in, java.io.OutputStream out) {
    // timeout --foreground: without it, timeout moves the command out of the terminal's foreground
    // process group, and the first read from the terminal stops it (SIGTTIN).
    String line = render(command.script(), command.runsAsRoot(), user(), command.limit())
        .replaceFirst("^timeout ", "timeout --foreground ");
    return connection.terminal(line, in, out);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return b;
  }

  @Override
  public String toString() {
    return "SshExecutor[" + connection.target() + "]";
  }
}
