package io.potions.app;

import static io.potions.internal.shell.Shell.quote;

import io.potions.PotionsException;
import io.potions.internal.provision.ServerLayout;
import io.potions.ssh.OutputListener;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.RemoteProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The server-wide deploy lock: an {@code flock} held by a command that lives as long as its SSH
 * channel. It serializes deploys across processes and machines; it is released when closed, and
 * also when the holder dies (its connection drops, sshd ends the command), so a stale lock never
 * blocks forever. The holder is recorded on the server for whoever waits.
 *
 * <p>Because a dropped connection frees the lock, holding it is a fact to check, not an assumption:
 * {@link #check(String)} is called before each step that must not run unlocked.
 */
final class DeployLock implements AutoCloseable {
  static final String LOCK_FILE = ServerLayout.STATE + "/deploy.lock";
  static final String HOLDER_FILE = ServerLayout.STATE + "/deploy.holder";
  private static final String LOCKED = "POTIONS_LOCKED";
  private static final String WAITING = "POTIONS_LOCK_BUSY";
  static final String PRINTED = "POTIONS_PRINTED";
  static final String PRINT_FAILED = "POTIONS_PRINT_FAILED";
  /** flock's exit status when the lock is taken by someone else (not a status the holder exits with). */
  private static final int BUSY_EXIT = 75;
  /** The longest a lock is held; the server ends the holding command after it. */
  private static final Duration MAX_HOLD = Duration.ofHours(12);

  private final RemoteProcess held;
  private final List<String> printed;

  private DeployLock(RemoteProcess held, List<String> printed) {
    this.held = held;
    this.printed = printed;
  }

  /**
   * One command takes the lock: it tries at once, and only when the lock is busy says who holds it
   * (a {@value #WAITING} line) and waits. Once it holds the lock it runs {@code thenPrint} (if any)
   * and ends its output with {@value #PRINTED} or {@value #PRINT_FAILED}: what a deploy must read
   * under the lock arrives in the same round trip, which is most of an instant rollback's budget.
   */
  static String render(String holder, Duration wait, String thenPrint) {
    String then = thenPrint == null ? ""
        : "if (\nset -euo pipefail\n" + thenPrint + "\n); then echo " + PRINTED + "; else echo " + PRINT_FAILED + "; fi; ";
    String inner = "printf '%s\\n' \"$1\" > " + quote(HOLDER_FILE) + "; echo " + LOCKED + "; " + then + "exec cat >/dev/null";
    String take = " " + quote(LOCK_FILE) + " bash -c " + quote(inner) + " potions-lock " + quote(holder);
    return "flock -n -E " + BUSY_EXIT + take + "\n"
        + "rc=$?; [ \"$rc\" -eq " + BUSY_EXIT + " ] || exit \"$rc\"\n"
        + "echo \"" + WAITING + " $(cat " + quote(HOLDER_FILE) + " 2>/dev/null)\"\n"
        + "exec flock -w " + Math.max(1, wait.toSeconds()) + take;
  }

  static String render(String holder, Duration wait) {
    return render(holder, wait, null);
  }

  /**
   * @param server the server, as the deploy user
   * @param holder who takes it, for whoever waits
   * @param wait how long to wait at most
   * @param onWaiting told who holds it when it is busy
   * @return the lock, held until closed
   * @throws DeployLockBusyException when the wait ran out
   */
  static DeployLock acquire(RemoteExecutor server, String holder, Duration wait, Consumer<String> onWaiting) {
    return acquire(server, holder, wait, onWaiting, null);
  }

  /**
   * @param server the server, as the deploy user
   * @param holder who takes it, for whoever waits
   * @param wait how long to wait at most
   * @param onWaiting told who holds it when it is busy
   * @param thenPrint a script run once the lock is held, whose output {@link #printed()} returns
   *     (null: none)
   * @return the lock, held until closed
   * @throws DeployLockBusyException when the wait ran out
   * @throws PotionsException when {@code thenPrint} failed (the lock is released)
   */
  static DeployLock acquire(RemoteExecutor server, String holder, Duration wait, Consumer<String> onWaiting,
      String thenPrint) {
    List<String> printed = new CopyOnWriteArrayList<>();
    AtomicBoolean locked = new AtomicBoolean();
    RemoteProcess held = server.hold(RemoteCommand.of("Holding the deploy lock", render(holder, wait, thenPrint))
        .limit(MAX_HOLD).fencing(), (stream, line) -> {
          if (line.startsWith(WAITING + " ")) {
            onWaiting.accept(line.substring(WAITING.length() + 1).trim());
          } else if (line.equals(LOCKED)) {
            locked.set(true);
          } else if (locked.get() && stream == OutputListener.Stream.STDOUT && !line.equals(PRINTED)
              && !line.equals(PRINT_FAILED)) {
            printed.add(line);
          }
        });
    try {
      String line = held.awaitLine(LOCKED::equals, wait.plusSeconds(30));
      if (line == null) {
        held.close();
        var current = server.run(RemoteCommand.of("Reading the lock's holder",
            "cat " + quote(HOLDER_FILE) + " 2>/dev/null || true"));
        throw new DeployLockBusyException("The deploy lock on " + server.host()
            + " is still held after waiting " + wait.toSeconds() + " s, by: " + current.out().trim()
            + ". It is released when that deploy ends or its connection drops; try again later.");
      }
      if (thenPrint != null && !PRINTED.equals(held.awaitLine(l -> l.equals(PRINTED) || l.equals(PRINT_FAILED),
          Duration.ofSeconds(60)))) {
        held.close();
        throw new PotionsException("Reading what the deploy needs on " + server.host() + " under the deploy lock"
            + " failed (a file the deploy user cannot read?); the lock was let go and nothing was changed.");
      }
      return new DeployLock(held, List.copyOf(printed));
    } catch (InterruptedException e) {
      held.close();
      Thread.currentThread().interrupt();
      throw new DeployLockBusyException("Gave up waiting for the deploy lock (interrupted).");
    }
  }

  /**
   * @return what the {@code thenPrint} script printed once the lock was held (empty without one,
   *     or from an executor whose held commands print nothing, such as the in-memory one of unit tests)
   */
  List<String> printed() {
    return printed;
  }

  /** @return true while the lock is still held (its command runs on a live connection) */
  boolean held() {
    return held.isOpen();
  }

  /**
   * @param before what is about to happen, for the message
   * @throws LockLostException when the lock is no longer held
   */
  void check(String before) {
    if (!held()) {
      throw new LockLostException("The deploy lock was lost (its SSH connection dropped) before " + before
          + "; stopped there, so another deploy that may have taken the lock is not disturbed.");
    }
  }

  @Override
  public void close() {
    held.close();
  }

  /** The lock was lost while a deploy held it. */
  static final class LockLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LockLostException(String message) {
      super(message, null, false, false);
    }
  }
}
