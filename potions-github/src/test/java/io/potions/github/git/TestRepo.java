package io.potions.github.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A repository "on GitHub" for tests: a bare repository at {@code ROOT/OWNER/NAME.git} (what the
 * git server and the simulation serve) and a work tree beside it where tests commit and push.
 */
public final class TestRepo implements AutoCloseable {
  /** The bare repository. */
  public final Path bare;
  /** The work tree. */
  public final Path work;
  private final Git git;

  private TestRepo(Path bare, Path work, Git git) {
    this.bare = bare;
    this.work = work;
    this.git = git;
  }

  /**
   * @param root the git server's root
   * @param fullName {@code owner/name}
   * @param workDir where the work tree goes
   * @return the repository, with one commit on {@code main}
   */
  public static TestRepo create(Path root, String fullName, Path workDir) {
    try {
      Path bare = root.resolve(fullName + ".git");
      Files.createDirectories(bare.getParent());
      Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
      Git git = Git.init().setDirectory(workDir.toFile()).setInitialBranch("main").call();
      git.getRepository().getConfig().setString("remote", "origin", "url", bare.toUri().toString());
      git.getRepository().getConfig().save();
      TestRepo repo = new TestRepo(bare, workDir, git);
      repo.commit("README.md", "# " + fullName + "\n", "first commit");
      return repo;
    } catch (GitAPIException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a file, commits it on the current branch and pushes that branch.
   *
   * @param path file path in the repository
   * @param content its content
   * @param message commit message
   * @return the new commit's SHA
   */
  public String commit(String path, String content, String message) {
    try {
      Path file = work.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      git.add().addFilepattern(".").call();
      PersonIdent me = new PersonIdent("Mona Lisa", "mona@example.com");
      RevCommit c = git.commit().setMessage(message).setAuthor(me).setCommitter(me).call();
      String branch = git.getRepository().getBranch();
      git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
          .setForce(true).call();
      return c.getName();
    } catch (GitAPIException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates a branch at the current commit and switches to it (not pushed until a commit).
   *
   * @param name branch name
   */
  public void branch(String name) {
    try {
      git.checkout().setCreateBranch(true).setName(name).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @param name branch to switch to
   */
  public void checkout(String name) {
    try {
      git.checkout().setName(name).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Tags the current commit and pushes the tag.
   *
   * @param name tag name
   */
  public void tag(String name) {
    try {
      git.tag().setName(name).setAnnotated(false).call();
      git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/tags/" + name + ":refs/tags/" + name)).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the current commit's SHA */
  public String head() {
    try {
      return git.getRepository().resolve("HEAD").getName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
