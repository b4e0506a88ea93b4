package io.potions.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitRepositorySource#isAncestor}: what auto-deploy asks to refuse a commit older than the live one. */
class GitRepositorySourceAncestryTest {
  @TempDir Path dir;

  private static String commit(Git git, Path work, String file, String message) throws Exception {
    Files.writeString(work.resolve(file), message);
    git.add().addFilepattern(file).call();
    return git.commit().setMessage(message).setAuthor("t", "t@t").setCommitter("t", "t@t").call().getName();
  }

  @Test
  void ancestryComesFromTheRepositoryAndUnknownCommitsAreNotAncestors() throws Exception {
    Path work = dir.resolve("repo");
    String a;
    String b;
    String side;
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      a = commit(git, work, "a", "a");
      b = commit(git, work, "b", "b");
      git.checkout().setCreateBranch(true).setName("side").setStartPoint(a).call();
      side = commit(git, work, "c", "side");
    }
    GitRepositorySource local = GitRepositorySource.local(work);

    assertThat(local.isAncestor(a, b)).isTrue();
    assertThat(local.isAncestor(b, b)).isTrue();
    assertThat(local.isAncestor(b, a)).isFalse();
    assertThat(local.isAncestor(side, b)).isFalse(); // diverged: neither is older
    assertThat(local.isAncestor("0123456789abcdef0123456789abcdef01234567", b)).isFalse();
    assertThat(local.isAncestor("main", b)).isFalse(); // SHAs only

    // a remote source answers from its mirror: nothing before the first fetch, then the history
    GitRepositorySource remote = GitRepositorySource.remote(work.toUri().toString(), dir.resolve("cache"), null);
    assertThat(remote.isAncestor(a, b)).isFalse();
    remote.resolve("main");
    assertThat(remote.isAncestor(a, b)).isTrue();
    assertThat(remote.isAncestor(b, a)).isFalse();
  }
}
