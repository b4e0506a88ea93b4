package io.potions.testkit;

import io.potions.PotionsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A git repository holding a copy of the sample Elixir app ({@code potions-examples/sample-app}),
 * made with JGit, on which the quick start, the examples and the end-to-end tests commit changes: a
 * new version, a release that fails its health check, a build that never ends. Created on first use
 * and reused afterwards, so running an example twice continues where the first run stopped.
 */
public final class SampleRepository implements AutoCloseable {
  /** The branch the examples deploy. */
  public static final String BRANCH = "main";

  private static final PersonIdent AUTHOR = new PersonIdent("Potions sample", "sample@potions.invalid");

  private final Path dir;
  private final Git git;

  private SampleRepository(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  /**
   * Where the sample app's sources are: the system property {@code potions.sampleApp}, else the
   * first of {@code potions-examples/sample-app}, {@code sample-app} and
   * {@code ../potions-examples/sample-app} (under the working directory) that holds a {@code mix.exs}.
   *
   * @return the directory (it may not exist, when none was found: {@link #openOrCreate} then says so)
   */
  public static Path sampleAppSources() {
    String configured = System.getProperty("potions.sampleApp");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (String candidate : List.of("potions-examples/sample-app", "sample-app", "../potions-examples/sample-app")) {
      Path p = Path.of(candidate);
      if (Files.isRegularFile(p.resolve("mix.exs"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    return Path.of("potions-examples/sample-app").toAbsolutePath();
  }

  /**
   * Opens the repository at {@code dir}, or creates it there from {@code sources} with one commit.
   *
   * @param dir where the repository is (or will be)
   * @param sources the sample app's sources, copied when the repository is created
   * @return the repository
   */
  public static SampleRepository openOrCreate(Path dir, Path sources) {
    try {
      if (Files.isDirectory(dir.resolve(".git"))) {
        return new SampleRepository(dir, Git.open(dir.toFile()));
      }
      if (!Files.isRegularFile(sources.resolve("mix.exs"))) {
        throw new PotionsException("The sample app's sources are not in " + sources + " (no mix.exs there)."
            + " Run from the repository's root, or pass -Dpotions.sampleApp=/path/to/potions-examples/sample-app.");
      }
      copy(sources, dir);
      Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch(BRANCH).call();
      SampleRepository repo = new SampleRepository(dir, git);
      repo.commit("The sample app, version " + repo.version());
      return repo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new PotionsException("Could not create the sample repository in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** @return the repository's work tree */
  public Path dir() {
    return dir;
  }

  /** @return the version the app serves: the first line of its VERSION file */
  public String version() {
    try {
      return Files.readString(dir.resolve("VERSION"), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Raises the last number of the VERSION file by one ({@code 0.1.0} becomes {@code 0.1.1}) and commits.
   *
   * @return the new version
   */
  public String bumpVersion() {
    String next = nextVersion(version());
    setVersion(next);
    return next;
  }

  /**
   * Sets the version the app serves and commits.
   *
   * @param version the new version, such as {@code 0.2.0}
   * @return the new commit's SHA
   */
  public String setVersion(String version) {
    return write("VERSION", version + "\n", "VERSION " + version);
  }

  /**
   * Creates a branch at the current commit and checks it out, for commits that stay off {@link #BRANCH}.
   *
   * @param name the branch's name
   * @return the name
   */
  public String branch(String name) {
    try {
      git.checkout().setCreateBranch(true).setName(name).call();
      return name;
    } catch (GitAPIException e) {
      throw new PotionsException("Could not create the branch " + name + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Commits, on a new branch from the current commit, a module whose compilation sleeps: a build of
   * that branch is still compiling when a test cancels or times it out. Checks out the branch that
   * was current again, so later deploys of it are not slowed.
   *
   * @param name the new branch's name
   * @param compileTime how long compiling the module takes
   * @return the name
   */
  public String slowToCompileBranch(String name, java.time.Duration compileTime) {
    String back;
    try {
      back = git.getRepository().getBranch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    branch(name);
    write("lib/slow_to_compile.ex", "defmodule SlowToCompile do\n  @moduledoc false\n  Process.sleep("
        + compileTime.toMillis() + ")\nend\n", "a module whose compilation takes " + compileTime.toSeconds() + " s");
    checkout(back);
    return name;
  }

  /**
   * Checks out an existing branch.
   *
   * @param name the branch's name, such as {@link #BRANCH}
   */
  public void checkout(String name) {
    try {
      git.checkout().setName(name).call();
    } catch (GitAPIException e) {
      throw new PotionsException("Could not check out " + name + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param version a version such as {@code 0.1.9}
   * @return the same with its last number raised by one, such as {@code 0.1.10}
   */
  public static String nextVersion(String version) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*?)(\\d+)(\\D*)$").matcher(version);
    if (!m.matches()) {
      return version + ".1";
    }
    return m.group(1) + (Long.parseLong(m.group(2)) + 1) + m.group(3);
  }

  /**
   * Writes a file and commits it.
   *
   * @param path a path relative to the repository's root
   * @param content the file's new content
   * @param message the commit message
   * @return the new commit's SHA
   */
  public String write(String path, String content, String message) {
    try {
      Path file = dir.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return commit(message);
  }

  /** @return the SHA of the branch's last commit */
  public String head() {
    try {
      return git.getRepository().resolve("refs/heads/" + BRANCH).getName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String commit(String message) {
    try {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      RevCommit c = git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call();
      return c.getName();
    } catch (GitAPIException e) {
      throw new PotionsException("Could not commit in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies a directory tree, leaving out build output ({@code _build}, {@code deps}) and any {@code .git}.
   *
   * @param from the source directory
   * @param to the destination, created as needed
   */
  public static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path rel = from.relativize(p);
        if (rel.startsWith("_build") || rel.startsWith("deps") || rel.startsWith(".git")) {
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

  /** Releases the repository's files. */
  @Override
  public void close() {
    git.close();
  }
}
