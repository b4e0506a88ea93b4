package io.potions.internal.ssh;

import io.potions.PotionsException;
import io.potions.internal.provision.SystemFiles;
import io.potions.secret.Redactor;
import io.potions.ssh.ExecResult;
import io.potions.ssh.HostKeyMismatchException;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.OutputListener;
import io.potions.ssh.PortForward;
import io.potions.ssh.RemoteCommandException;
import io.potions.ssh.ServerUnreachableException;
import io.potions.ssh.SshAuthenticationException;
import io.potions.ssh.SshTarget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH connection to one server, reused for every command, upload and port forward, and opened
 * again transparently when it dropped, except while a fencing command (the deploy lock) is held on
 * it: then a dropped connection means the lock is gone, and reconnecting silently would let the
 * holder carry on unlocked. Thread-safe: MINA multiplexes channels over the session.
 */
public final class SshConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SshConnection.class);

  private final SshTarget target;
  private final Redactor redactor;
  private final SshClient client;
  private final AtomicReference<String> refusal = new AtomicReference<>();
  private volatile PublicKey presentedKey;
  private ClientSession session;
  /** Fencing commands held on the current session; while any is open, no silent reconnect. */
  private final java.util.Set<HeldCommand> fences = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private SshConnection(SshTarget target, Redactor redactor) {
    this.target = target;
    this.redactor = redactor;
    this.client = SshClient.setUpDefaultClient();
    // Only what the caller configured counts: no ~/.ssh/config, no ~/.ssh/id_* keys, no agent.
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setServerKeyVerifier((clientSession, address, key) -> {
      presentedKey = key;
      Optional<String> why = target.hostKeys().refusal(target.host(), target.port(), key);
      why.ifPresent(refusal::set);
      return why.isEmpty();
    });
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(15));
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ofHours(2));
    client.start();
  }

  /**
   * Connects and logs in now, so a wrong address, key, user or host key is reported at once.
   *
   * @param target where and how to log in
   * @param redactor masks secrets in output and messages
   * @return the open connection
   */
  public static SshConnection open(SshTarget target, Redactor redactor) {
    SshConnection connection = new SshConnection(target, redactor);
    try {
      connection.session();
      return connection;
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** @return the target this connection logs in to */
  public SshTarget target() {
    return target;
  }

  /** @return the host key the server presented, as an OpenSSH line, or empty before any connection */
  public Optional<String> presentedHostKey() {
    PublicKey key = presentedKey;
    return key == null ? Optional.empty() : Optional.of(HostKeyPolicy.toOpenSsh(key));
  }

  synchronized ClientSession session() {
    if (session != null && session.isOpen() && session.isAuthenticated()) {
      return session;
    }
    if (session != null && !fences.isEmpty()) {
      throw new ServerUnreachableException("The SSH connection to " + target.host() + " dropped while the"
          + " deploy lock was held on it, which released the lock; not reconnecting until the operation that"
          + " held it ends, so nothing runs unlocked.");
    }
    if (session != null) {
      log.info("SSH connection to {} was closed; connecting again", target);
      closeQuietly(session);
    }
    session = connect();
    return session;
  }

  private ClientSession connect() {
    long timeoutMs = target.connectTimeout().toMillis();
    refusal.set(null);
    ClientSession s = null;
    try {
      ConnectFuture future = client.connect(target.user(), target.host(), target.port());
      s = future.verify(timeoutMs).getSession();
      s.addPublicKeyIdentity(target.identity().keyPair());
      s.auth().verify(timeoutMs);
      log.debug("SSH connected to {} (host key {})", target, target.identity().fingerprint());
      return s;
    } catch (IOException | RuntimeException e) {
      if (s != null) {
        closeQuietly(s);
      }
      throw classify(e);
    }
  }

  private PotionsException classify(Exception e) {
    String hostKeyRefusal = refusal.get();
    if (hostKeyRefusal != null) {
      return new HostKeyMismatchException(hostKeyRefusal);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String where = target.host() + ":" + target.port();
    if (root instanceof ConnectException) {
      return new ServerUnreachableException("Cannot reach " + where + ": connection refused. Check the"
          + " address and port, that sshd runs on the server, and that a firewall lets port "
          + target.port() + " through.", e);
    }
    if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
      return new ServerUnreachableException("Cannot resolve host name '" + target.host()
          + "'. Check the spelling, or use the server's IP address.", e);
    }
    if (root instanceof NoRouteToHostException) {
      return new ServerUnreachableException("Cannot reach " + where + ": no route to host. Check the"
          + " address and the network between here and the server.", e);
    }
    String message = String.valueOf(e.getMessage());
    if (presentedKey != null && (message.contains("authentication") || message.contains("No more")
        || message.contains("auth"))) {
      return new SshAuthenticationException("Server " + where + " refused the key "
          + target.identity().fingerprint() + " for user '" + target.user() + "'. Check the user name"
          + " and that this public key is in that user's ~/.ssh/authorized_keys:\n  "
          + target.identity().publicKey(), e);
    }
    if (presentedKey == null) {
      return new ServerUnreachableException("Cannot reach " + where + " within "
          + target.connectTimeout().toSeconds() + " s (" + redactor.redact(message) + "). Check the"
          + " address, that the server is up, and that port " + target.port() + " is open.", e);
    }
    return new ServerUnreachableException("SSH to " + where + " failed: " + redactor.redact(message), e);
  }

  /**
   * Runs one command and waits for it, streaming its output lines as they come.
   *
   * @param command the command line, already quoted by the renderer
   * @param stdin bytes for its standard input, or {@code null}
   * @param timeout how long to wait before closing the channel and failing
   * @param listener receives each line (redacted) as it is produced
   * @return exit status and output
   */
  public ExecResult exec(String command, byte[] stdin, Duration timeout, OutputListener listener) {
    return execStreaming(command, stdin == null ? null : new ByteArrayInputStream(stdin), null, timeout, listener);
  }

  /**
   * Runs one command with streamed, binary standard input and output (a tar of release files):
   * nothing is held in memory. Standard error still arrives as lines.
   *
   * @param command the command line, already quoted by the renderer
   * @param stdin its standard input, read to the end (not closed)
   * @param stdout receives its standard output as bytes, or {@code null} to read it as lines
   * @param timeout how long to wait before closing the channel and failing
   * @param listener receives each line (redacted) of standard error, and of standard output when
   *     {@code stdout} is null
   * @return exit status and the lines read
   */
  public ExecResult execStreaming(String command, InputStream stdin, OutputStream stdout, Duration timeout,
      OutputListener listener) {
    long started = System.nanoTime();
    LineSplitter out = new LineSplitter(OutputListener.Stream.STDOUT, listener, redactor);
    LineSplitter err = new LineSplitter(OutputListener.Stream.STDERR, listener, redactor);
    ClientSession s = session();
    try (ChannelExec channel = s.createExecChannel(command)) {
      channel.setOut(stdout == null ? out : stdout);
      channel.setErr(err);
      channel.setIn(stdin == null ? InputStream.nullInputStream() : stdin);
      channel.open().verify(target.connectTimeout().toMillis());
      Set<ClientChannelEvent> events =
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout.toMillis());
      out.close();
      err.close();
      if (!events.contains(ClientChannelEvent.CLOSED)) {
        channel.close(true);
        throw new RemoteCommandException("A command on " + target.host() + " did not finish within "
            + timeout.toSeconds() + " s; its channel was closed. Last output:\n" + tail(out, err));
      }
      Integer status = channel.getExitStatus();
      if (status == null) {
        if (!s.isOpen()) {
          throw new ServerUnreachableException("The SSH connection to " + target.host()
              + " dropped while a command ran. Last output:\n" + tail(out, err));
        }
        String signal = channel.getExitSignal();
        status = signal == null ? -1 : 128 + signalNumber(signal);
      }
      return new ExecResult(status, out.lines(), err.lines(), Duration.ofNanos(System.nanoTime() - started));
    } catch (IOException e) {
      throwIfChannelRefused(e);
      throw new ServerUnreachableException("The SSH connection to " + target.host()
          + " failed while running a command: " + redactor.redact(String.valueOf(e.getMessage())), e);
    }
  }

  /**
   * sshd refused a new channel on this connection: most often its MaxSessions, which OpenSSH sets
   * to 10 and which a command, a log follow, a console and a held deploy lock each count against.
   * The server is reachable, so this is not a {@link ServerUnreachableException}, and retrying on
   * a new connection would hide the leak that caused it.
   */
  private void throwIfChannelRefused(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // MINA's open future wraps the refusal in an SshException.
      if (t instanceof SshChannelOpenException refused) {
        throw channelRefused(refused);
      }
    }
  }

  private RemoteCommandException channelRefused(SshChannelOpenException e) {
    return new RemoteCommandException("The SSH server on " + target.host() + " refused to open another"
        + " channel on this connection (" + redactor.redact(String.valueOf(e.getMessage())) + "); nothing was run."
        + " Each command, log follow and console holds a channel while it runs, and sshd allows MaxSessions"
        + " of them per connection: 10 by OpenSSH's default, " + SystemFiles.SSHD_MAX_SESSIONS + " on a server Potions"
        + " provisioned. Close log followers and consoles you no longer need, or provision the server again"
        + " (server.provision()) to apply Potions' SSH settings.", e);
  }

  /**
   * Starts a command that keeps running until the returned handle is closed (its stdin stays open).
   *
   * @param command the command line
   * @param listener receives output lines as they come
   * @return the running command
   */
  public HeldCommand startHeld(String command, OutputListener listener) {
    return startHeld(command, listener, false);
  }

  /**
   * Starts a command that keeps running until the returned handle is closed (its stdin stays open).
   *
   * @param command the command line
   * @param listener receives output lines as they come
   * @param fencing when true, this connection refuses to reconnect while the command is held
   * @return the running command
   */
  public HeldCommand startHeld(String command, OutputListener listener, boolean fencing) {
    try {
      ClientSession s = session();
      ChannelExec channel = s.createExecChannel(command);
      java.io.PipedOutputStream feed = new java.io.PipedOutputStream();
      channel.setIn(new java.io.PipedInputStream(feed));
      HeldCommand[] held = new HeldCommand[1];
      OutputListener tee = (stream, line) -> {
        listener.onLine(stream, line);
        held[0].offer(line);
      };
      channel.setOut(new LineSplitter(OutputListener.Stream.STDOUT, tee, redactor));
      channel.setErr(new LineSplitter(OutputListener.Stream.STDERR, tee, redactor));
      held[0] = new HeldCommand(channel, feed, fencing ? fences::remove : h -> { });
      if (fencing) {
        fences.add(held[0]);
      }
      try {
        channel.open().verify(target.connectTimeout().toMillis());
      } catch (IOException | RuntimeException e) {
        // A channel that never opened holds nothing on the server; a fence left behind would
        // forbid reconnecting for good.
        held[0].close();
        throw e;
      }
      return held[0];
    } catch (IOException e) {
      throwIfChannelRefused(e);
      throw new ServerUnreachableException("Could not start a command on " + target.host() + ": "
          + redactor.redact(String.valueOf(e.getMessage())), e);
    }
  }

  /**
   * Starts a command under a pseudo-terminal wired to the caller's streams.
   *
   * @param command the command line
   * @param in the keystrokes; when it ends, the terminal is closed
   * @param out receives the terminal's output
   * @return the running terminal
   */
  public SshTerminal terminal(String command, InputStream in, java.io.OutputStream out) {
    try {
      return SshTerminal.open(session(), command, in, out, target.connectTimeout());
    } catch (IOException e) {
      throwIfChannelRefused(e);
      throw new ServerUnreachableException("Could not open a terminal on " + target.host() + ": "
          + redactor.redact(String.valueOf(e.getMessage())), e);
    }
  }

  private String tail(LineSplitter out, LineSplitter err) {
    java.util.List<String> lines = new java.util.ArrayList<>(out.lines());
    lines.addAll(err.lines());
    return redactor.redact(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
  }

  private static int signalNumber(String signal) {
    return switch (signal) {
      case "KILL" -> 9;
      case "TERM" -> 15;
      case "INT" -> 2;
      case "HUP" -> 1;
      default -> 0;
    };
  }

  /**
   * Uploads bytes over SFTP, writing to a temporary name first and renaming, so a dropped connection
   * never leaves a half-written file under the final name.
   *
   * @param content the file content
   * @param remotePath absolute path on the server
   * @param mode permission bits, such as {@code 0600}
   */
  public void upload(byte[] content, String remotePath, int mode) {
    upload(new ByteArrayInputStream(content), remotePath, mode);
  }

  /**
   * Uploads a local file over SFTP (atomically, as {@link #upload(byte[], String, int)}).
   *
   * @param local the local file
   * @param remotePath absolute path on the server
   * @param mode permission bits
   */
  public void upload(Path local, String remotePath, int mode) {
    try (InputStream in = Files.newInputStream(local)) {
      upload(in, remotePath, mode);
    } catch (IOException e) {
      throw new PotionsException("Could not read " + local + ": " + e.getMessage(), e);
    }
  }

  private void upload(InputStream in, String remotePath, int mode) {
    String tmp = remotePath + ".upload-tmp";
    try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session())) {
      try (OutputStream out = sftp.write(tmp)) {
        in.transferTo(out);
      }
      SftpClient.Attributes attributes = new SftpClient.Attributes();
      attributes.setPermissions(mode);
      sftp.setStat(tmp, attributes);
    } catch (IOException e) {
      throwIfChannelRefused(e);
      throw new RemoteCommandException("Upload to " + target.host() + ":" + remotePath + " failed: "
          + redactor.redact(String.valueOf(e.getMessage())), e);
    }
    // SFTP v3 (OpenSSH) cannot rename over an existing file; mv within one directory is atomic.
    ExecResult moved = exec("mv -f " + io.potions.internal.shell.Shell.quote(tmp) + " " + io.potions.internal.shell.Shell.quote(remotePath),
        null, Duration.ofSeconds(60), OutputListener.IGNORE);
    if (!moved.ok()) {
      throw new RemoteCommandException("Upload to " + target.host() + ":" + remotePath + " failed: "
          + redactor.redact(moved.tail(5)));
    }
  }

  /**
   * Forwards a local loopback port to {@code remoteHost:remotePort} as seen from the server.
   *
   * @param remoteHost host on the server's side, usually {@code 127.0.0.1}
   * @param remotePort port on the server's side
   * @return the forward; close it to stop forwarding
   */
  public PortForward forwardLocal(String remoteHost, int remotePort) {
    try {
      ClientSession s = session();
      SshdSocketAddress bound = s.startLocalPortForwarding(
          new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress(remoteHost, remotePort));
      return new PortForward(bound.getPort(), () -> {
        try {
          s.stopLocalPortForwarding(bound);
        } catch (IOException e) {
          log.debug("stopping port forward {} failed: {}", bound, e.toString());
        }
      });
    } catch (IOException e) {
      throw new ServerUnreachableException("Could not forward a local port to " + remoteHost + ":"
          + remotePort + " on " + target.host() + ": " + e.getMessage(), e);
    }
  }

  /** Closes the session and the client. */
  @Override
  public synchronized void close() {
    if (session != null) {
      closeQuietly(session);
      session = null;
    }
    try {
      client.stop();
      client.close();
    } catch (IOException e) {
      log.debug("closing SSH client failed: {}", e.toString());
    }
  }

  private static void closeQuietly(ClientSession s) {
    try {
      s.close();
    } catch (IOException e) {
      log.debug("closing SSH session failed: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "SshConnection[" + target + "]";
  }
}
