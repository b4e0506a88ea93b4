package io.potions.remote;

import io.potions.secret.Redactor;
import io.potions.shell.Shell;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import io.potions.ssh.SshConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where rendered scripts run on a server. Scripts are bash text produced by pure
 * renderers; this class wraps them (privilege, time limit enforced on the server, strict mode),
 * sends them over the reused SSH connection, and logs their output redacted.
 */
public final class RemoteShell {
  private static final Logger log = LoggerFactory.getLogger(RemoteShell.class);

  /** Seconds between the time limit's TERM and KILL on the server. */
  private static final int KILL_AFTER_SECONDS = 10;

  private final SshConnection connection;
  private final Redactor redactor;

  /**
   * @param connection the server's SSH connection
   * @param redactor masks secrets in output and messages
   */
  public RemoteShell(SshConnection connection, Redactor redactor) {
    this.connection = connection;
    this.redactor = redactor;
  }

  /** @return the underlying connection, for uploads and port forwards */
  public SshConnection connection() {
    return connection;
  }

  /** @return the redactor used for this server */
  public Redactor redactor() {
    return redactor;
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

  /**
   * Runs a script and returns its result whatever its exit status.
   *
   * @param script bash text
   * @param asRoot whether it needs root
   * @param limit time limit
   * @param listener receives output lines as they come
   * @return the result
   */
  public ExecResult run(String script, boolean asRoot, Duration limit, OutputListener listener) {
    return run(script, asRoot, limit, listener, null);
  }

  /**
   * Runs a script with bytes on its standard input (how secrets travel: never on a command line,
   * where other users of the server could read them in the process list).
   *
   * @param script bash text
   * @param asRoot whether it needs root
   * @param limit time limit
   * @param listener receives output lines as they come
   * @param stdin bytes for standard input, or {@code null}
   * @return the result
   */
  public ExecResult run(String script, boolean asRoot, Duration limit, OutputListener listener, byte[] stdin) {
    String command = render(script, asRoot, connection.target().user(), limit);
    OutputListener logging = (stream, line) -> {
      log.debug("[{}] {}", connection.target().host(), line);
      listener.onLine(stream, line);
    };
    // The local wait outlives the server-side limit, so the server's timeout fires first and the
    // process is really gone; the local limit only catches a connection that went silent.
    Duration localWait = limit.plusSeconds(KILL_AFTER_SECONDS + 20);
    ExecResult result = connection.exec(command, stdin, localWait, logging);
    if (result.exitStatus() == 124 || result.exitStatus() == 137) {
      log.warn("[{}] command hit its {} s limit", connection.target().host(), limit.toSeconds());
    }
    return result;
  }

  /**
   * Runs a script and fails when it exits non-zero.
   *
   * @param what what the script does, for the error message
   * @param script bash text
   * @param asRoot whether it needs root
   * @param limit time limit
   * @return the result
   */
  public ExecResult require(String what, String script, boolean asRoot, Duration limit) {
    return require(what, script, asRoot, limit, null);
  }

  /**
   * Runs a script with standard input and fails when it exits non-zero.
   *
   * @param what what the script does, for the error message
   * @param script bash text
   * @param asRoot whether it needs root
   * @param limit time limit
   * @param stdin bytes for standard input, or {@code null}
   * @return the result
   */
  public ExecResult require(String what, String script, boolean asRoot, Duration limit, byte[] stdin) {
    ExecResult result = run(script, asRoot, limit, OutputListener.IGNORE, stdin);
    if (!result.ok()) {
      throw new RemoteCommandException(what + " failed on " + connection.target().host()
          + " (exit " + result.exitStatus() + "):\n" + redactor.redact(result.tail(20)));
    }
    return result;
  }
}
