package io.potions.progress;

import java.time.Duration;

/**
 * What the SDK reports while it works: each step of provisioning or of a deploy starts, may print
 * output, and then finishes or fails. Sealed, so a listener can switch over every kind.
 */
public sealed interface ProgressEvent {
  /** @return the server this is about (its name or address) */
  String server();

  /** @return the step's identifier, such as {@code packages} or {@code build} */
  String step();

  /**
   * A step began.
   *
   * @param server server name
   * @param step step id
   * @param title what the step does, for people
   */
  record StepStarted(String server, String step, String title) implements ProgressEvent {}

  /**
   * A line of output from a step, redacted, as it was produced.
   *
   * @param server server name
   * @param step step id
   * @param line the line
   */
  record StepOutput(String server, String step, String line) implements ProgressEvent {}

  /**
   * A step ended well.
   *
   * @param server server name
   * @param step step id
   * @param changed whether the step changed anything on the server
   * @param duration how long it took
   */
  record StepFinished(String server, String step, boolean changed, Duration duration)
      implements ProgressEvent {}

  /**
   * A step failed; the operation stops here.
   *
   * @param server server name
   * @param step step id
   * @param message why, with what to do (redacted)
   * @param duration how long it ran
   */
  record StepFailed(String server, String step, String message, Duration duration)
      implements ProgressEvent {}

  /**
   * A deploy waits for the ones ahead of it on the same server.
   *
   * @param server server name
   * @param step always {@code queue}
   * @param app the app waiting
   * @param position how many deploys are ahead of it (0: it runs next)
   */
  record DeployQueued(String server, String step, String app, int position) implements ProgressEvent {}

  /**
   * A deploy, rollback or restart moved to another stage (queued, building, ... done, failed,
   * cancelled); the deployment's record keeps the same timeline.
   *
   * @param server server name
   * @param step the stage's id, such as {@code building}
   * @param app the app
   * @param deployment the deployment's id
   * @param stage the stage it entered
   * @param queuePosition for {@code queued}: how many deploys are ahead of it; else 0
   * @param at when it entered the stage
   */
  record StageChanged(String server, String step, String app, String deployment,
      io.potions.event.DeployStage stage, int queuePosition, java.time.Instant at) implements ProgressEvent {}

  /**
   * A backup failed: one the caller asked for, or a scheduled run the server recorded (reported
   * when {@code app.backups().health()} reads it). Alerting code can listen for this one type.
   *
   * @param server server name
   * @param step always {@code backup}
   * @param app the app
   * @param backupId the failed backup's id
   * @param message what failed
   */
  record BackupFailed(String server, String step, String app, String backupId, String message)
      implements ProgressEvent {}
}
