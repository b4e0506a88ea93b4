package io.potions.app;

import static io.potions.shell.Shell.quote;

import io.potions.provision.ServerLayout;
import io.potions.ssh.HeldCommand;
import io.potions.ssh.OutputListener;
import io.potions.ssh.SshConnection;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The server-wide deploy lock: an {@code flock} held by a command that lives as long as this
 * object's SSH channel. It serializes deploys across processes and machines; it is released when
 * closed, and also when the holder dies (its connection drops, sshd ends the command), so a stale
 * lock never blocks forever. The holder is recorded on the server for whoever waits.
 */
final class ServerLock implements AutoCloseable {
  static final String LOCK_FILE = ServerLayout.STATE + "/deploy.lock";
  static final String HOLDER_FILE = ServerLayout.STATE + "/deploy.holder";
  private static final String LOCKED = "POTIONS_LOCKED";

  private final HeldCommand held;

  private ServerLock(HeldCommand held) {
    this.held = held;
  }

  static String render(String holder, Duration wait) {
    String inner = "printf '%s\\n' \"$1\" > " + quote(HOLDER_FILE) + "; echo " + LOCKED + "; exec cat >/dev/null";
    return "exec flock -w " + Math.max(1, wait.toSeconds()) + " " + quote(LOCK_FILE) + " bash -c "
        + quote(inner) + " potions-lock " + quote(holder);
  }

  /**
   * @param connection a connection as the deploy user
   * @param holder who takes it, for whoever waits
   * @param wait how long to wait at most
   * @param onWaiting told who holds it when it is busy
   * @return the lock, held until closed
   * @throws DeployLockBusyException when the wait ran out
   */
  static ServerLock acquire(SshConnection connection, String holder, Duration wait, Consumer<String> onWaiting) {
    var probe = connection.exec("flock -n " + quote(LOCK_FILE) + " true || cat " + quote(HOLDER_FILE),
        null, Duration.ofSeconds(30), OutputListener.IGNORE);
    if (!probe.out().isBlank()) {
      onWaiting.accept(probe.out().trim());
    }
    HeldCommand held = connection.startHeld(render(holder, wait), OutputListener.IGNORE);
    try {
      String line = held.awaitLine(LOCKED::equals, wait.plusSeconds(30));
      if (line == null) {
        held.close();
        var current = connection.exec("cat " + quote(HOLDER_FILE) + " 2>/dev/null || true", null,
            Duration.ofSeconds(30), OutputListener.IGNORE);
        throw new DeployLockBusyException("The deploy lock on " + connection.target().host()
            + " is still held after waiting " + wait.toSeconds() + " s, by: " + current.out().trim()
            + ". It is released when that deploy ends or its connection drops; try again later.");
      }
      return new ServerLock(held);
    } catch (InterruptedException e) {
      held.close();
      Thread.currentThread().interrupt();
      throw new DeployLockBusyException("Gave up waiting for the deploy lock (interrupted).");
    }
  }

  /** @return true while the lock is still held (its channel is open) */
  boolean held() {
    return held.isOpen();
  }

  @Override
  public void close() {
    held.close();
  }
}
