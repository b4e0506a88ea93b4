package io.potions.event;

import io.potions.progress.ProgressEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every event of one {@link io.potions.Potions} instance, from every server and app, in one
 * ordered stream. Each event gets the next id. A subscriber is called on a thread of the stream,
 * one event at a time, in id order; a slow subscriber delays only itself, never the operation that
 * published the event nor the other subscribers.
 *
 * <p>A late subscriber catches up, then follows: {@link #subscribe(EventFilter, long, Consumer)}
 * replays the kept events after the id it last saw, and {@link #followOperation(String, long,
 * Consumer)} replays one deployment from its first event (queued, every log line) before going
 * live. Replay and registration happen under the same lock as publishing, so nothing is missed or
 * delivered twice. What is kept is bounded: the last {@value #RECENT_KEPT} events of the stream, and
 * for each of the last {@value #OPERATIONS_KEPT} operations up to {@value #OPERATION_EVENTS_KEPT}
 * events. Older deployments are read from their record on the server ({@code app.deployments()}).
 */
public final class EventStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);
  static final int RECENT_KEPT = 10_000;
  static final int OPERATIONS_KEPT = 200;
  static final int OPERATION_EVENTS_KEPT = 6_000;

  private final Object lock = new Object();
  private final ArrayDeque<PotionsEvent> recent = new ArrayDeque<>();
  private final Map<String, List<PotionsEvent>> operations = new LinkedHashMap<>();
  private final List<Sub> subscribers = new CopyOnWriteArrayList<>();
  private final ExecutorService delivery = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "potions-events");
    t.setDaemon(true);
    return t;
  });
  private long lastId;

  /** A stream with no events yet. */
  public EventStream() {}

  /** A subscription; close it to stop receiving events. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Publishes an event to every matching subscriber (called by the SDK; a host app may publish its
   * own operations' events too). Never blocks on a subscriber.
   *
   * @param server the server's name
   * @param app the app, or null
   * @param operation the operation's id
   * @param event what happened
   * @return the published event, with its id
   */
  public PotionsEvent publish(String server, String app, String operation, ProgressEvent event) {
    Objects.requireNonNull(event, "event");
    PotionsEvent published;
    synchronized (lock) {
      published = new PotionsEvent(++lastId, Instant.now(), server, app, operation, event);
      recent.addLast(published);
      if (recent.size() > RECENT_KEPT) {
        recent.removeFirst();
      }
      if (operation != null) {
        List<PotionsEvent> kept = operations.computeIfAbsent(operation, k -> new ArrayList<>());
        if (kept.size() < OPERATION_EVENTS_KEPT) {
          kept.add(published);
        } else if (event instanceof ProgressEvent.StageChanged) {
          // The log is capped; the stages never are, so a late page still sees how it ended.
          kept.add(published);
        }
        if (operations.size() > OPERATIONS_KEPT) {
          Iterator<String> oldest = operations.keySet().iterator();
          oldest.next();
          oldest.remove();
        }
      }
      for (Sub sub : subscribers) {
        if (sub.filter.test(published)) {
          sub.offer(published);
        }
      }
    }
    return published;
  }

  /**
   * Follows matching events from now on.
   *
   * @param filter which events
   * @param consumer receives them, in order, on a thread of the stream
   * @return the subscription
   */
  public Subscription subscribe(EventFilter filter, Consumer<PotionsEvent> consumer) {
    return register(filter, consumer, () -> List.of());
  }

  /**
   * Replays the kept matching events with an id above {@code afterId}, then follows.
   *
   * @param filter which events
   * @param afterId the last id the subscriber saw (0: everything kept)
   * @param consumer receives them, in order, on a thread of the stream
   * @return the subscription
   */
  public Subscription subscribe(EventFilter filter, long afterId, Consumer<PotionsEvent> consumer) {
    return register(filter, consumer,
        () -> recent.stream().filter(e -> e.id() > afterId && filter.test(e)).toList());
  }

  /**
   * Replays one operation (a deployment) from its first event, or from after {@code afterId}, then
   * follows it live: what a page opened in the middle of a deploy needs.
   *
   * @param operation the deployment's id
   * @param afterId the last id the subscriber saw (0: from the start)
   * @param consumer receives the events, in order, on a thread of the stream
   * @return the subscription
   */
  public Subscription followOperation(String operation, long afterId, Consumer<PotionsEvent> consumer) {
    Objects.requireNonNull(operation, "operation");
    return register(EventFilter.operation(operation), consumer,
        () -> operations.getOrDefault(operation, List.of()).stream().filter(e -> e.id() > afterId).toList());
  }

  /**
   * @param operation an operation's id
   * @return its kept events, oldest first (empty when unknown to this instance)
   */
  public List<PotionsEvent> operationEvents(String operation) {
    synchronized (lock) {
      return List.copyOf(operations.getOrDefault(operation, List.of()));
    }
  }

  /** @return the id of the last event published (0 before the first) */
  public long lastId() {
    synchronized (lock) {
      return lastId;
    }
  }

  private Subscription register(EventFilter filter, Consumer<PotionsEvent> consumer,
      java.util.function.Supplier<List<PotionsEvent>> replay) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(consumer, "consumer");
    Sub sub = new Sub(filter, consumer);
    synchronized (lock) {
      replay.get().forEach(sub::offer);
      subscribers.add(sub);
    }
    return () -> {
      sub.closed.set(true);
      subscribers.remove(sub);
    };
  }

  /** Stops delivering events. */
  @Override
  public void close() {
    subscribers.forEach(s -> s.closed.set(true));
    subscribers.clear();
    delivery.shutdown();
  }

  /** One subscriber: its own queue, drained by at most one delivery task at a time (so in order). */
  private final class Sub {
    final EventFilter filter;
    final Consumer<PotionsEvent> consumer;
    final Queue<PotionsEvent> pending = new ConcurrentLinkedQueue<>();
    final AtomicBoolean draining = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    Sub(EventFilter filter, Consumer<PotionsEvent> consumer) {
      this.filter = filter;
      this.consumer = consumer;
    }

    void offer(PotionsEvent e) {
      if (closed.get()) {
        return;
      }
      pending.add(e);
      schedule();
    }

    private void schedule() {
      if (draining.compareAndSet(false, true)) {
        try {
          delivery.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          draining.set(false);
        }
      }
    }

    private void drain() {
      try {
        PotionsEvent e;
        while (!closed.get() && (e = pending.poll()) != null) {
          try {
            consumer.accept(e);
          } catch (RuntimeException failure) {
            log.warn("event subscriber threw {}; it keeps its subscription", failure.toString());
          }
        }
      } finally {
        draining.set(false);
      }
      // An event offered after the loop's last poll and before the flag dropped is not stranded.
      if (!closed.get() && !pending.isEmpty()) {
        schedule();
      }
    }
  }
}
