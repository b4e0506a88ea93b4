package io.potions.internal.transfer;

import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.RemoteProcess;
import io.potions.ssh.ExecResult;
import io.potions.ssh.OutputListener;
import io.potions.ssh.RemoteCommandException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the rendered scripts with this machine's bash and GNU tools, the same strict mode the SSH
 * executor uses: the transfer scripts are tested by running them, not by reading them. Counts the
 * bytes each command got on standard input.
 */
final class LocalBash implements RemoteExecutor {
  long stdinBytes;

  @Override
  public String host() {
    return "localhost";
  }

  @Override
  public ExecResult run(RemoteCommand command, OutputListener listener) {
    byte[] in = command.stdin();
    return runStreaming(command, in == null ? null : new ByteArrayInputStream(in), null, listener);
  }

  @Override
  public ExecResult runStreaming(RemoteCommand command, InputStream stdin, OutputStream stdout, OutputListener listener) {
    long started = System.nanoTime();
    try {
      Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + command.script()).start();
      Thread feeder = new Thread(() -> {
        try (OutputStream to = p.getOutputStream()) {
          if (stdin != null) {
            stdinBytes += stdin.transferTo(to);
          }
        } catch (IOException e) {
          // the script stopped reading: its exit status tells
        }
      });
      feeder.start();
      List<String> err = new ArrayList<>();
      Thread errReader = new Thread(() -> {
        for (String line : new String(readAll(p.getErrorStream()), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            err.add(line);
            listener.onLine(OutputListener.Stream.STDERR, line);
          }
        }
      });
      errReader.start();
      List<String> out = new ArrayList<>();
      if (stdout != null) {
        p.getInputStream().transferTo(stdout);
      } else {
        for (String line : new String(readAll(p.getInputStream()), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            out.add(line);
          }
        }
      }
      if (!p.waitFor(command.limit().toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new ExecResult(124, out, err, Duration.ofNanos(System.nanoTime() - started));
      }
      feeder.join();
      errReader.join();
      return new ExecResult(p.exitValue(), out, err, Duration.ofNanos(System.nanoTime() - started));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ExecResult require(RemoteCommand command) {
    ExecResult r = run(command);
    if (!r.ok()) {
      throw new RemoteCommandException(command.what() + " failed: " + r.tail(10));
    }
    return r;
  }

  @Override
  public void upload(byte[] content, String remotePath, int mode) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void upload(Path local, String remotePath, int mode) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Optional<String>> read(List<String> remotePaths) {
    throw new UnsupportedOperationException();
  }

  @Override
  public RemoteProcess hold(RemoteCommand command, OutputListener listener) {
    throw new UnsupportedOperationException();
  }
}
