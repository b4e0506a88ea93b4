package io.potions.maven;

import io.potions.app.App;
import io.potions.app.AppStatus;
import io.potions.app.Deployment;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:status}: what is live for the app (slot, release, commit, whether it answers its
 * health check) and its last deployments.
 */
@Mojo(name = "status", requiresProject = false, threadSafe = true)
public class StatusMojo extends AbstractAppMojo {
  /** How many of the last deployments to list. */
  @Parameter(property = "potions.history", defaultValue = "5")
  private int history;

  /** Fail the build when the app is not live and healthy (for a post-deploy check in CI). */
  @Parameter(property = "potions.requireHealthy", defaultValue = "false")
  private boolean requireHealthy;

  /** For Maven. */
  public StatusMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    AppStatus s = app.status();
    getLog().info("App " + s.app() + " " + s.domains() + ": "
        + s.liveSlot().map(slot -> "live in the " + slot.id() + " slot, release " + s.liveRelease().orElse("?")
            + ", commit " + s.liveCommit().map(c -> c.substring(0, 7)).orElse("?")
            + (s.running() ? ", running" : ", NOT running") + (s.healthy() ? ", healthy" : ", NOT healthy"))
            .orElse("nothing deployed yet"));
    List<Deployment> deployments = app.deployments();
    for (Deployment d : deployments.subList(Math.max(0, deployments.size() - history), deployments.size())) {
      getLog().info("  " + d.startedAt() + "  " + d.kind() + " " + (d.commit() == null ? "-------" : d.commit().substring(0, 7))
          + " " + d.status() + (d.slot() == null ? "" : " -> " + d.slot()) + " (" + MavenProgress.seconds(d.duration())
          + ")" + (d.error() == null ? "" : ": " + d.error()));
    }
    if (requireHealthy && !(s.liveSlot().isPresent() && s.healthy())) {
      throw new MojoFailureException("App " + s.app() + " is not live and healthy (potions.requireHealthy).");
    }
  }
}
