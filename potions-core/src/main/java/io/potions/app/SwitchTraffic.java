package io.potions.app;

import java.util.List;

/**
 * What the app served while a deploy switched traffic, counted from the proxy's access log for the
 * app's domains on the server: every deploy carries its own proof of zero downtime.
 *
 * @param requests requests that ended inside the switch window (from the flip until the old slot
 *     stopped)
 * @param failed those answered 5xx (502: the proxy could not reach a slot) or with no response at all
 * @param failures up to 10 examples of failed requests ({@code status method host uri})
 * @param windowSeconds the window's length, in seconds
 */
public record SwitchTraffic(long requests, long failed, List<String> failures, double windowSeconds) {
  /** @return one line for people */
  public String summary() {
    return requests + " request(s) during the " + String.format(java.util.Locale.ROOT, "%.1f", windowSeconds)
        + " s switch window, " + failed + " failed" + (failures.isEmpty() ? "" : " " + failures);
  }
}
