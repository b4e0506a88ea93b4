package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.HealthCheck;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Attack tests on one server hosting two apps, A ({@code alpha}) and B ({@code beta}): as A's own
 * OS user, and from inside A's running slot (its mount namespace, as its user, without new
 * privileges), every way to reach B's secrets, data or traffic is refused. Each attack first proves
 * it is real: the target exists, root can read it, B is running.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolationE2ETest {
  private static final String A = "alpha";
  private static final String B = "beta";
  private static final String B_FILE_CONTENT = "beta-private-data-5e1f";

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Server server;
  private SampleRepository repo;

  @BeforeAll
  void start() throws Exception {
    fixture = ServerFixture.start("isolation");
    box = fixture.box();
    server = fixture.connect(Potions.builder().build()).provision();
    repo = fixture.repo();
    HealthCheck health = HealthCheck.builder().deadline(Duration.ofSeconds(60)).build();
    // A has its own limits; B keeps the defaults.
    App a = fixture.app(server, A);
    a.create(AppSettings.builder().addDomains(A + ".test").https(false).healthCheck(health)
        .migrationCommand("PotionsSample.Release.migrate()")
        .memoryMaxMib(384).cpuQuotaPercent(50).tasksMax(200).build());
    App b = fixture.app(server, B);
    b.create(AppSettings.builder().addDomains(B + ".test").https(false).healthCheck(health)
        .migrationCommand("PotionsSample.Release.migrate()").build());
    assertThat(a.deploy("main").succeeded()).isTrue();
    assertThat(b.deploy("main").succeeded()).isTrue();
    assertThat(http(B, "POST", "/storage/private.txt", B_FILE_CONTENT).status()).isEqualTo(200);
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void eachAppRunsAsItsOwnUserInTheSandboxAndItsMigrationRanThere() throws Exception {
    for (String app : new String[] {A, B}) {
      assertThat(exec("systemctl show -p User -p ProtectProc -p ProtectSystem -p ProtectHome -p PrivateTmp"
          + " -p NoNewPrivileges -p ProcSubset potions-app@" + app + "-blue").split("\n"))
          .containsExactlyInAnyOrder("User=p-" + app, "ProtectProc=invisible", "ProtectSystem=strict",
              "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "ProcSubset=pid");
      assertThat(exec("ps -o user= -p " + beamPid(app))).isEqualTo("p-" + app);
      // The migration (run by the helper with the slot's user, sandbox and limits) wrote its row.
      assertThat(http(app, "GET", "/db/migrations", null).body()).contains("0.1.0");
      assertThat(http(app, "GET", "/db", null).body().trim()).isEqualTo("app_" + app + ":app_" + app);
    }
    assertThat(exec("pgrep -u potions -x beam.smp || echo none")).isEqualTo("none");
    assertThat(exec("stat -c '%U %a' /var/lib/potions/storage /var/lib/potions/storage/alpha /var/lib/potions/storage/beta"))
        .isEqualTo("root 711\np-alpha 700\np-beta 700");
  }

  @Test
  @Order(2)
  void theLimitsInTheSettingsAreTheLimitsOfTheRunningUnit() throws Exception {
    assertThat(exec("systemctl show -p MemoryMax -p CPUQuotaPerSecUSec -p TasksMax potions-app@alpha-blue").split("\n"))
        .containsExactlyInAnyOrder("MemoryMax=" + 384L * 1024 * 1024, "CPUQuotaPerSecUSec=500ms", "TasksMax=200");
    assertThat(exec("systemctl show -p MemoryMax -p CPUQuotaPerSecUSec -p TasksMax potions-app@beta-blue").split("\n"))
        .containsExactlyInAnyOrder("MemoryMax=" + 512L * 1024 * 1024, "CPUQuotaPerSecUSec=1s", "TasksMax=512");
    // And the kernel enforces them: the unit's pids cgroup says 200.
    assertThat(exec(pidsCgroup(beamPid(A)) + "cat \"$cg/pids.max\"")).isEqualTo("200");
  }

  @Test
  @Order(3)
  void aSlotCannotForkPastItsTasksLimit() throws Exception {
    // A process of A's user in A's unit's cgroup forks until refused: it stops below TasksMax (200),
    // counting the BEAM's own threads, and A's app keeps serving.
    String out = exec(pidsCgroup(beamPid(A)) + "bash -c 'echo $$ > \"$1/cgroup.procs\"; exec setpriv --reuid p-alpha"
        + " --regid p-alpha --clear-groups perl -e '\\''my $n = 0; for (1..400) { my $p = fork();"
        + " if (!defined $p) { print qq(refused after $n\\n); last } if ($p == 0) { sleep 3; exit 0 } $n++ }"
        + " 1 while wait() > 0;'\\''' _ \"$cg\"");
    assertThat(out).startsWith("refused after ");
    int forked = Integer.parseInt(out.substring("refused after ".length()).trim());
    assertThat(forked).isGreaterThan(50).isLessThan(200);
    assertThat(http(A, "GET", "/version", null).status()).isEqualTo(200);
  }

  @Test
  @Order(4)
  void aCannotReadBsProcessEnvironment() throws Exception {
    int bPid = beamPid(B);
    // Real: B runs, and its environment holds its secrets.
    assertThat(exec("tr '\\0' '\\n' < /proc/" + bPid + "/environ | grep -c '^SECRET_KEY_BASE='")).isEqualTo("1");
    assertThat(exec("tr '\\0' '\\n' < /proc/" + bPid + "/environ | grep -c '^DATABASE_URL=postgres://app_beta:'"))
        .isEqualTo("1");
    Container.ExecResult asUser = box.console("runuser -u p-alpha -- cat /proc/" + bPid + "/environ");
    assertThat(asUser.getExitCode()).isNotZero();
    assertThat(asUser.getStdout()).isEmpty();
    assertThat(asUser.getStderr()).contains("Permission denied");
    // Inside A's slot, B's processes are not even visible (ProtectProc=invisible).
    Container.ExecResult inSlot = inASlot("cat /proc/" + bPid + "/environ");
    assertThat(inSlot.getExitCode()).isNotZero();
    assertThat(inSlot.getStdout()).isEmpty();
    assertThat(inSlot.getStderr()).contains("No such file or directory");
    assertThat(inASlot("test -d /proc/" + beamPid(A) + " && echo sees-itself").getStdout().trim()).isEqualTo("sees-itself");
  }

  @Test
  @Order(5)
  void aCannotReadBsEnvFile() throws Exception {
    String file = "/etc/potions/env/beta-blue";
    // Real: B's live slot reads its secrets from this file.
    assertThat(exec("grep -c '^DATABASE_URL=' " + file)).isEqualTo("1");
    for (String user : new String[] {"p-alpha", "deploy"}) {
      Container.ExecResult r = box.console("runuser -u " + user + " -- cat " + file);
      assertThat(r.getExitCode()).as(user).isNotZero();
      assertThat(r.getStdout()).as(user).isEmpty();
      assertThat(r.getStderr()).as(user).contains("Permission denied");
    }
    Container.ExecResult inSlot = inASlot("cat " + file);
    assertThat(inSlot.getExitCode()).isNotZero();
    assertThat(inSlot.getStdout()).isEmpty();
  }

  @Test
  @Order(6)
  void aCannotReadOrWriteBsStorage() throws Exception {
    String file = "/var/lib/potions/storage/beta/private.txt";
    // Real: B wrote it through its app, root reads it, B reads it back.
    assertThat(exec("cat " + file)).isEqualTo(B_FILE_CONTENT);
    assertThat(http(B, "GET", "/storage/private.txt", null).body()).isEqualTo(B_FILE_CONTENT);
    for (String attack : new String[] {"cat " + file, "ls /var/lib/potions/storage/beta",
        "touch /var/lib/potions/storage/beta/planted", "ls /var/lib/potions/storage"}) {
      for (String user : new String[] {"p-alpha", "deploy"}) {
        Container.ExecResult r = box.console("runuser -u " + user + " -- " + attack);
        assertThat(r.getExitCode()).as(user + ": " + attack).isNotZero();
        assertThat(r.getStderr()).as(user + ": " + attack).contains("Permission denied");
      }
      Container.ExecResult inSlot = inASlot(attack);
      assertThat(inSlot.getExitCode()).as("in A's slot: " + attack).isNotZero();
      assertThat(inSlot.getStdout()).as("in A's slot: " + attack).doesNotContain(B_FILE_CONTENT, "private.txt");
    }
    assertThat(exec("test -e /var/lib/potions/storage/beta/planted && echo planted || echo absent")).isEqualTo("absent");
    // A's slot writes its own storage, and nothing else on the system (ProtectSystem=strict).
    assertThat(inASlot("touch /var/lib/potions/storage/alpha/mine && echo ok").getStdout().trim()).isEqualTo("ok");
    // A directory A's user owns outside its storage: writable outside the sandbox, read-only inside.
    exec("install -d -o p-alpha -g p-alpha -m 0700 /srv/alpha-owned"
        + " && runuser -u p-alpha -- touch /srv/alpha-owned/outside-the-sandbox");
    Container.ExecResult elsewhere = inASlot("touch /srv/alpha-owned/escape");
    assertThat(elsewhere.getExitCode()).isNotZero();
    assertThat(elsewhere.getStderr()).contains("Read-only file system");
  }

  @Test
  @Order(7)
  void aCannotConnectToBsDatabaseWithItsCredentials() throws Exception {
    // A's password, read by root from A's env file; it stays inside the server's shell.
    String pw = "PGPASSWORD=$(sed -n 's/^DATABASE_URL=\"postgres:\\/\\/app_alpha:\\([^@]*\\)@.*/\\1/p'"
        + " /etc/potions/env/alpha-blue) ";
    String psql = "runuser -u p-alpha -- psql -X -h 127.0.0.1 -U app_alpha -tAc 'select current_database()' -d ";
    // Real: the credentials work for A's own database, and B's database exists.
    assertThat(exec("cd /tmp && " + pw + psql + "app_alpha")).isEqualTo("app_alpha");
    assertThat(exec("cd /tmp && runuser -u postgres -- psql -tAc \"select count(*) from pg_database where datname = 'app_beta'\""))
        .isEqualTo("1");
    Container.ExecResult r = box.console("cd /tmp && " + pw + psql + "app_beta");
    assertThat(r.getExitCode()).isNotZero();
    assertThat(r.getStdout()).doesNotContain("app_beta");
    assertThat(r.getStderr()).contains("pg_hba.conf rejects connection for host \"127.0.0.1\", user \"app_alpha\","
        + " database \"app_beta\"");
    // Behind pg_hba, the database itself refuses every role but its owner.
    assertThat(exec("cd /tmp && runuser -u postgres -- psql -tAc"
        + " \"select has_database_privilege('app_alpha', 'app_beta', 'CONNECT')\"")).isEqualTo("f");
  }

  @Test
  @Order(8)
  void aCannotReconfigureCaddy() throws Exception {
    String load = "curl -sS -m 5 -X POST -H 'Content-Type: application/json' --data '{}' http://127.0.0.1:2019/load";
    // Real: the admin API answers root and the deploy user (the SDK), and holds both apps' routes.
    assertThat(exec("curl -fsS http://127.0.0.1:2019/config/")).contains("alpha.test", "beta.test");
    assertThat(exec("runuser -u deploy -- curl -fsS -o /dev/null -w '%{http_code}' http://127.0.0.1:2019/config/"))
        .isEqualTo("200");
    for (String user : new String[] {"p-alpha", "p-beta", "potions", "nobody"}) {
      Container.ExecResult r = box.console("runuser -u " + user + " -- " + load);
      assertThat(r.getExitCode()).as(user).isEqualTo(7);
      assertThat(r.getStderr()).as(user).contains("Couldn't connect to server");
    }
    Container.ExecResult inSlot = inASlot(load);
    assertThat(inSlot.getExitCode()).isEqualTo(7);
    // Nothing changed: both apps still serve through Caddy.
    assertThat(http(A, "GET", "/version", null).status()).isEqualTo(200);
    assertThat(http(B, "GET", "/version", null).status()).isEqualTo(200);
    // The rule comes back at boot: potions-routes.service (routes-restore) re-applies it.
    exec("iptables -w -D OUTPUT -o lo -p tcp --dport 2019 -j POTIONS-ADMIN");
    assertThat(box.console("runuser -u p-alpha -- curl -sS -m 5 -o /dev/null http://127.0.0.1:2019/config/").getExitCode())
        .as("without the rule the attack would work").isZero();
    exec("systemctl restart potions-routes.service");
    assertThat(box.console("runuser -u p-alpha -- " + load).getExitCode()).isEqualTo(7);
    assertThat(http(A, "GET", "/version", null).status()).isEqualTo(200);
  }

  /** The main BEAM process of the app's blue slot (the first deploy's slot). */
  private int beamPid(String app) {
    return Integer.parseInt(exec("pgrep -u p-" + app + " -x beam.smp | head -1"));
  }

  /** Bash that sets $cg to the pids cgroup directory of a process (cgroup v1 or v2). */
  private static String pidsCgroup(int pid) {
    return "if l=$(grep -m1 '^[0-9]*:pids:' /proc/" + pid + "/cgroup); then cg=/sys/fs/cgroup/pids${l#*:pids:};"
        + " else l=$(grep -m1 '^0::' /proc/" + pid + "/cgroup); cg=/sys/fs/cgroup${l#0::}; fi; ";
  }

  /** Runs a command as A's user inside A's running slot's mount namespace, without new privileges. */
  private Container.ExecResult inASlot(String command) {
    return box.console("nsenter -t " + beamPid(A) + " -m setpriv --reuid p-alpha --regid p-alpha --clear-groups"
        + " --no-new-privs -- sh -c " + io.potions.internal.shell.Shell.quote(command));
  }

  private HttpProbe.Response http(String app, String method, String path, String body) throws Exception {
    return HttpProbe.send("127.0.0.1", box.httpPort(), app + ".test", method, path, body);
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
