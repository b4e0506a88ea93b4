package io.potions.examples;

import io.potions.Potions;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.progress.ProgressListener;
import io.potions.source.GitRepositorySource;
import io.potions.ssh.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The Java part of a Gradle task that deploys the project: {@code docs/build-tools.md} shows the
 * task, which calls {@link #deploy}. Gradle cannot run on the machines that build this project, so
 * this class keeps the SDK calls of that page compiled (and a test checks that the page shows this
 * exact code).
 */
public final class GradleDeploy {
  private GradleDeploy() {}

  // snippet:gradle-deploy:start
  /**
   * Deploys the current branch of a git repository to an app on a server the SDK can log in to,
   * creating the app first when it does not exist.
   *
   * @param repository the project's git repository (its work tree)
   * @param appName the app's name on the server
   * @param settings the app's domains and options, used only when the app is created
   * @param server where and how to log in (pinned host key)
   * @param progress receives the deploy's progress (the Gradle task logs it)
   * @return the succeeded deployment
   */
  public static Deployment deploy(Path repository, String appName, AppSettings settings, SshTarget server,
      ProgressListener progress) {
    try (Potions potions = Potions.builder().progress(progress).build()) {
      App app = potions.existingServer(server).app(appName).withSource(GitRepositorySource.local(repository));
      if (!app.exists()) {
        app.create(settings);
      }
      return app.deploy(currentBranch(repository));
    }
  }

  /**
   * @param repository a git work tree
   * @return its checked-out branch (or commit, when detached)
   */
  public static String currentBranch(Path repository) {
    try (Repository repo = new FileRepositoryBuilder().findGitDir(repository.toFile()).setMustExist(true).build()) {
      return repo.getBranch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
  // snippet:gradle-deploy:end
}
