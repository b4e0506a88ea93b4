package io.potions.github.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The N keys seen most recently (an LRU): delivery ids, to drop GitHub's redeliveries of an event
 * already handled, and pushes (repository, ref, commit), to drop a replay under a fresh id.
 */
final class DeliveryLog {
  private final Map<String, Boolean> ids;

  DeliveryLog(int capacity) {
    this.ids = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** @return true when the key is new (and now remembered), false for a repeat */
  synchronized boolean add(String id) {
    return ids.putIfAbsent(id, Boolean.TRUE) == null;
  }

  /** Forgets a key whose handling failed, so that a redelivery is handled. */
  synchronized void remove(String id) {
    ids.remove(id);
  }

  synchronized int size() {
    return ids.size();
  }
}
