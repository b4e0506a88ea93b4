package io.potions.app;

/**
 * How eval and the console reach an app's running release: each slot's node is distributed
 * ({@code RELEASE_DISTRIBUTION=name}) on a fixed loopback port (its slot port plus
 * {@link #DIST_PORT_OFFSET}) with epmd off, so no port mapper is shared between apps and nothing
 * listens publicly. The root helper's {@code rpc} and {@code remote} commands start the client node
 * as the app's user with the slot's env (its cookie). Pure: renders the values and commands.
 */
final class LiveNode {
  /** Blue's slot port is port+1, green's port+2: their nodes listen on port+5 and port+6. */
  static final int DIST_PORT_OFFSET = 4;
  /** The largest expression the root helper accepts. */
  static final int MAX_EXPRESSION_BYTES = 65_536;

  private LiveNode() {}

  /**
   * @param distPort the slot node's distribution port
   * @param userOptions the user's own {@code ELIXIR_ERL_OPTIONS}, or null; kept after ours
   * @return the slot's {@code ELIXIR_ERL_OPTIONS}
   */
  static String slotErlOptions(int distPort, String userOptions) {
    String ours = "-start_epmd false -erl_epmd_port " + distPort + " -kernel inet_dist_use_interface {127,0,0,1}";
    return userOptions == null || userOptions.isBlank() ? ours : ours + " " + userOptions.strip();
  }

  /** @return the command evaluating the expression sent on stdin in the slot's node */
  static String rpc(String app, Slot slot) {
    return AppScripts.helper("rpc", app, slot.id());
  }

  /** @return the command attaching a remote IEx shell to the slot's node (needs a terminal) */
  static String remote(String app, Slot slot) {
    return AppScripts.helper("remote", app, slot.id());
  }
}
