package io.potions.github.webhook;

import io.potions.app.App;
import io.potions.source.SourceCommit;
import io.potions.spi.SourceHost;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Starts a deploy of a pushed commit and returns at once, as {@code app::deployAsync} does (it puts
 * the deploy on the server's queue). Must not block: the webhook is answered after it returns.
 *
 * <p>A trigger that also names its {@link #source() source} and {@link #liveCommit() live commit}
 * lets the handler refuse stale pushes: the pushed commit must still be the head of its branch (or
 * what its tag names) when the delivery arrives, and must not be older than the live commit.
 * {@link #of(App)} does both for an app.
 */
@FunctionalInterface
public interface DeployTrigger {
  /**
   * @param commit the pushed commit
   * @return the deploy's future
   */
  CompletableFuture<?> deploy(SourceCommit commit);

  /**
   * The source the deploy fetches from. The handler resolves the pushed branch or tag through it
   * and deploys only when it still names the pushed commit, and asks it whether the pushed commit is
   * {@linkplain SourceHost#isAncestor(String, String) an ancestor} of the live one. The default
   * knows no source, and these checks are skipped.
   *
   * @return the source, or empty
   */
  default Optional<SourceHost> source() {
    return Optional.empty();
  }

  /**
   * The commit live now. The handler never deploys a push of that commit again, nor of one older
   * than it (when the {@link #source()} can tell). The default knows none.
   *
   * @return the live commit's full SHA, or empty when nothing is live or it is unknown
   */
  default Optional<String> liveCommit() {
    return Optional.empty();
  }

  /**
   * @param app an app with a source
   * @return a trigger that deploys through {@link App#deployAsync(SourceCommit)} (the server's
   *     queue), checks pushes against the app's source, and reads the live commit from
   *     {@link App#status()}
   */
  static DeployTrigger of(App app) {
    Objects.requireNonNull(app, "app");
    return checked(app.source().orElse(null), () -> app.status().liveCommit(), app::deployAsync);
  }

  /**
   * @param source the source the deploys fetch from, or {@code null} for none
   * @param liveCommit reads the commit live now (empty when none)
   * @param deploy starts the deploy without blocking
   * @return a trigger with those checks
   */
  static DeployTrigger checked(SourceHost source, Supplier<Optional<String>> liveCommit, DeployTrigger deploy) {
    Objects.requireNonNull(liveCommit, "liveCommit");
    Objects.requireNonNull(deploy, "deploy");
    return new DeployTrigger() {
      @Override
      public CompletableFuture<?> deploy(SourceCommit commit) {
        return deploy.deploy(commit);
      }

      @Override
      public Optional<SourceHost> source() {
        return Optional.ofNullable(source);
      }

      @Override
      public Optional<String> liveCommit() {
        return Objects.requireNonNull(liveCommit.get(), "liveCommit returned null");
      }
    };
  }
}
