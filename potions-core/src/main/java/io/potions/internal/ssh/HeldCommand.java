package io.potions.internal.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.sshd.client.channel.ChannelExec;

/**
 * A remote command that keeps running while this object is open, such as one holding a lock on the
 * server. Its standard input stays open; closing this object closes it, and the command sees EOF.
 * If this process dies, the connection drops and the server ends the command the same way.
 */
public final class HeldCommand implements io.potions.spi.RemoteProcess {
  private final ChannelExec channel;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final java.util.function.Consumer<HeldCommand> onClose;

  HeldCommand(ChannelExec channel, OutputStream stdin, java.util.function.Consumer<HeldCommand> onClose) {
    this.channel = channel;
    this.stdin = stdin;
    this.onClose = onClose;
  }

  void offer(String line) {
    lines.add(line);
  }

  /**
   * Waits for an output line matching {@code wanted}.
   *
   * @param wanted what the line must satisfy
   * @param timeout how long to wait
   * @return the line, or {@code null} when the command ended or the time ran out first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  @Override
  public String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
      if (line != null && wanted.test(line)) {
        return line;
      }
      if (line == null && channel.isClosed()) {
        return null;
      }
    }
  }

  /** @return true while the remote command runs */
  @Override
  public boolean isOpen() {
    return channel.isOpen() && !channel.isClosing();
  }

  /** Ends the command by closing its input, then the channel. */
  @Override
  public void close() {
    onClose.accept(this);
    try {
      stdin.close();
    } catch (IOException e) {
      // the channel is going away anyway
    }
    channel.close(false);
  }
}
