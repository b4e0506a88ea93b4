package io.potions.spi;

import java.util.List;

/**
 * What the reverse proxy must do for one app: send its domains to its stable loopback port.
 *
 * @param app the app name
 * @param domains the host names it answers to
 * @param upstreamPort the app's stable port on the server's loopback (the live slot sits behind it)
 * @param https whether to obtain certificates and redirect HTTP to HTTPS for these domains
 */
public record AppRoute(String app, List<String> domains, int upstreamPort, boolean https) {
  /**
   * @param app the app name
   * @param domains the host names it answers to
   * @param upstreamPort the app's stable port
   * @param https whether to serve HTTPS
   */
  public AppRoute {
    domains = List.copyOf(domains);
  }
}
