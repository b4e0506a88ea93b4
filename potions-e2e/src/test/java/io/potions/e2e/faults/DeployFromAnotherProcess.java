package io.potions.e2e.faults;

import io.potions.Potions;
import io.potions.progress.ProgressEvent;
import io.potions.source.GitRepositorySource;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.SshTarget;
import io.potions.testkit.TestkitKeys;
import java.nio.file.Path;

/**
 * A separate SDK process that deploys and prints its build output, so a test can kill it in the
 * middle of a deploy. Arguments: ssh port, pinned host key, repository path, ref.
 */
public final class DeployFromAnotherProcess {
  private DeployFromAnotherProcess() {}

  /**
   * @param args ssh port, host key line, repository, ref
   */
  public static void main(String[] args) {
    SshTarget target = SshTarget.builder().host("127.0.0.1").port(Integer.parseInt(args[0]))
        .identity(TestkitKeys.client()).hostKeys(HostKeyPolicy.pinned(args[1])).build();
    try (Potions potions = Potions.builder().progress(e -> {
      if (e instanceof ProgressEvent.StepOutput o) {
        System.out.println("[" + o.step() + "] " + o.line());
        System.out.flush();
      }
    }).build()) {
      potions.existingServer(target).app("shop").withSource(GitRepositorySource.local(Path.of(args[2])))
          .deploy(args[3]);
      System.out.println("DEPLOYED");
    }
  }
}
