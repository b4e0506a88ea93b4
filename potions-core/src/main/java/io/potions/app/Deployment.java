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
 * @param kind {@code deploy}, {@code rollback} or {@code restart}
 * @param ref the ref the caller asked for
 * @param commit the commit SHA deployed
 * @param status {@code succeeded} or {@code failed}
 * @param slot the slot the release went to
 * @param startedBy who started it ({@code user@host})
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param stages each stage with its timing
 * @param bytesSent bytes of source sent to the server
 * @param releaseBytes size of the release on disk
 * @param error what went wrong, or null
 * @param log the deployment's log lines (build output included, redacted)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Deployment(
    String id, String app, String kind, String ref, String commit, String status, String slot,
    String startedBy, Instant startedAt, Instant finishedAt, List<Stage> stages, long bytesSent,
    long releaseBytes, String error, List<String> log) {

  /** @return true when it succeeded */
  public boolean succeeded() {
    return "succeeded".equals(status);
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
    return "Deployment[" + id + " " + kind + " " + app + "@" + (commit == null ? "?" : commit.substring(0, Math.min(7, commit.length())))
        + " " + status + " " + stages + (error == null ? "" : " error=" + error) + "]";
  }
}
