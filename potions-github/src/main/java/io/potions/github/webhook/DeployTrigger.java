package io.potions.github.webhook;

import io.potions.source.SourceCommit;
import java.util.concurrent.CompletableFuture;

/**
 * Starts a deploy of a pushed commit and returns at once, as {@code app::deployAsync} does (it puts
 * the deploy on the server's queue). Must not block: the webhook is answered after it returns.
 */
@FunctionalInterface
public interface DeployTrigger {
  /**
   * @param commit the pushed commit
   * @return the deploy's future
   */
  CompletableFuture<?> deploy(SourceCommit commit);
}
