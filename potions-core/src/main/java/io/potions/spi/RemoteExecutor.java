package io.potions.spi;

import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The one way anything reaches a server: runs {@link RemoteCommand} values, uploads files
 * atomically, reads files, and holds commands open. The SDK's implementation speaks SSH (and is the
 * only code that sees the SSH library); tests use an in-memory one. SPI implementations (reverse
 * proxies, release builders) get one instead of a connection.
 */
public interface RemoteExecutor {
  /** @return the server's address, for messages */
  String host();

  /**
   * Runs a command and returns its result whatever its exit status.
   *
   * @param command what to run
   * @param listener receives output lines (redacted) as they come
   * @return the result
   */
  ExecResult run(RemoteCommand command, OutputListener listener);

  /**
   * @param command what to run
   * @return its result whatever its exit status, output not streamed
   */
  default ExecResult run(RemoteCommand command) {
    return run(command, OutputListener.IGNORE);
  }

  /**
   * Runs a command with streamed, binary standard input and output (a tar of release files moving
   * from a build server to an app server), so nothing is held in memory. The command's own stdin
   * value is ignored. This default buffers both, for in-memory executors; the SSH executor streams.
   *
   * @param command what to run
   * @param stdin its standard input, read to the end, or {@code null} for none
   * @param stdout receives its standard output as bytes, or {@code null} to read it as lines
   * @param listener receives standard error lines (and standard output lines when {@code stdout} is null)
   * @return the result whatever its exit status (stdout lines are empty when streamed)
   */
  default ExecResult runStreaming(RemoteCommand command, java.io.InputStream stdin, java.io.OutputStream stdout,
      OutputListener listener) {
    try {
      RemoteCommand withInput = stdin == null ? command : command.stdin(stdin.readAllBytes());
      ExecResult result = run(withInput, stdout == null ? listener
          : (stream, line) -> { if (stream == OutputListener.Stream.STDERR) { listener.onLine(stream, line); } });
      if (stdout != null) {
        for (String line : result.stdout()) {
          stdout.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return new ExecResult(result.exitStatus(), List.of(), result.stderr(), result.duration());
      }
      return result;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Runs a command and fails when it exits non-zero.
   *
   * @param command what to run
   * @return its result
   * @throws RemoteCommandException when it exits non-zero, with the last lines of its output (redacted)
   */
  ExecResult require(RemoteCommand command);

  /**
   * Writes a file atomically (a temporary name, then a rename), so a dropped connection never leaves
   * a half-written file under the final name.
   *
   * @param content the bytes
   * @param remotePath absolute path on the server
   * @param mode permission bits, such as {@code 0600}
   */
  void upload(byte[] content, String remotePath, int mode);

  /**
   * Uploads a local file, atomically as {@link #upload(byte[], String, int)}.
   *
   * @param local the local file
   * @param remotePath absolute path on the server
   * @param mode permission bits
   */
  void upload(Path local, String remotePath, int mode);

  /**
   * Reads several small text files in one round trip.
   *
   * @param remotePaths absolute paths
   * @return each file's content, in the same order; empty when it does not exist
   */
  List<Optional<String>> read(List<String> remotePaths);

  /**
   * Starts a command that runs until the returned handle is closed.
   *
   * @param command what to run (its time limit is the longest it may be held)
   * @param listener receives output lines as they come
   * @return the running command
   */
  RemoteProcess hold(RemoteCommand command, OutputListener listener);

  /**
   * Runs a command under a pseudo-terminal wired to the caller's streams: bytes read from
   * {@code in} are typed into it, and its output is written to {@code out}. When {@code in} ends,
   * the terminal is closed (the server hangs up on the command).
   *
   * @param command what to run (its time limit is the longest the terminal may stay open)
   * @param in the keystrokes
   * @param out receives the terminal's output
   * @return the open terminal
   * @throws UnsupportedOperationException when this executor has no terminals
   */
  default RemoteTerminal terminal(RemoteCommand command, java.io.InputStream in, java.io.OutputStream out) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot open a terminal");
  }
}
