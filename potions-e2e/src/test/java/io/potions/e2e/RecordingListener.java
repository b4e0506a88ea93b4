package io.potions.e2e;

import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every progress event, for assertions. */
final class RecordingListener implements ProgressListener {
  final List<ProgressEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(ProgressEvent event) {
    events.add(event);
  }

  <T extends ProgressEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
