package io.potions.internal.engine;

import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.secret.Redactor;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;

/**
 * What an {@link io.potions.app.App} needs from its server. Implemented by {@link io.potions.Server}; not meant
 * for callers.
 */
public interface ServerContext {
  /** @return the server's name, for progress events */
  String serverName();

  /** @return the executor logged in as the deploy user, the only user app operations need */
  RemoteExecutor executor();

  /** @return the server's reverse proxy */
  ReverseProxy proxy();

  /** @return the base domain under which every app also answers ({@code <app>.<base>}), if one is set */
  default java.util.Optional<String> baseDomain() {
    return java.util.Optional.empty();
  }

  /** @return where releases are built */
  ReleaseBuilder releaseBuilder();

  /**
   * @param name the builder an app's settings ask for, or empty for the default
   * @return that builder
   * @throws io.potions.InvalidInputException when none has that name
   */
  default ReleaseBuilder releaseBuilder(java.util.Optional<String> name) {
    ReleaseBuilder b = releaseBuilder();
    return (b instanceof ReleaseBuilders all ? all : new ReleaseBuilders(b, java.util.List.of())).select(name);
  }

  /** @return where progress goes */
  ProgressListener listener();

  /** @return the masker for secrets */
  Redactor redactor();

  /** @return the server's in-process deploy queue */
  DeployQueue queue();

  /**
   * Tells the listener, and the instance's event stream where there is one, what an operation did.
   *
   * @param app the app, or null
   * @param operation the operation's id (a deployment's)
   * @param event what happened
   */
  default void publish(String app, String operation, ProgressEvent event) {
    listener().onEvent(event);
  }
}
