package io.potions.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One thing to run on a server, as a value: what it does (for people and error messages), the bash
 * script, whether it needs root, its time limit (enforced on the server) and what goes on its
 * standard input. Renderers build these; a {@link RemoteExecutor} runs them. Secrets travel on
 * standard input, never in the script, where other users of the server could read them in the
 * process list.
 */
public final class RemoteCommand {
  /** The time limit a command gets unless it asks for another. */
  public static final Duration DEFAULT_LIMIT = Duration.ofMinutes(2);

  private final String what;
  private final String script;
  private final boolean asRoot;
  private final Duration limit;
  private final byte[] stdin;
  private final boolean fencing;

  private RemoteCommand(String what, String script, boolean asRoot, Duration limit, byte[] stdin, boolean fencing) {
    this.what = Objects.requireNonNull(what, "what");
    this.script = Objects.requireNonNull(script, "script");
    this.asRoot = asRoot;
    this.limit = Objects.requireNonNull(limit, "limit");
    this.stdin = stdin;
    this.fencing = fencing;
  }

  /**
   * @param what what the script does, such as "Starting the blue slot"
   * @param script bash text (run under strict mode)
   * @return a command run as the login user with the default limit and no input
   */
  public static RemoteCommand of(String what, String script) {
    return new RemoteCommand(what, script, false, DEFAULT_LIMIT, null, false);
  }

  /** @return the same command, run as root (through {@code sudo -n} unless logged in as root) */
  public RemoteCommand asRoot() {
    return new RemoteCommand(what, script, true, limit, stdin, fencing);
  }

  /**
   * @param newLimit the time limit; the server kills the command when it passes
   * @return the same command with that limit
   */
  public RemoteCommand limit(Duration newLimit) {
    return new RemoteCommand(what, script, asRoot, newLimit, stdin, fencing);
  }

  /**
   * @param input bytes for standard input (copied)
   * @return the same command reading {@code input}
   */
  public RemoteCommand stdin(byte[] input) {
    return new RemoteCommand(what, script, asRoot, limit, input == null ? null : input.clone(), fencing);
  }

  /**
   * For a held command that guards other work (the deploy lock): while it is held, the executor
   * must not reconnect silently when the connection drops, since the drop ended the command.
   *
   * @return the same command, fencing
   */
  public RemoteCommand fencing() {
    return new RemoteCommand(what, script, asRoot, limit, stdin, true);
  }

  /** @return true when, held, it fences its connection against silent reconnects */
  public boolean isFencing() {
    return fencing;
  }

  /** @return what the command does, for people */
  public String what() {
    return what;
  }

  /** @return the bash script */
  public String script() {
    return script;
  }

  /** @return true when it runs as root */
  public boolean runsAsRoot() {
    return asRoot;
  }

  /** @return its time limit */
  public Duration limit() {
    return limit;
  }

  /** @return a copy of its standard input, or {@code null} */
  public byte[] stdin() {
    return stdin == null ? null : stdin.clone();
  }

  /** Never shows the input: it may be a secret. */
  @Override
  public String toString() {
    return "RemoteCommand[" + what + (asRoot ? ", as root" : "") + ", limit " + limit.toSeconds() + " s"
        + (stdin == null ? "" : ", " + stdin.length + " bytes of input") + "]";
  }
}
