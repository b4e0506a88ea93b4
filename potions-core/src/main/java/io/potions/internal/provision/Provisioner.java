package io.potions.internal.provision;

import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import io.potions.provision.ProvisionReport;
import io.potions.provision.ProvisioningException;
import io.potions.provision.ServerFacts;
import io.potions.provision.UnsupportedOperatingSystemException;
import io.potions.secret.Redactor;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import io.potions.ssh.ExecResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bootstrap on one server: a read-only preflight that refuses unsupported servers before
 * anything changes, then each step's check, and its apply only when the check fails.
 */
public final class Provisioner {
  private static final Logger log = LoggerFactory.getLogger(Provisioner.class);

  /** Free space below this on / refuses provisioning: apt and the first builds need room. */
  static final long MIN_FREE_KB = 1_500_000;
  private static final Duration CHECK_LIMIT = Duration.ofMinutes(1);
  private static final Duration APPLY_LIMIT = Duration.ofMinutes(20);

  private final RemoteExecutor server;
  private final String loginUser;
  private final Redactor redactor;
  private final String serverName;
  private final ReverseProxy proxy;
  private final ProgressListener listener;

  /**
   * @param server the server's executor (logged in as root or a passwordless sudoer)
   * @param loginUser the user it logs in as, for messages
   * @param redactor masks secrets in messages
   * @param serverName name for progress events
   * @param proxy the reverse proxy whose steps follow the base bootstrap
   * @param listener receives progress
   */
  public Provisioner(RemoteExecutor server, String loginUser, Redactor redactor, String serverName, ReverseProxy proxy,
      ProgressListener listener) {
    this.server = server;
    this.loginUser = loginUser;
    this.redactor = redactor;
    this.serverName = serverName;
    this.proxy = proxy;
    this.listener = listener;
  }

  /**
   * Detects the distribution without changing anything, refusing what the bootstrap cannot handle.
   *
   * @return the distribution
   */
  public Distribution preflight() {
    long started = System.nanoTime();
    emit(new ProgressEvent.StepStarted(serverName, "preflight", "Check the server can be provisioned"));
    try {
      String out = server.require(RemoteCommand.of("Reading the server's OS", BootstrapPlan.preflightScript())
          .limit(CHECK_LIMIT)).out();
      int split = out.indexOf("---");
      Map<String, String> facts = Distribution.parseOsRelease(out.substring(0, Math.max(split, 0)));
      Distribution distribution = Distribution.fromOsRelease(split < 0 ? "" : out.substring(split + 3));
      if (!"systemd".equals(facts.get("pid1"))) {
        throw new UnsupportedOperatingSystemException("The server does not run systemd as PID 1 (found '"
            + facts.get("pid1") + "'); Potions supervises apps with systemd. Nothing was changed.");
      }
      if (!"0".equals(facts.get("uid"))) {
        ExecResult sudo = server.run(RemoteCommand.of("Checking sudo", "sudo -n true").limit(CHECK_LIMIT));
        if (!sudo.ok()) {
          throw new ProvisioningException("User '" + loginUser + "' is not root"
              + " and cannot use sudo without a password. Provision as root, or give this user"
              + " passwordless sudo. Nothing was changed.");
        }
      }
      long freeKb = Long.parseLong(facts.getOrDefault("free_kb", "0").trim());
      if (freeKb < MIN_FREE_KB) {
        throw new ProvisioningException("Only " + freeKb / 1024 + " MB are free on / of "
            + server.host() + "; provisioning needs at least "
            + MIN_FREE_KB / 1024 + " MB. Free some space or resize the disk. Nothing was changed.");
      }
      emit(new ProgressEvent.StepFinished(serverName, "preflight", false, since(started)));
      return distribution;
    } catch (RuntimeException e) {
      emit(new ProgressEvent.StepFailed(serverName, "preflight", e.getMessage(), since(started)));
      throw e;
    }
  }

  /**
   * Runs the whole bootstrap.
   *
   * @param deployKeys public keys allowed to log in as the deploy user
   * @return what changed, and the server's facts
   */
  public ProvisionReport provision(List<String> deployKeys) {
    long started = System.nanoTime();
    Distribution distribution = preflight();
    List<BootstrapStep> steps =
        BootstrapPlan.render(distribution, deployKeys, proxy.bootstrapSteps(distribution));
    List<ProvisionReport.StepOutcome> outcomes = new ArrayList<>();
    for (BootstrapStep step : steps) {
      outcomes.add(runStep(step));
    }
    ServerFacts facts = ServerFacts.parse(distribution,
        server.require(RemoteCommand.of("Reading versions", BootstrapPlan.factsScript(proxy.versionCommand()))
            .limit(CHECK_LIMIT)).out());
    ProvisionReport report = new ProvisionReport(List.copyOf(outcomes), facts, since(started));
    log.info("[{}] provisioned: {}; {}", serverName, report.summary(), facts);
    return report;
  }

  private ProvisionReport.StepOutcome runStep(BootstrapStep step) {
    long started = System.nanoTime();
    emit(new ProgressEvent.StepStarted(serverName, step.id(), step.title()));
    log.info("[{}] {}: {}", serverName, step.id(), step.title());
    RemoteCommand check = RemoteCommand.of("Checking " + step.id(), step.check()).asRoot().limit(CHECK_LIMIT);
    if (server.run(check).ok()) {
      Duration took = since(started);
      emit(new ProgressEvent.StepFinished(serverName, step.id(), false, took));
      return new ProvisionReport.StepOutcome(step.id(), step.title(), false, took);
    }
    ExecResult applied = server.run(RemoteCommand.of(step.title(), step.apply()).asRoot().limit(APPLY_LIMIT),
        (stream, line) -> emit(new ProgressEvent.StepOutput(serverName, step.id(), line)));
    String failure = null;
    if (!applied.ok()) {
      failure = "Step '" + step.id() + "' (" + step.title() + ") failed on "
          + server.host() + " with exit status " + applied.exitStatus()
          + ". Its last output:\n" + applied.tail(25);
    } else if (!server.run(check).ok()) {
      failure = "Step '" + step.id() + "' (" + step.title() + ") ran but the server still does not"
          + " pass its check. Its last output:\n" + applied.tail(25);
    }
    Duration took = since(started);
    if (failure != null) {
      failure = redactor.redact(failure)
          + "\nFix the cause on the server and run provision() again: steps already done are skipped.";
      emit(new ProgressEvent.StepFailed(serverName, step.id(), failure, took));
      throw new ProvisioningException(failure);
    }
    emit(new ProgressEvent.StepFinished(serverName, step.id(), true, took));
    return new ProvisionReport.StepOutcome(step.id(), step.title(), true, took);
  }

  private void emit(ProgressEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      log.warn("progress listener threw {}; continuing", e.toString());
    }
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
