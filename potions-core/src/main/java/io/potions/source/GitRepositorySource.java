package io.potions.source;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.internal.shell.Hashing;
import io.potions.spi.SourceHost;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A plain git repository as the source: a local path (a work tree or a bare repository), or any git
 * URL, which is mirrored into a local cache and fetched before each resolve.
 */
public final class GitRepositorySource implements SourceHost {
  private final String location;
  private final Path localRepo;
  private final boolean remote;
  private final CredentialsProvider credentials;

  private GitRepositorySource(String location, Path localRepo, boolean remote, CredentialsProvider credentials) {
    this.location = location;
    this.localRepo = localRepo;
    this.remote = remote;
    this.credentials = credentials;
  }

  /**
   * @param path a local repository (work tree or bare)
   * @return the source
   */
  public static GitRepositorySource local(Path path) {
    if (!Files.isDirectory(path)) {
      throw new InvalidInputException("Git repository " + path + " does not exist.");
    }
    return new GitRepositorySource(path.toString(), path, false, null);
  }

  /**
   * @param url any git URL JGit can fetch (https, ssh, file)
   * @param cacheDir where the local mirror is kept
   * @param credentials credentials for the URL, or {@code null}
   * @return the source
   */
  public static GitRepositorySource remote(String url, Path cacheDir, CredentialsProvider credentials) {
    Path mirror = cacheDir.resolve(Hashing.sha256Hex(url).substring(0, 16) + ".git");
    return new GitRepositorySource(url, mirror, true, credentials);
  }

  @Override
  public String describe() {
    return remote ? location.replaceAll("://[^/@]*@", "://") : location;
  }

  @Override
  public synchronized SourceCommit resolve(String ref) {
    if (ref == null || ref.isBlank() || ref.length() > 255 || ref.contains("..") || ref.startsWith("-")
        || !ref.matches("[A-Za-z0-9._/@+-]+")) {
      String shown = ref == null ? "null" : ref.length() > 60 ? ref.substring(0, 60) + "..." : ref;
      throw new InvalidInputException("'" + shown + "' is not a valid git ref: use a branch, a tag or a commit SHA.");
    }
    try (Repository repo = open()) {
      if (remote) {
        fetch(repo);
      }
      ObjectId id = null;
      for (String candidate : List.of(Constants.R_HEADS + ref, Constants.R_TAGS + ref,
          Constants.R_REMOTES + "origin/" + ref)) {
        Ref r = repo.exactRef(candidate);
        if (r != null) {
          id = r.getObjectId();
          break;
        }
      }
      if (id == null && ref.matches("[0-9a-f]{7,40}")) {
        try {
          id = repo.resolve(ref + "^{commit}");
        } catch (org.eclipse.jgit.errors.AmbiguousObjectException e) {
          throw new UnknownRefException("'" + ref + "' is ambiguous in " + describe() + "; give more of the SHA.");
        }
      }
      if (id == null) {
        List<String> branches = repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS).stream()
            .map(r -> r.getName().substring(Constants.R_HEADS.length())).limit(10).toList();
        throw new UnknownRefException("No branch, tag or commit '" + ref + "' in " + describe()
            + ". Branches there: " + branches + ".");
      }
      try (RevWalk walk = new RevWalk(repo)) {
        RevCommit commit = walk.parseCommit(id);
        return new SourceCommit(commit.getName(), ref, commit.getShortMessage(),
            commit.getAuthorIdent().getName());
      }
    } catch (IOException e) {
      throw new PotionsException("Could not read " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
    try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
      BundleWriter writer = new BundleWriter(repo);
      writer.include("refs/potions/deploy", ObjectId.fromString(commit.sha()));
      for (String sha : have) {
        if (!sha.matches("[0-9a-f]{40}")) {
          continue;
        }
        ObjectId id = ObjectId.fromString(sha);
        if (repo.getObjectDatabase().has(id) && !id.getName().equals(commit.sha())) {
          writer.assume(walk.parseCommit(id));
        }
      }
      writer.writeBundle(NullProgressMonitor.INSTANCE, out);
    } catch (IOException e) {
      throw new PotionsException("Could not package commit " + commit.shortSha() + " of " + describe()
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized java.util.Optional<String> readFile(SourceCommit commit, String path) {
    try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit.sha()));
      try (org.eclipse.jgit.treewalk.TreeWalk tw =
               org.eclipse.jgit.treewalk.TreeWalk.forPath(repo, path, c.getTree())) {
        if (tw == null) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(new String(repo.open(tw.getObjectId(0)).getBytes(),
            java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new PotionsException("Could not read " + path + " at " + commit.shortSha() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Answers from the local repository (or the mirror as last fetched): false when either commit is
   * not in it.
   */
  @Override
  public synchronized boolean isAncestor(String older, String newer) {
    if (older == null || newer == null || !older.matches("[0-9a-f]{40}") || !newer.matches("[0-9a-f]{40}")) {
      return false;
    }
    if (remote && !Files.exists(localRepo)) {
      return false;
    }
    try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
      ObjectId base = ObjectId.fromString(older);
      ObjectId tip = ObjectId.fromString(newer);
      if (!repo.getObjectDatabase().has(base) || !repo.getObjectDatabase().has(tip)) {
        return false;
      }
      return walk.isMergedInto(walk.parseCommit(base), walk.parseCommit(tip));
    } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      return false; // one of them names a tree or blob, not a commit
    } catch (IOException e) {
      throw new PotionsException("Could not compare commits in " + describe() + ": " + e.getMessage(), e);
    }
  }

  private Repository open() throws IOException {
    if (remote && !Files.exists(localRepo)) {
      Files.createDirectories(localRepo.getParent());
      try (Git git = Git.init().setBare(true).setDirectory(localRepo.toFile()).call()) {
        git.getRepository().getConfig().setString("remote", "origin", "url", location);
        git.getRepository().getConfig().save();
      } catch (GitAPIException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    File dir = localRepo.toFile();
    FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
    File dotGit = new File(dir, ".git");
    builder.setGitDir(dotGit.isDirectory() ? dotGit : dir);
    try {
      return builder.build();
    } catch (org.eclipse.jgit.errors.RepositoryNotFoundException e) {
      throw new InvalidInputException("No git repository at " + describe() + ".");
    }
  }

  private void fetch(Repository repo) throws IOException {
    try (Git git = new Git(repo)) {
      var fetch = git.fetch().setRemote(location)
          .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
          .setRemoveDeletedRefs(true)
          // A stalled remote must not hang a deploy (JGit applies this to each network read).
          .setTimeout(120);
      if (credentials != null) {
        fetch.setCredentialsProvider(credentials);
      }
      fetch.call();
    } catch (GitAPIException e) {
      throw new PotionsException("Could not fetch " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "GitRepositorySource[" + describe() + "]";
  }
}
