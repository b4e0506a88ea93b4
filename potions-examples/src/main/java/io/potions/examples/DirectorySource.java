package io.potions.examples;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.source.SourceCommit;
import io.potions.source.UnknownRefException;
import io.potions.spi.SourceHost;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A custom {@link SourceHost}: deploys a plain directory, with no git repository of its own (a
 * generated project, an unpacked CI artifact, a folder someone edits by hand).
 *
 * <p>How it meets the SPI's contract:
 * <ul>
 *   <li>{@link #resolve(String)} takes a snapshot: the directory's content is committed to a private
 *       git repository kept elsewhere (the directory is never written to). Unchanged content gives
 *       the same commit, so deploying it again builds the same release.</li>
 *   <li>{@link #writeBundle} writes a git bundle of the snapshot, leaving out what the server
 *       already has: the private repository keeps every snapshot, so a second deploy sends only what
 *       changed, as with any git source.</li>
 *   <li>{@link #readFile} reads one file of a snapshot (the builder asks for {@code .tool-versions}).</li>
 *   <li>{@link #reportDeployment} tells a callback how the deploy went; GitHub's source host sets a
 *       commit status there instead.</li>
 * </ul>
 * The directory's {@code .gitignore} is honoured, so build output such as {@code _build} stays out.
 */
public final class DirectorySource implements SourceHost {
  private static final PersonIdent SNAPSHOTS = new PersonIdent("Potions directory source", "snapshots@potions.invalid");

  private final Path directory;
  private final Path history;
  private final Consumer<String> reports;

  /**
   * @param directory the directory to deploy
   * @param history where to keep the private git repository of its snapshots (created when missing)
   * @param reports receives one line per deployment state change ({@code in_progress},
   *     {@code success}, {@code failure})
   */
  public DirectorySource(Path directory, Path history, Consumer<String> reports) {
    this.directory = directory.toAbsolutePath().normalize();
    this.history = history.toAbsolutePath().normalize();
    this.reports = Objects.requireNonNull(reports, "reports");
    if (!Files.isDirectory(this.directory)) {
      throw new InvalidInputException("Directory " + directory + " does not exist.");
    }
    if (Files.exists(this.directory.resolve(".git"))) {
      throw new InvalidInputException(directory + " is a git repository: deploy it with"
          + " GitRepositorySource.local(path) instead.");
    }
    if (this.history.startsWith(this.directory)) {
      throw new InvalidInputException("Keep the snapshot history (" + history + ") outside the directory"
          + " it records (" + directory + ").");
    }
  }

  @Override
  public String describe() {
    return "directory " + directory;
  }

  /**
   * Takes a snapshot of the directory as it is now.
   *
   * @param ref a label recorded with the snapshot, such as {@code current} (a directory has no branches)
   * @return the snapshot's commit
   */
  @Override
  public synchronized SourceCommit resolve(String ref) {
    if (ref == null || !ref.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new UnknownRefException("'" + ref + "' is not a label for a snapshot of " + describe()
          + ": use letters, digits, '.', '_' and '-', such as 'current'.");
    }
    try (Repository repo = open(); Git git = new Git(repo)) {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      ObjectId head = repo.resolve("HEAD");
      RevCommit commit;
      if (head != null && git.status().call().isClean()) {
        try (RevWalk walk = new RevWalk(repo)) {
          commit = walk.parseCommit(head);
        }
      } else {
        commit = git.commit().setMessage("Snapshot of " + directory.getFileName() + " (" + ref + ")")
            .setAuthor(SNAPSHOTS).setCommitter(SNAPSHOTS).call();
      }
      return new SourceCommit(commit.getName(), ref, commit.getShortMessage(), commit.getAuthorIdent().getName());
    } catch (IOException | GitAPIException e) {
      throw new PotionsException("Could not take a snapshot of " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
    try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
      BundleWriter bundle = new BundleWriter(repo);
      bundle.include("refs/potions/deploy", ObjectId.fromString(commit.sha()));
      for (String sha : have) {
        if (!ObjectId.isId(sha) || sha.equals(commit.sha())) {
          continue;
        }
        ObjectId id = ObjectId.fromString(sha);
        // Only commits this history knows can be left out; the server may have others (another source).
        if (repo.getObjectDatabase().has(id)) {
          bundle.assume(walk.parseCommit(id));
        }
      }
      bundle.writeBundle(NullProgressMonitor.INSTANCE, out);
    } catch (IOException e) {
      throw new PotionsException("Could not package snapshot " + commit.shortSha() + " of " + describe()
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Optional<String> readFile(SourceCommit commit, String path) {
    try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit.sha()));
      try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
        return tw == null ? Optional.empty()
            : Optional.of(new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new PotionsException("Could not read " + path + " of snapshot " + commit.shortSha() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void reportDeployment(SourceCommit commit, String state, String description) {
    reports.accept(commit.shortSha() + " " + state + ": " + description);
  }

  /** The private repository: its git directory is {@link #history}, its work tree the directory. */
  private Repository open() throws IOException {
    Repository repo = new FileRepositoryBuilder().setGitDir(history.toFile()).setWorkTree(directory.toFile()).build();
    if (!repo.getObjectDatabase().exists()) {
      Files.createDirectories(history.getParent());
      repo.create(false);
      // JGit links the work tree to its repository with a ".git" file; this source opens the
      // repository by its path instead, and leaves the directory exactly as it was.
      Files.deleteIfExists(directory.resolve(".git"));
    }
    return repo;
  }

  @Override
  public String toString() {
    return "DirectorySource[" + directory + "]";
  }
}
