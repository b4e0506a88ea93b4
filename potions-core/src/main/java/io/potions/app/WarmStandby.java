package io.potions.app;

import java.time.Duration;
import java.util.Optional;

/**
 * Instant rollback: after a switch, the previous release may be kept running in the standby slot
 * for a window the user chooses (its memory is the cost), so a rollback within the window is a
 * route flip, with no start and no health check. The root helper's {@code warm} command stops it
 * at the end of the window with a transient systemd timer, unless traffic went back to it; the next
 * deploy cancels that timer before it reuses the slot. Values and commands only.
 */
final class WarmStandby {
  /** The longest window: a warm slot holds a whole release's memory. */
  static final Duration MAX_WINDOW = Duration.ofDays(7);

  private WarmStandby() {}

  /** @return the file holding the window, in seconds (absent: no warm standby) */
  static String settingFile(String app) {
    return AppScripts.dir(app) + "/warm-standby-seconds";
  }

  /** @return the file naming the slot kept warm and its release ("slot release", one line) */
  static String stateFile(String app) {
    return AppScripts.dir(app) + "/warm-standby";
  }

  /**
   * @param content the setting file's content, or empty
   * @return the window in seconds, 0 when off or unreadable
   */
  static long parseWindow(Optional<String> content) {
    String s = content.map(String::strip).orElse("");
    return s.matches("\\d{1,7}") ? Long.parseLong(s) : 0;
  }

  /**
   * @param content the state file's content
   * @param slot the standby slot
   * @return the release kept warm in that slot, if the file names it
   */
  static Optional<String> warmRelease(Optional<String> content, Slot slot) {
    String[] parts = content.map(String::strip).orElse("").split(" ");
    return parts.length == 2 && parts[0].equals(slot.id()) ? Optional.of(parts[1]) : Optional.empty();
  }

  /** @return the command stopping the slot after the window unless it is live by then */
  static String expireAfter(String app, Slot slot, long seconds) {
    return AppScripts.helper("warm", app, slot.id(), Long.toString(seconds));
  }

  /** @return the command cancelling a pending stop of the slot */
  static String cancel(String app, Slot slot) {
    return AppScripts.helper("warm", app, slot.id(), "0");
  }
}
