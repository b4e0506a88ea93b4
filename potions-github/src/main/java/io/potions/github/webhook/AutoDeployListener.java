package io.potions.github.webhook;

import io.potions.source.SourceCommit;
import java.util.concurrent.CompletableFuture;

/** Told of every deploy a push queued, for callers that follow them (logs, metrics, tests). */
@FunctionalInterface
public interface AutoDeployListener {
  /** Ignores everything. */
  AutoDeployListener NONE = (rule, commit, deployment) -> { };

  /**
   * Called on the thread that handles the webhook, right after the deploy was queued; must not block.
   *
   * @param rule the registration the push matched
   * @param commit the pushed commit
   * @param deployment the deploy's future
   */
  void deployQueued(AutoDeployRule rule, SourceCommit commit, CompletableFuture<?> deployment);
}
