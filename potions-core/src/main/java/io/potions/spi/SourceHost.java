package io.potions.spi;

import io.potions.source.SourceCommit;
import java.io.OutputStream;
import java.util.Collection;

/**
 * Where an app's code comes from: a plain git repository ({@link io.potions.source.GitRepositorySource}),
 * GitHub ({@code potions-github}), or your own. It resolves a ref to a commit and hands the builder
 * that commit as a git bundle, thin against what the server already has.
 */
public interface SourceHost {
  /** @return where the code comes from, for people (never with credentials) */
  String describe();

  /**
   * @param ref a branch, tag or commit SHA (full or abbreviated)
   * @return the commit it names now
   * @throws io.potions.source.UnknownRefException when it names nothing
   */
  SourceCommit resolve(String ref);

  /**
   * Writes a git bundle whose ref {@code refs/potions/deploy} points at {@code commit}, leaving out
   * whatever is reachable from the {@code have} commits (those the server already has) that this
   * source knows, so a second deploy sends only what changed.
   *
   * @param commit the commit to send
   * @param have commits the receiving repository already has
   * @param out where the bundle goes
   */
  void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out);

  /**
   * Reads one file of a commit, such as {@code .tool-versions}. The default reads nothing.
   *
   * @param commit the commit
   * @param path a path relative to the repository root
   * @return the file's content, or empty when it does not exist
   */
  default java.util.Optional<String> readFile(SourceCommit commit, String path) {
    return java.util.Optional.empty();
  }

  /**
   * Called as a deploy of one of this source's commits progresses, so hosts that can show it
   * (GitHub's commit statuses and deployments) do. The default does nothing.
   *
   * @param commit the commit being deployed
   * @param state {@code in_progress}, {@code success} or {@code failure}
   * @param description a short text for people
   */
  default void reportDeployment(SourceCommit commit, String state, String description) {}

  /**
   * Tells whether one commit is an ancestor of another (or the same commit), so that an automatic
   * deploy never replaces the live commit with an older one. Answers only from what this source
   * already knows (it does not have to fetch). The default cannot tell and answers false.
   *
   * @param older a full commit SHA
   * @param newer a full commit SHA
   * @return true when {@code older} is reachable from {@code newer}; false when it is not, or when
   *     this source cannot tell (unknown commit, no history)
   */
  default boolean isAncestor(String older, String newer) {
    return false;
  }
}
