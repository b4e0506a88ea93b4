package io.potions.internal.ssh;

import io.potions.spi.RemoteTerminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.PtyMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command under a pseudo-terminal (an SSH exec channel with a PTY request), wired to the caller's
 * streams. A daemon thread copies the caller's input into the channel; when that input ends, the
 * channel is closed, and sshd hangs up on the command (SIGHUP), so nothing is left running.
 */
public final class SshTerminal implements RemoteTerminal {
  private static final Logger log = LoggerFactory.getLogger(SshTerminal.class);

  private final ChannelExec channel;
  private final Thread pump;

  private SshTerminal(ChannelExec channel, InputStream in) {
    this.channel = channel;
    this.pump = new Thread(() -> copyThenClose(in), "potions-terminal-input");
    this.pump.setDaemon(true);
  }

  /**
   * @param session the SSH session
   * @param command the command line, already quoted
   * @param in the caller's keystrokes
   * @param out receives the terminal's output
   * @param openTimeout how long opening the channel may take
   * @return the running terminal
   * @throws IOException when the channel cannot be opened
   */
  static SshTerminal open(ClientSession session, String command, InputStream in, OutputStream out,
      Duration openTimeout) throws IOException {
    ChannelExec channel = session.createExecChannel(command);
    channel.setUsePty(true);
    channel.setPtyType("xterm");
    channel.setPtyColumns(120);
    channel.setPtyLines(40);
    // Echo on, as a person at a terminal expects; the remote shell handles line editing itself.
    channel.setPtyModes(Map.of(PtyMode.ECHO, 1, PtyMode.ICRNL, 1, PtyMode.ONLCR, 1));
    channel.setOut(out);
    channel.setErr(out);
    SshTerminal terminal = new SshTerminal(channel, in);
    channel.open().verify(openTimeout.toMillis());
    terminal.pump.start();
    return terminal;
  }

  private void copyThenClose(InputStream in) {
    OutputStream toServer = channel.getInvertedIn();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (n > 0) {
          toServer.write(buffer, 0, n);
          toServer.flush();
        }
      }
    } catch (IOException e) {
      log.debug("terminal input ended: {}", e.toString());
    }
    // The caller's stream ended: hang up (a PTY has no half-close, so EOF alone would not end it).
    close();
  }

  @Override
  public OptionalInt waitFor(Duration timeout) throws InterruptedException {
    Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout.toMillis());
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (!events.contains(ClientChannelEvent.CLOSED)) {
      return OptionalInt.empty();
    }
    Integer status = channel.getExitStatus();
    return status == null ? OptionalInt.empty() : OptionalInt.of(status);
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen() && !channel.isClosing();
  }

  @Override
  public void close() {
    try {
      channel.close(false).await(5_000);
    } catch (IOException e) {
      channel.close(true);
    }
  }
}
