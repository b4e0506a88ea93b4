package io.potions.app;

import io.potions.internal.shell.ScriptTemplate;
import io.potions.ssh.ExecResult;
import java.time.Duration;

/**
 * Stopping the old slot after a switch without making every long-lived client reconnect in the
 * same second: SIGTERM, the app's own drain (its stop timeout is set long enough for it), then the
 * connections still open at the app's deadline closed in batches over the reconnect window. Pure
 * renderers and their parser; {@link DeployEngine} runs them.
 */
final class SlotStop {
  /** systemd's margin past the shutdown timeout and the reconnect window, before it kills the slot. */
  static final long STOP_MARGIN_SECONDS = 30;

  private SlotStop() {}

  /**
   * @param shutdown how long the app may drain after SIGTERM
   * @param window the window over which leftovers are closed
   * @return the slot units' systemd stop timeout, in seconds
   */
  static long stopTimeoutSeconds(Duration shutdown, Duration window) {
    return Math.min(1800, Math.max(5, shutdown.toSeconds() + window.toSeconds() + STOP_MARGIN_SECONDS));
  }

  /**
   * @param app app name
   * @param shutdown the app's shutdown timeout
   * @param window the reconnect window
   * @return the script writing both slots' stop timeout (a no-op when it is already that)
   */
  static String setStopTimeout(String app, Duration shutdown, Duration window) {
    return AppScripts.helper("stop-timeout", app, Long.toString(stopTimeoutSeconds(shutdown, window)));
  }

  /**
   * @param app app name
   * @param slot the slot to stop
   * @param port its port
   * @param shutdown how long the app may drain after SIGTERM
   * @param window the window over which what is left is closed
   * @return the script; prints {@code open_at_deadline=}, {@code closed_by_potions=},
   *     {@code stop_seconds=} and {@code stopped=yes|no}
   */
  static String stop(String app, Slot slot, int port, Duration shutdown, Duration window) {
    return ScriptTemplate.load(SlotStop.class, "/io/potions/scripts/app/stop-spread.sh")
        .quoted("UNIT", "potions-app@" + app + "-" + slot.id() + ".service")
        .raw("PORT", Integer.toString(port))
        .raw("STOP_ASYNC", AppScripts.helper("unit-stop-async", app, slot.id()))
        .raw("STOP", AppScripts.helper("unit", "stop", app, slot.id()))
        .raw("SHUTDOWN_SECONDS", Long.toString(Math.max(1, shutdown.toSeconds())))
        .raw("WINDOW_SECONDS", Long.toString(window.toSeconds()))
        .raw("SPREAD", AppScripts.helper("conn-spread", app, Integer.toString(port), Long.toString(window.toMillis())))
        .render();
  }

  /**
   * What the stop saw.
   *
   * @param openAtDeadline connections still open when the app's shutdown timeout ended (-1: unknown)
   * @param closedByPotions how many of them Potions closed, in batches over the window
   * @param seconds how long the stop took
   * @param stopped whether the slot stopped
   */
  record Outcome(int openAtDeadline, int closedByPotions, int seconds, boolean stopped) {
    /**
     * @param result the result of {@link #stop}
     * @return what it printed
     */
    static Outcome parse(ExecResult result) {
      return new Outcome(number(result, "open_at_deadline"), Math.max(0, number(result, "closed_by_potions")),
          Math.max(0, number(result, "stop_seconds")), result.marker("stopped").map("yes"::equals).orElse(false));
    }

    private static int number(ExecResult result, String key) {
      return result.marker(key).filter(v -> v.matches("\\d{1,9}")).map(Integer::parseInt).orElse(-1);
    }

    /** @return one line for the deployment's log */
    String describe(String slot, Duration shutdown, Duration window) {
      String how = openAtDeadline <= 0
          ? "it closed its own connections within its shutdown timeout of " + shutdown.toSeconds() + " s"
          : openAtDeadline + " connection(s) were still open at its shutdown deadline of " + shutdown.toSeconds()
              + " s; Potions closed " + closedByPotions + " of them in batches over " + window.toSeconds() + " s";
      return "old " + slot + " slot " + (stopped ? "stopped" : "NOT stopped") + " after " + seconds + " s: " + how;
    }
  }
}
