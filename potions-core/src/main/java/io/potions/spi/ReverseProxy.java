package io.potions.spi;

import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.util.List;

/**
 * The web front of a server: terminates TLS and routes each app's domains to its live slot.
 * Caddy ({@code potions-caddy}) is the implementation the SDK ships; it is found through
 * {@link java.util.ServiceLoader} when none is given explicitly.
 */
public interface ReverseProxy {
  /** @return a short name for logs and progress, such as {@code caddy} */
  String name();

  /**
   * The idempotent steps that install and configure this proxy, run after the base bootstrap.
   *
   * @param distribution the server's distribution
   * @return the steps, in order
   */
  List<BootstrapStep> bootstrapSteps(Distribution distribution);

  /** @return a bash command that prints the proxy's version on one line */
  String versionCommand();

  /**
   * Creates or replaces the app's route. Called when an app is created or its domains change, not
   * on deploys: the live slot is switched underneath the stable upstream port, so the proxy's
   * configuration (and its clients' keep-alive connections) are left alone by a deploy.
   *
   * @param route the app's domains and upstream
   * @param server runs the rendered commands on the server
   */
  void applyRoute(AppRoute route, RemoteExecutor server);

  /**
   * Removes the app's route; removing one that does not exist is not an error.
   *
   * @param app the app name
   * @param server runs the rendered commands on the server
   */
  void removeRoute(String app, RemoteExecutor server);

  /**
   * Puts the app's domains in maintenance (every request answered with the page, status 503 and
   * {@code Retry-After}) or takes them out of it. The app's own route is left as it is, so turning
   * maintenance off restores it exactly. Idempotent.
   *
   * @param route the app's route (its domains)
   * @param page the page to serve, or empty to end maintenance
   * @param server runs the rendered commands on the server
   * @throws UnsupportedOperationException when this proxy has no maintenance mode
   */
  default void applyMaintenance(AppRoute route, java.util.Optional<MaintenancePage> page, RemoteExecutor server) {
    throw new UnsupportedOperationException(name() + " has no maintenance mode");
  }

  /**
   * A proxy like this one that obtains the certificates of HTTPS apps from the given ACME directory.
   *
   * @param acme the ACME directory, its root and account email
   * @return the configured proxy
   * @throws UnsupportedOperationException when this proxy takes no ACME settings
   */
  default ReverseProxy withAcme(io.potions.app.domain.AcmeSettings acme) {
    throw new UnsupportedOperationException(name() + " takes no ACME settings");
  }
}
