package io.potions.app;

import io.potions.PotionsException;

/**
 * A deploy, rollback or restart failed. The live app was not touched: it serves as before. The
 * {@link #deployment()} record (also kept on the server) has the stages, timings and log.
 */
public class DeployFailedException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** Why a deploy failed, for callers that react differently. */
  public enum Reason {
    /** {@code mix} failed: compile error, missing dependency, full disk... */
    BUILD_FAILED,
    /** The build passed its time limit and was killed on the server. */
    BUILD_TIMED_OUT,
    /** The build needed more memory than its ceiling (AppSettings.buildMemoryMaxMib) and was stopped. */
    BUILD_OUT_OF_MEMORY,
    /** A requested Erlang/Elixir/Node.js version could not be installed. */
    RUNTIME_UNAVAILABLE,
    /** The migration command failed; no traffic moved. */
    MIGRATION_FAILED,
    /** The new slot's process exited while starting. */
    CRASHED_ON_START,
    /** The new slot did not answer its health check in time. */
    HEALTH_CHECK_FAILED,
    /** Moving traffic failed; the previous slot still serves. */
    SWITCH_FAILED,
    /** The source could not be sent, or the server could not be reached. */
    TRANSFER_FAILED,
    /** Nothing to roll back to. */
    NO_PREVIOUS_RELEASE,
    /** The deploy lock was lost (its connection dropped); the deploy stopped before touching traffic. */
    LOCK_LOST,
    /** The release was built on a platform (OS, architecture, glibc, OpenSSL) the app server does not match; nothing was sent. */
    PLATFORM_MISMATCH,
    /** The caller cancelled it before traffic moved; what it made was removed. */
    CANCELLED,
    /** The automatic backup before a migration failed; the migration did not run, no traffic moved. */
    BACKUP_FAILED
  }

  /** The failed deployment's record (not serialized with the exception). */
  private final transient Deployment deployment;
  /** Why it failed. */
  private final Reason reason;

  /**
   * @param message what failed, the relevant log lines, and what to do
   * @param reason why
   * @param deployment the failed deployment's record
   */
  public DeployFailedException(String message, Reason reason, Deployment deployment) {
    super(message);
    this.reason = reason;
    this.deployment = deployment;
  }

  /** @return why it failed */
  public Reason reason() {
    return reason;
  }

  /** @return the deployment record */
  public Deployment deployment() {
    return deployment;
  }
}
