package io.potions.event;

import java.util.function.Predicate;

/**
 * Which events a subscriber wants. A null part matches anything.
 *
 * @param server the server's name, or null for every server
 * @param app the app's name, or null for every app (and for events about no app)
 * @param operation one operation's id (a deployment's id), or null for every operation
 */
public record EventFilter(String server, String app, String operation) implements Predicate<PotionsEvent> {
  /** @return every event */
  public static EventFilter all() {
    return new EventFilter(null, null, null);
  }

  /**
   * @param server a server's name
   * @return that server's events (its provisioning and every app's)
   */
  public static EventFilter server(String server) {
    return new EventFilter(server, null, null);
  }

  /**
   * @param server a server's name
   * @param app an app's name
   * @return that app's events
   */
  public static EventFilter app(String server, String app) {
    return new EventFilter(server, app, null);
  }

  /**
   * @param operation a deployment's id (or another operation's)
   * @return that operation's events
   */
  public static EventFilter operation(String operation) {
    return new EventFilter(null, null, operation);
  }

  @Override
  public boolean test(PotionsEvent e) {
    return (server == null || server.equals(e.server())) && (app == null || app.equals(e.app()))
        && (operation == null || operation.equals(e.operation()));
  }
}
