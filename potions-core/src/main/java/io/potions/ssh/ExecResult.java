package io.potions.ssh;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one remote command. The output is raw (it is data the SDK reads): redact it
 * before it reaches a log or a message.
 *
 * @param exitStatus the command's exit status
 * @param stdout its standard output lines
 * @param stderr its standard error lines
 * @param duration how long it ran
 */
public record ExecResult(int exitStatus, List<String> stdout, List<String> stderr, Duration duration) {
  /** @return true when the exit status is 0 */
  public boolean ok() {
    return exitStatus == 0;
  }

  /** @return true when the server's time limit ended it (coreutils timeout: 124, or 137 after KILL) */
  public boolean timedOut() {
    return exitStatus == 124 || exitStatus == 137;
  }

  /**
   * The value of the last {@code KEY=value} marker line a script printed on standard output.
   *
   * @param key the marker's key, such as {@code POTIONS_RELEASE_NAME}
   * @return its value, or empty when the script printed none
   */
  public java.util.Optional<String> marker(String key) {
    String prefix = key + "=";
    for (int i = stdout.size() - 1; i >= 0; i--) {
      if (stdout.get(i).startsWith(prefix)) {
        return java.util.Optional.of(stdout.get(i).substring(prefix.length()).trim());
      }
    }
    return java.util.Optional.empty();
  }

  /** @return standard output joined with newlines */
  public String out() {
    return String.join("\n", stdout);
  }

  /**
   * @param n how many lines
   * @return the last {@code n} lines of stdout and stderr, for error messages
   */
  public String tail(int n) {
    List<String> all = new java.util.ArrayList<>(stdout);
    all.addAll(stderr);
    return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
  }
}
