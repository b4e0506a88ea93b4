package io.potions.app;

import io.potions.internal.engine.DeployQueue;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.secret.Redactor;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import java.util.function.Consumer;

/**
 * The server an app runs on, for unit tests: commands go to a {@link FakeServer}, and the proxy
 * must never be touched (a deploy moves traffic through the root helper, not the proxy's config).
 */
final class FakeServerContext implements ServerContext {
  /** Receives what the engine publishes: the app, the operation id and the event. */
  interface Publisher {
    void publish(String app, String operation, ProgressEvent event);
  }

  private final RemoteExecutor server;
  private final ReleaseBuilder builder;
  private final DeployQueue queue;
  private final ProgressListener listener;
  private final Publisher publisher;

  private FakeServerContext(RemoteExecutor server, ReleaseBuilder builder, DeployQueue queue,
      ProgressListener listener, Publisher publisher) {
    this.server = server;
    this.builder = builder;
    this.queue = queue;
    this.listener = listener;
    this.publisher = publisher;
  }

  /** Events go to {@code listener} only. */
  static FakeServerContext listening(RemoteExecutor server, ReleaseBuilder builder, DeployQueue queue,
      Consumer<ProgressEvent> listener) {
    return new FakeServerContext(server, builder, queue, listener::accept, null);
  }

  /** Events go to {@code publisher} with their app and operation (an event stream). */
  static FakeServerContext publishing(RemoteExecutor server, ReleaseBuilder builder, DeployQueue queue,
      Publisher publisher) {
    return new FakeServerContext(server, builder, queue, ProgressListener.NONE, publisher);
  }

  @Override
  public String serverName() {
    return "fake";
  }

  @Override
  public RemoteExecutor executor() {
    return server;
  }

  @Override
  public ReverseProxy proxy() {
    throw new AssertionError("a deploy never changes the proxy's configuration");
  }

  @Override
  public ReleaseBuilder releaseBuilder() {
    return builder;
  }

  @Override
  public ProgressListener listener() {
    return listener;
  }

  @Override
  public Redactor redactor() {
    return new Redactor();
  }

  @Override
  public DeployQueue queue() {
    return queue;
  }

  @Override
  public void publish(String app, String operation, ProgressEvent event) {
    if (publisher == null) {
      ServerContext.super.publish(app, operation, event);
    } else {
      publisher.publish(app, operation, event);
    }
  }
}
