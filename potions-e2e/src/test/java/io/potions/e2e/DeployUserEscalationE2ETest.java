package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.AppSettings;
import io.potions.provision.ProvisionReport;
import io.potions.provision.ProvisioningException;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.TestkitKeys;
import io.potions.testkit.ThrowawayServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Attack tests: the {@code deploy} user (what every build and every SDK login runs as) plants a
 * symlink where provisioning, which runs as root, used to follow one; then {@code provision()}
 * runs again. Each test proves the link was really there just before, and that no root file
 * changed after. The last test watches every process's command line while an app's database
 * password is set.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployUserEscalationE2ETest {
  /** What root owns and an escalation would change: the preload file, the helper and its directory, /etc. */
  private static final String ROOT_STATE = String.join("; ",
      "if [ -e /etc/ld.so.preload ] || [ -L /etc/ld.so.preload ]; then echo \"preload $(sha256sum < /etc/ld.so.preload)\"; else echo 'preload absent'; fi",
      "stat -c '%n %U:%G %a %F' /usr/local/sbin /usr/local/sbin/potions-admin /etc /etc/sudoers.d /etc/sudoers.d/potions",
      "sha256sum /usr/local/sbin/potions-admin /etc/sudoers.d/potions",
      // Every entry of the helper's directory, by name, owner and mode (no block counts: a chown
      // copies the directory up in the container's overlay and changes those).
      "find /usr/local/sbin -mindepth 1 -printf '%p %u:%g %m %y\\n' | sort");

  private ThrowawayServer box;
  private Potions potions;
  private Server server;
  private Potions deployLogin;
  private RemoteExecutor deploy;
  private String rootStateBefore;

  @BeforeAll
  void start() {
    box = ThrowawayServer.provisioned();
    box.start();
    potions = Potions.builder().build();
    server = potions.existingServer("escalation-box", box.sshTarget()).provision();
    deployLogin = Potions.builder().build();
    deploy = deployLogin.existingServer(box.sshTarget("deploy", TestkitKeys.client())).executor();
    assertThat(asDeploy("whoami")).isEqualTo("deploy");
    rootStateBefore = root(ROOT_STATE);
    assertThat(rootStateBefore).contains("/usr/local/sbin root:root", "/usr/local/sbin/potions-admin root:root 755");
  }

  @AfterAll
  void stop() {
    if (deployLogin != null) {
      deployLogin.close();
    }
    if (potions != null) {
      potions.close();
    }
    if (box != null) {
      box.stop();
    }
  }

  /** Every attack leaves root's files as they were, and the server provisions cleanly again once the bait is gone. */
  @AfterEach
  void rootFilesNeverChanged() {
    assertThat(root(ROOT_STATE)).isEqualTo(rootStateBefore);
  }

  @Test
  @Order(1)
  void theAuthorizedKeysTempFileLinkedToARootFileIsNeverWrittenThrough() {
    // The old bootstrap wrote the keys to this fixed name with '>' then chmod/chown as root. The
    // deploy user also touches its keys file, so the next provision really rewrites it.
    asDeploy("ln -sfn /etc/ld.so.preload ~/.ssh/authorized_keys.potions-tmp"
        + " && echo '# tampered' >> ~/.ssh/authorized_keys");
    assertThat(root("stat -c '%F' /home/deploy/.ssh/authorized_keys.potions-tmp; readlink /home/deploy/.ssh/authorized_keys.potions-tmp"))
        .as("the bait is in place just before provision").isEqualTo("symbolic link\n/etc/ld.so.preload");

    ProvisionReport report = server.provision().lastProvision().orElseThrow();

    assertThat(report.changedSteps()).as("the users step really ran over the bait").contains("users");
    assertThat(root("test -e /etc/ld.so.preload && echo present || echo absent")).isEqualTo("absent");
    assertThat(root("stat -c '%U:%G %a %F' /home/deploy/.ssh/authorized_keys")).isEqualTo("deploy:deploy 600 regular file");
    assertThat(root("cat /home/deploy/.ssh/authorized_keys")).doesNotContain("tampered")
        .contains(TestkitKeys.client().publicKey().split(" ")[1]);
    assertThat(asDeploy("whoami")).as("deploy logins still work").isEqualTo("deploy");
    asDeploy("rm -f ~/.ssh/authorized_keys.potions-tmp");
  }

  @Test
  @Order(2)
  void theAuthorizedKeysFileItselfLinkedToARootFileIsReplacedNotFollowed() {
    // Planted from the console as the deploy user: the link breaks the deploy user's own logins.
    asDeployOnConsole("ln -sfn /etc/ld.so.preload .ssh/authorized_keys");
    assertThat(root("stat -c '%F' /home/deploy/.ssh/authorized_keys")).isEqualTo("symbolic link");

    ProvisionReport report = server.provision().lastProvision().orElseThrow();

    assertThat(report.changedSteps()).contains("users");
    assertThat(root("test -e /etc/ld.so.preload && echo present || echo absent")).isEqualTo("absent");
    assertThat(root("stat -c '%U:%G %a %F' /home/deploy/.ssh/authorized_keys")).isEqualTo("deploy:deploy 600 regular file");
    assertThat(asDeploy("whoami")).isEqualTo("deploy");
  }

  @Test
  @Order(3)
  void theStateDirectoryLinkedToTheHelpersDirectoryIsRefusedAndNeverHandedToDeploy() {
    // The old layout step ran `install -d -o deploy` on it as root: /usr/local/sbin would become
    // the deploy user's, who would then replace potions-admin (run as root through sudo).
    asDeploy("mv /opt/potions/.potions /opt/potions/.potions.kept && ln -s /usr/local/sbin /opt/potions/.potions");
    assertThat(root("stat -c '%F %U' /opt/potions/.potions; readlink /opt/potions/.potions"))
        .as("the bait is in place just before provision").isEqualTo("symbolic link deploy\n/usr/local/sbin");

    assertThatThrownBy(() -> server.provision())
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("Step 'layout'")
        .hasMessageContaining("/opt/potions/.potions is a symlink (to /usr/local/sbin), not a directory; refusing to follow it");

    assertThat(root("stat -c '%U:%G %a' /usr/local/sbin")).startsWith("root:");
    assertThat(asDeploy("touch /usr/local/sbin/potions-admin 2>&1 && echo WRITABLE || echo refused")).endsWith("refused");

    asDeploy("rm /opt/potions/.potions && mv /opt/potions/.potions.kept /opt/potions/.potions");
    assertThat(server.provision().lastProvision().orElseThrow().changedAnything()).isFalse();
  }

  @Test
  @Order(4)
  void theSlotsDirectoryLinkedToEtcIsRefusedToo() {
    asDeploy("mv /opt/potions/.slots /opt/potions/.slots.kept && ln -s /etc /opt/potions/.slots");
    assertThat(root("stat -c '%F' /opt/potions/.slots")).isEqualTo("symbolic link");

    assertThatThrownBy(() -> server.provision())
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("/opt/potions/.slots is a symlink (to /etc)");

    asDeploy("rm /opt/potions/.slots && mv /opt/potions/.slots.kept /opt/potions/.slots");
    assertThat(server.provision().lastProvision().orElseThrow().changedAnything()).isFalse();
  }

  @Test
  @Order(5)
  void aSymlinkedSshDirectoryIsRefusedAndEtcIsNotChowned() {
    // The old users step ran `install -d -o deploy -g deploy -m 0700 /home/deploy/.ssh` as root:
    // through this link, /etc would become the deploy user's.
    asDeployOnConsole("mv .ssh .ssh.kept && ln -s /etc .ssh");
    assertThat(root("stat -c '%F' /home/deploy/.ssh; readlink /home/deploy/.ssh")).isEqualTo("symbolic link\n/etc");

    assertThatThrownBy(() -> server.provision())
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("Step 'users'")
        .hasMessageContaining("/home/deploy/.ssh is a symlink; refusing to follow it");
    assertThat(root("stat -c '%U:%G %a' /etc")).isEqualTo("root:root 755");
    assertThat(root("test -e /etc/authorized_keys && echo present || echo absent")).isEqualTo("absent");

    asDeployOnConsole("rm .ssh && mv .ssh.kept .ssh");
    assertThat(server.provision().lastProvision().orElseThrow().changedAnything()).isFalse();
  }

  @Test
  @Order(6)
  void theHelperIsNeverReinstalledIntoADirectoryRootDoesNotOwn() {
    // Found while closing the routes above: a server where the deploy user already owns the
    // helper's directory (an earlier escalation) must not get a fresh root helper there.
    root("chown deploy /usr/local/sbin");
    try {
      assertThatThrownBy(() -> server.provision())
          .isInstanceOf(ProvisioningException.class)
          .hasMessageContaining("Step 'deploy-rights'")
          .hasMessageContaining("/usr/local/sbin is not a root-owned directory");
    } finally {
      root("chown root /usr/local/sbin");
    }
    assertThat(server.provision().lastProvision().orElseThrow().changedAnything()).isFalse();
  }

  @Test
  @Order(7)
  void theDatabasePasswordNeverAppearsOnAnyCommandLine() {
    // A root sampler records the command line of every process that has to do with the database
    // while an app is created and its password set again and again.
    root("cat > /root/sampler.py <<'EOF'\n"
        + "import os, time\n"
        + "seen = set()\n"
        + "while not os.path.exists('/root/sampler.stop'):\n"
        + "    for pid in os.listdir('/proc'):\n"
        + "        if pid.isdigit():\n"
        + "            try:\n"
        + "                with open('/proc/' + pid + '/cmdline', 'rb') as f:\n"
        + "                    line = f.read().replace(b'\\0', b' ').decode('utf-8', 'replace')\n"
        + "            except OSError:\n"
        + "                continue\n"
        + "            if any(w in line for w in ('psql', 'potions-admin', 'runuser', 'postgres')):\n"
        + "                seen.add(line)\n"
        + "    time.sleep(0.001)\n"
        + "with open('/root/cmdlines', 'w') as out:\n"
        + "    out.write('\\n'.join(sorted(seen)) + '\\n')\n"
        + "EOF\n"
        + "rm -f /root/sampler.stop /root/cmdlines; setsid python3 /root/sampler.py </dev/null >/dev/null 2>&1 &");

    server.app("probe").create(AppSettings.builder().addDomains("probe.test").https(false).build());
    // Set the same password again many times (db-create is idempotent), so the sampler surely
    // sees psql running. The password goes over stdin and is passed on with a here-string.
    String password = root("sed -n 's|^DATABASE_URL=\"postgres://app_probe:\\([^@]*\\)@.*|\\1|p' /opt/potions/probe/secrets/generated.env");
    assertThat(password).hasSizeGreaterThanOrEqualTo(16);
    ExecResult again = deploy.run(RemoteCommand.of("db-create, repeatedly",
        "pw=$(cat); for _ in $(seq 1 40); do sudo -n /usr/local/sbin/potions-admin db-create probe <<<\"$pw\"; done")
        .stdin((password + "\n").getBytes(StandardCharsets.UTF_8)).limit(Duration.ofMinutes(3)));
    assertThat(again.exitStatus()).as(again.tail(10)).isZero();
    root("touch /root/sampler.stop; for _ in $(seq 1 100); do [ -f /root/cmdlines ] && break; sleep 0.1; done");

    String cmdlines = root("cat /root/cmdlines");
    assertThat(cmdlines).as("the sampler really saw psql setting the password").contains("psql").contains("db=app_probe");
    assertThat(cmdlines).doesNotContain(password);
    // ...and the password did reach PostgreSQL: the app's role logs in with it.
    assertThat(root("export PGPASSWORD=\"$(sed -n 's|^DATABASE_URL=\"postgres://app_probe:\\([^@]*\\)@.*|\\1|p'"
        + " /opt/potions/probe/secrets/generated.env)\"; psql -h 127.0.0.1 -U app_probe -d app_probe -tAc 'select 42'"))
        .isEqualTo("42");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Runs as the deploy user over its own SSH login, as an attacker holding that user would. */
  private String asDeploy(String script) {
    ExecResult r = deploy.run(RemoteCommand.of("as deploy", script).limit(Duration.ofSeconds(60)));
    assertThat(r.exitStatus()).as("as deploy: %s%n%s", script, r.tail(10)).isZero();
    return r.out();
  }

  /** Runs as the deploy user from the console, for baits that break the deploy user's own SSH login. */
  private void asDeployOnConsole(String script) {
    String quoted = "'" + ("set -e; cd /home/deploy; " + script).replace("'", "'\\''") + "'";
    root("cd / && runuser -u deploy -- bash -c " + quoted);
  }

  private String root(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
