package io.potions.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.progress.ProgressEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event stream's promises: ids in order, catch-up without gaps or duplicates, filters, no blocking. */
class EventStreamTest {
  private final EventStream stream = new EventStream();

  @AfterEach
  void close() {
    stream.close();
  }

  private static ProgressEvent line(String text) {
    return new ProgressEvent.StepOutput("s1", "build", text);
  }

  /** Waits until the list has n elements (delivery is on the stream's threads). */
  private static void awaitSize(List<?> list, int n) throws InterruptedException {
    for (int i = 0; i < 1000 && list.size() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(list).hasSize(n);
  }

  @Test
  void aSubscriberJoiningWhileManyThreadsPublishGetsEveryLaterEventOnceInOrder() throws Exception {
    ExecutorService publishers = Executors.newFixedThreadPool(4);
    CountDownLatch halfway = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      done.add(publishers.submit(() -> {
        for (int i = 0; i < 2_000; i++) {
          stream.publish("s" + thread, "app" + thread, "op" + thread, line(thread + ":" + i));
          if (thread == 0 && i == 1_000) {
            halfway.countDown();
          }
        }
      }));
    }
    halfway.await();
    long seen = stream.lastId() / 2;
    List<Long> ids = new CopyOnWriteArrayList<>();
    try (EventStream.Subscription s = stream.subscribe(EventFilter.all(), seen, e -> ids.add(e.id()))) {
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
      publishers.shutdown();
      awaitSize(ids, (int) (8_000 - seen));
      for (int i = 0; i < ids.size(); i++) {
        assertThat(ids.get(i)).as("event %d after the resume point", i).isEqualTo(seen + 1 + i);
      }
    }
  }

  @Test
  void filtersSelectAServerAnAppOrAnOperation() throws Exception {
    List<PotionsEvent> app = new CopyOnWriteArrayList<>();
    List<PotionsEvent> server = new CopyOnWriteArrayList<>();
    stream.subscribe(EventFilter.app("s1", "shop"), app::add);
    stream.subscribe(EventFilter.server("s2"), server::add);
    stream.publish("s1", "shop", "d1", line("shop on s1"));
    stream.publish("s1", "blog", "d2", line("blog on s1"));
    stream.publish("s2", "shop", "d3", line("shop on s2"));
    stream.publish("s2", null, "provision-s2", line("provisioning s2"));
    awaitSize(app, 1);
    awaitSize(server, 2);
    assertThat(app.get(0).operation()).isEqualTo("d1");
    assertThat(server).extracting(PotionsEvent::operation).containsExactly("d3", "provision-s2");
  }

  @Test
  void aPageOpenedMidDeployGetsTheDeploymentFromItsFirstEventThenFollows() throws Exception {
    stream.publish("s1", "shop", "d1", line("first"));
    stream.publish("s1", "blog", "d2", line("another app"));
    stream.publish("s1", "shop", "d1", line("second"));
    List<String> lines = new CopyOnWriteArrayList<>();
    stream.followOperation("d1", 0, e -> lines.add(((ProgressEvent.StepOutput) e.event()).line()));
    stream.publish("s1", "shop", "d1", line("third"));
    awaitSize(lines, 3);
    assertThat(lines).containsExactly("first", "second", "third");
    assertThat(stream.operationEvents("d1")).hasSize(3);
  }

  @Test
  void aBlockedSubscriberBlocksNeitherThePublisherNorOtherSubscribers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> slow = new CopyOnWriteArrayList<>();
    List<Long> fast = new CopyOnWriteArrayList<>();
    stream.subscribe(EventFilter.all(), e -> {
      try {
        release.await();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      slow.add(e.id());
    });
    stream.subscribe(EventFilter.all(), e -> fast.add(e.id()));
    for (int i = 0; i < 500; i++) {
      stream.publish("s1", "shop", "d1", line("line " + i));
    }
    // The publisher got here while the slow subscriber is still stuck on its first event.
    awaitSize(fast, 500);
    assertThat(slow).isEmpty();
    release.countDown();
    awaitSize(slow, 500);
    assertThat(slow).isSorted();
  }

  @Test
  void aSubscriberThatThrowsKeepsReceiving() throws Exception {
    List<Long> got = new CopyOnWriteArrayList<>();
    stream.subscribe(EventFilter.all(), e -> {
      got.add(e.id());
      throw new IllegalStateException("host bug");
    });
    stream.publish("s1", "shop", "d1", line("a"));
    stream.publish("s1", "shop", "d1", line("b"));
    awaitSize(got, 2);
  }
}
