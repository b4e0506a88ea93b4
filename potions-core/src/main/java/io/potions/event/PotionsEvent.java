package io.potions.event;

import io.potions.progress.ProgressEvent;
import java.time.Instant;
import java.util.Optional;

/**
 * One event of a {@link io.potions.Potions}'s {@link EventStream}: a {@link ProgressEvent} with where it
 * happened and an id. Ids increase by one per event of the stream, so a subscriber that remembers
 * the last id it saw can resume without gaps or duplicates (server-sent events' {@code Last-Event-ID}).
 *
 * @param id this event's id, increasing by one per event of the stream
 * @param at when it was published
 * @param server the server's name
 * @param app the app it is about, or null (provisioning)
 * @param operation the operation it belongs to: a deployment's id, or {@code provision-...}
 * @param event what happened
 */
public record PotionsEvent(long id, Instant at, String server, String app, String operation, ProgressEvent event) {

  /** @return the app, when the event is about one */
  public Optional<String> appName() {
    return Optional.ofNullable(app);
  }
}
