package io.potions.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a deploy (or rollback, or restart) is, as a person follows it: it waits in the queue, sends
 * the source, builds, migrates, starts and health-checks the new release, moves traffic, drains the
 * old slot, and ends done, failed or cancelled. A rollback goes from queued straight to verifying.
 */
public enum DeployStage {
  /** Waiting for the deploys ahead of it on the same server. */
  QUEUED,
  /** Sending the commit to the server. */
  UPLOADING,
  /** Building the release ({@code mix release}). */
  BUILDING,
  /** Running the migration against the app's database. */
  MIGRATING,
  /** Starting the release in the standby slot and health-checking it. */
  VERIFYING,
  /** Moving traffic to the new slot. */
  SWITCHING,
  /** Letting the old slot finish its requests, then stopping it. */
  DRAINING,
  /** The new release serves. */
  DONE,
  /** It failed; the live app serves as before (the record's error says so). */
  FAILED,
  /** It was cancelled before traffic moved; nothing of it was left behind. */
  CANCELLED;

  /** @return the lowercase name, as stored and shown ({@code building}) */
  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return true for done, failed and cancelled: nothing follows */
  public boolean terminal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  /**
   * @param id a stored name
   * @return the stage
   */
  @JsonCreator
  public static DeployStage of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return id();
  }
}
