package io.potions.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A git repository holding the sample Elixir app (potions-examples/sample-app), on which tests make
 * commits: a new version, a release that fails its health check, a build that never ends.
 */
public final class SampleRepo implements AutoCloseable {
  static final Path SOURCE = Path.of(System.getProperty("potions.sampleApp", "../potions-examples/sample-app"));

  public final Path dir;
  private final Git git;

  private SampleRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  public static SampleRepo create(Path dir) {
    copy(SOURCE, dir);
    try {
      Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
      SampleRepo repo = new SampleRepo(dir, git);
      repo.commit("v1: the sample app");
      return repo;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  String write(String path, String content, String message) {
    try {
      Path file = dir.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return commit(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String setVersion(String version) {
    return write("VERSION", version + "\n", "version " + version);
  }

  String branch(String name) {
    try {
      git.checkout().setCreateBranch(true).setName(name).call();
      return name;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  void checkout(String name) {
    try {
      git.checkout().setName(name).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  String commit(String message) {
    try {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      PersonIdent me = new PersonIdent("Potions Tests", "tests@potions.invalid");
      RevCommit c = git.commit().setMessage(message).setAuthor(me).setCommitter(me).call();
      return c.getName();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Copies the sample app's sources (without build output) to {@code to}.
   *
   * @param to the destination directory
   */
  public static void copySource(Path to) {
    copy(SOURCE, to);
  }

  private static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path rel = from.relativize(p);
        if (rel.startsWith("_build") || rel.startsWith("deps")) {
          continue;
        }
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
