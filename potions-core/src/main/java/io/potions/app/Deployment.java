package io.potions.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One deploy (or rollback, or restart) of an app, as kept in the app's history on the server.
 *
 * @param id unique id, also the release id when it built one
 * @param app app name
 * @param kind a deploy, a rollback or a restart
 * @param ref the ref the caller asked for
 * @param commit the commit SHA deployed
 * @param status how it ended
 * @param slot the slot the release went to
 * @param startedBy who started it ({@code user@host})
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param stages each stage with its timing
 * @param bytesSent bytes of source sent to the server
 * @param releaseBytes size of the release on disk
 * @param error what went wrong, or null
 * @param log the deployment's log lines (build output included, redacted)
 * @param timeline the stages it went through (queued, building... done), each with its timing;
 *     empty in records written before timelines were kept
 * @param traffic what the app served during the switch window, from the proxy's access log; null
 *     when traffic did not move or the log could not be read
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Deployment(
    String id, String app, Kind kind, String ref, String commit, Status status, String slot,
    String startedBy, Instant startedAt, Instant finishedAt, List<Stage> stages, long bytesSent,
    long releaseBytes, String error, List<String> log, List<StageTiming> timeline,
    SwitchTraffic traffic) {

  /** @return the stages it went through with their timings; empty for records stored before timelines were kept */
  @Override
  public List<StageTiming> timeline() {
    return timeline == null ? List.of() : List.copyOf(timeline);
  }

  /** What a deployment did. Stored on the server in lowercase ({@code deploy}). */
  public enum Kind {
    /** Built a commit and switched to it. */
    DEPLOY,
    /** Went back to an earlier release without building. */
    ROLLBACK,
    /** Started the live release again (to pick up env changes). */
    RESTART;

    /** @return the lowercase name stored on the server */
    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @return the lowercase name, as people read it in logs and messages */
    @Override
    public String toString() {
      return id();
    }

    /**
     * @param id a stored name
     * @return the kind
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Kind of(String id) {
      return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** How a deployment ended. Stored on the server in lowercase ({@code succeeded}). */
  public enum Status {
    /** The release is live. */
    SUCCEEDED,
    /** It failed; the deployment's error says where, and whether traffic moved. */
    FAILED,
    /** It was cancelled before traffic moved; the live app was not touched. */
    CANCELLED;

    /** @return the lowercase name stored on the server */
    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @return the lowercase name, as people read it in logs and messages */
    @Override
    public String toString() {
      return id();
    }

    /**
     * @param id a stored name
     * @return the status
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Status of(String id) {
      return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** @return true when it succeeded */
  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }

  /** @return the total time from start to end */
  public Duration duration() {
    return finishedAt == null ? Duration.ZERO : Duration.between(startedAt, finishedAt);
  }

  /**
   * @param name a stage name
   * @return that stage's duration, or zero when it did not run
   */
  public Duration stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).map(Stage::duration).findFirst()
        .orElse(Duration.ZERO);
  }

  @Override
  public String toString() {
    return "Deployment[" + id + " " + kind.id() + " " + app + "@" + (commit == null ? "?" : commit.substring(0, Math.min(7, commit.length())))
        + " " + status.id() + " " + stages + (error == null ? "" : " error=" + error) + "]";
  }
}
