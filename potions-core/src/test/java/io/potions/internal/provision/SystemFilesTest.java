package io.potions.internal.provision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the bootstrap installs, checked to the byte where a change would matter, and the root
 * helper's argument checks, exercised locally: every external command it could reach is a stub that
 * only records the call, so a bad argument must be refused with nothing recorded.
 */
class SystemFilesTest {
  /** Every external command the helper uses; the stubs take their place on PATH. */
  private static final List<String> HELPER_COMMANDS = List.of("systemctl", "journalctl", "install", "mktemp",
      "head", "grep", "chmod", "mv", "rm", "sed", "tr", "systemd-run", "iptables", "awk", "basename", "runuser",
      "psql", "cat", "ls", "useradd", "userdel", "id", "mkdir", "chown", "iptables-restore", "timeout", "sleep",
      "apt-get");
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String RELEASE = "20261122-010203-0123456-abcd";
  private static final String ELIXIR_BIN = "/opt/potions/.runtimes/mise/installs/elixir/1.17.3-otp-27/bin";

  @TempDir Path dir;

  @Test
  void theSudoersFileGrantsExactlyTheHelper() {
    assertThat(SystemFiles.sudoers()).isEqualTo("""
        # Managed by Potions. The deploy user may run only the validating helper as root.
        Defaults:deploy !requiretty
        deploy ALL=(root) NOPASSWD: /usr/local/sbin/potions-admin
        """);
  }

  @Test
  void theSlotTemplateUnitIsExactlyThis() {
    assertThat(SystemFiles.slotUnitTemplate()).isEqualTo("""
        # Managed by Potions: one instance per app slot, named <app>-<slot>.
        [Unit]
        Description=Potions app slot %i
        After=network-online.target postgresql.service
        Wants=network-online.target
        StartLimitIntervalSec=60
        StartLimitBurst=5

        [Service]
        Type=exec
        User=potions
        Group=potions
        WorkingDirectory=/opt/potions/.slots/%i/release
        EnvironmentFile=/etc/potions/env/%i
        Environment=RELEASE_TMP=/tmp HOME=/tmp ERL_EPMD_ADDRESS=127.0.0.1
        ExecStart=/bin/sh -c 'exec "/opt/potions/.slots/%i/release/bin/$POTIONS_RELEASE_NAME" start'
        Restart=on-failure
        RestartSec=2
        TimeoutStopSec=30
        KillMode=mixed
        LimitNOFILE=65536
        SyslogIdentifier=potions-%i
        # Sandbox: the app sees only its own processes and may write only to its private /tmp and to its
        # storage (ReadWritePaths in the app's root-written drop-in, which also sets its own user and its
        # limits; User= above is the fallback, never root). No MemoryDenyWriteExecute: the BEAM's JIT needs it.
        NoNewPrivileges=yes
        PrivateTmp=yes
        PrivateDevices=yes
        ProtectSystem=strict
        ProtectHome=yes
        ProtectProc=invisible
        ProcSubset=pid
        ProtectKernelTunables=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictSUIDSGID=yes
        RestrictNamespaces=yes
        RestrictRealtime=yes
        LockPersonality=yes
        RemoveIPC=yes
        CapabilityBoundingSet=
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
        SystemCallArchitectures=native
        UMask=0077

        [Install]
        WantedBy=multi-user.target
        """);
  }

  @Test
  void theRoutesUnitIsExactlyThis() {
    assertThat(SystemFiles.routesUnit()).isEqualTo("""
        # Managed by Potions: restore each app's live-slot NAT rule at boot.
        [Unit]
        Description=Potions app routes (loopback NAT to each app's live slot)
        After=network-pre.target ufw.service
        Before=network.target
        Wants=network-pre.target

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=/usr/local/sbin/potions-admin routes-restore

        [Install]
        WantedBy=multi-user.target
        """);
  }

  @Test
  void theHelperValidatesAppNamesWithTheSamePatternAsJava() {
    String helper = SystemFiles.adminHelper();
    assertThat(helper).startsWith("#!/bin/bash\n").contains("set -euo pipefail\n")
        .contains("app_ok() { [[ \"$1\" =~ " + SystemFiles.APP_NAME_PATTERN + " ]] || die \"invalid app name '$1'\"; }")
        .contains("slot_ok() { [[ \"$1\" =~ ^(blue|green)$ ]]")
        .doesNotContain("@@");
  }

  @Test
  void theHelperRefusesBadArgumentsBeforeRunningAnything() throws Exception {
    String[][] refused = {
        {"unit", "start", "../etc", "blue"},
        {"unit", "start", "a/b", "blue"},
        {"unit", "start", "shop api", "blue"},
        {"unit", "start", "", "blue"},
        {"unit", "start", "Shop", "blue"},
        {"unit", "start", "-rf", "blue"},
        {"unit", "start", "shop\n", "blue"},
        {"unit", "start", "a234567890123456789012345678901", "blue"},
        {"unit", "start", "shop", "purple"},
        {"unit", "start", "shop", "blue/../x"},
        {"unit", "kill", "shop", "blue"},
        {"unit", "start", "shop", "blue", "extra"},
        {"unit", "start", "shop"},
        {"logs", "shop", "all", "10; rm -rf /"},
        {"logs", "shop", "blue", "1234567"},
        {"logs", "shop", "blue", "10", "--follow"},
        {"logs", "../shop", "all", "10"},
        {"env", "../x", "blue"},
        {"env", "shop", "red"},
        {"storage", "shop"},
        {"app-init", "a/../b", "512", "100", "512"},
        {"app-init", "..", "512", "100", "512"},
        {"app-init", "shop", "63", "100", "512"},
        {"app-init", "shop", "512", "0", "512"},
        {"app-init", "shop", "512", "6401", "512"},
        {"app-init", "shop", "512", "100", "31"},
        {"app-init", "shop", "512M", "100", "512"},
        {"app-init", "shop", "512", "100%", "512"},
        {"app-init", "shop", "512", "100", "infinity"},
        {"app-init", "shop", "512", "100"},
        {"unit-config", "../x", "512", "100", "512"},
        {"admin-guard", "extra"},
        {"migrate", "sh op", "blue", "IO.puts(1)"},
        {"migrate", "shop", "x", "IO.puts(1)"},
        {"route", "shop", "80", "4001"},
        {"route", "shop", "4000", "99999"},
        {"route", "shop", "4000", "40a1"},
        {"route", "sh/op", "4000", "4001"},
        {"db-create", "x;y"},
        {"db-create", "$(id)"},
        {"db-drop", ".."},
        {"app-delete", ".."},
        {"app-delete", "/"},
        {"app-delete", "a/b"},
        {"app-delete", "shop", "extra"},
        {"app-delete"},
        {"build-user", "../x"},
        {"build-user", "Shop"},
        {"build-user"},
        {"build-user", "shop", "extra"},
        {"build", "../x", RELEASE, SHA, "600"},
        {"build", "shop", "../x", SHA, "600"},
        {"build", "shop", ".hidden", SHA, "600"},
        {"build", "shop", "a/b", SHA, "600"},
        {"build", "shop", RELEASE, "0123abc", "600"},
        {"build", "shop", RELEASE, SHA.toUpperCase(), "600"},
        {"build", "shop", RELEASE, SHA + "\n", "600"},
        {"build", "shop", RELEASE, "HEAD", "600"},
        {"build", "shop", RELEASE, SHA, "600s"},
        {"build", "shop", RELEASE, SHA, "-1"},
        {"build", "shop", RELEASE, SHA},
        {"build", "shop", RELEASE, SHA, "600", ELIXIR_BIN, "extra"},
        {"build", "shop", RELEASE, SHA, "600", "/usr/bin"},
        {"build", "shop", RELEASE, SHA, "600", "/tmp/evil/bin"},
        {"build", "shop", RELEASE, SHA, "600", "/opt/potions/shop/build/bin"},
        {"build", "shop", RELEASE, SHA, "600", "/opt/potions/xruntimes/mise/installs/elixir/1/bin"},
        {"build", "shop", RELEASE, SHA, "600", "/opt/potions/.runtimes/mise/installs/elixir/../../../../../tmp/bin"},
        {"build", "shop", RELEASE, SHA, "600", ELIXIR_BIN + ":"},
        {"build", "shop", RELEASE, SHA, "600", ELIXIR_BIN + "::/tmp"},
        {"build", "shop", RELEASE, SHA, "600", ELIXIR_BIN + ":."},
        {"build", "shop", RELEASE, SHA, "600", ELIXIR_BIN + "\n/tmp"},
        {"build-user-delete", ".."},
        {"build-stop", "../shop"},
        {"build-stop", "shop", "extra"},
        {"build-user-delete"},
        {"build-release-delete", "shop"},
        {"build-release-delete", "../shop", RELEASE},
        {"build-release-delete", "shop", "../../etc"},
        {"build-release-delete", "shop", RELEASE, ".."},
        {"rm", "-rf", "/"},
        {""},
        {},
    };
    Path helper = helperWithStubs();
    for (String[] args : refused) {
      Result r = run(helper, args);
      String what = String.join(" | ", args);
      assertThat(r.exit).as(what + ": " + r.stderr).isEqualTo(64);
      assertThat(r.stderr).as(what).startsWith("potions-admin: ");
      assertThat(r.calls).as(what + " ran nothing").isEmpty();
    }
  }

  @Test
  void theHelperRunsExactlyTheValidatedCommand() throws Exception {
    Path helper = helperWithStubs();
    assertThat(run(helper, "version").stdout).isEqualTo("potions-admin 2\n");
    Result unit = run(helper, "unit", "restart", "shop-api", "blue");
    assertThat(unit.exit).as(unit.stderr).isZero();
    assertThat(unit.calls).isEqualTo("systemctl restart potions-app@shop-api-blue.service\n");
    Result logs = run(helper, "logs", "shop-api", "all", "40", "follow");
    assertThat(logs.calls).isEqualTo("journalctl --no-pager -o short-iso -n 40 --follow"
        + " -u potions-app@shop-api-blue.service -u potions-app@shop-api-green.service\n");
  }

  @Test
  void eachSlotRunsAsTheAppsOwnUserWithItsStorageAndLimits() throws Exception {
    Result r = run(helperWithStubs(), "unit-config", "shop-api", "384", "150", "256");
    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.calls).as("printing changes nothing").isEmpty();
    assertThat(r.stdout).isEqualTo("""
        # Managed by Potions: app shop-api runs as its own user, writes only to its storage, within its limits.
        [Service]
        User=p-shop-api
        Group=p-shop-api
        ReadWritePaths=/var/lib/potions/storage/shop-api
        MemoryMax=384M
        CPUQuota=150%
        TasksMax=256
        """);
  }

  @Test
  void theLongestAppNameGivesAValidLinuxUserName() {
    String app = "a23456789012345678901234567890";
    assertThat(io.potions.internal.Names.app(app)).hasSize(30);
    assertThat(ServerLayout.appUser(app)).hasSizeLessThanOrEqualTo(32).matches("[a-z][-a-z0-9]*");
  }

  @Test
  void migrationsRunInTheSameSandboxAsTheSlots() {
    String helper = SystemFiles.adminHelper();
    String unit = SystemFiles.slotUnitTemplate();
    assertThat(SystemFiles.sandbox()).contains("ProtectProc=invisible", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "NoNewPrivileges=yes");
    for (String property : SystemFiles.sandbox()) {
      assertThat(unit).contains("\n" + property + "\n");
      assertThat(helper).contains("-p " + io.potions.internal.shell.Shell.quote(property));
    }
    // The migration takes the app's user, storage and limits from the slot's root-written drop-in.
    assertThat(helper).contains("-p User=\"$user\" -p Group=\"$user\" \"${app_props[@]}\" \"${SANDBOX[@]}\"")
        .contains("ReadWritePaths=*|MemoryMax=*|CPUQuota=*|TasksMax=*) app_props+=(-p \"$line\") ;;")
        // Never root: the shared user unless the drop-in names the app's own, and root is refused.
        .contains("user=potions\n").contains("[ \"$user\" != root ] || die");
  }

  @Test
  void theAdminApiRuleAcceptsOnlyRootDeployAndTheProxyAndRejectsEveryoneElse() {
    String helper = SystemFiles.adminHelper();
    assertThat(helper).contains("for u in root deploy caddy; do")
        .contains("\"-A POTIONS-ADMIN -p tcp -j REJECT --reject-with tcp-reset\" \"COMMIT\" | iptables-restore -w --noflush")
        .contains("iptables -w -I OUTPUT 1 -o lo -p tcp --dport 2019 -j POTIONS-ADMIN");
    // At boot too: the routes unit runs routes-restore, which applies the rule first.
    assertThat(helper).contains("routes-restore)\n    # routes-restore: at boot, the admin API rule"
        + " and every app's NAT rule (from /etc/potions/routes)\n    admin_guard\n");
  }

  @Test
  void theStorageIsCreatedUnderRootOwnedParentsWithoutACheckThenUse() {
    String helper = SystemFiles.adminHelper();
    assertThat(helper).contains("STORAGE_ROOT=/var/lib/potions/storage\n")
        .contains("install -d -o root -g root -m 0711 \"${STORAGE_ROOT%/*}\" \"$STORAGE_ROOT\"")
        .contains("chown -h -- \"$user:$user\" \"$STORAGE_ROOT/$1\"")
        .doesNotContain("[ -L \"/opt/potions/$1/storage\" ]");
  }

  @Test
  void theBuildUserIsCreatedWithNoLoginAndOwnsOnlyItsAreaUnderARootOwnedParent() throws Exception {
    Path helper = helperWithStubs();
    Result r = run(helper, "build-user", "shop");
    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.calls).isEqualTo("""
        id -u pb-shop
        install -d -o root -g root -m 0755 /var/lib/potions-build
        install -d -o pb-shop -g pb-shop -m 0755 /var/lib/potions-build/shop
        """);
    // User names stop at 32 characters: a 30-character app name drops the hyphen.
    Result longName = run(helper, "build-user", "a".repeat(30));
    assertThat(longName.calls).startsWith("id -u pb" + "a".repeat(30) + "\n");
    Result delete = run(helper, "build-user-delete", "shop");
    assertThat(delete.calls).isEqualTo("""
        systemctl stop potions-build-shop.service
        systemctl reset-failed potions-build-shop.service
        rm -rf --one-file-system /var/lib/potions-build/shop
        id -u pb-shop
        userdel pb-shop
        """);
    // A cancelled deploy's build: the stub says the unit is active, so it is stopped.
    Result stop = run(helper, "build-stop", "shop");
    assertThat(stop.calls).isEqualTo("systemctl is-active --quiet potions-build-shop.service\n"
        + "systemctl stop potions-build-shop.service\n");
    Result releases = run(helper, "build-release-delete", "shop", RELEASE, "older-1");
    assertThat(releases.calls).isEqualTo("id -u pb-shop\nrunuser -u pb-shop -- rm -rf -- /var/lib/potions-build/shop/releases/"
        + RELEASE + " /var/lib/potions-build/shop/releases/older-1\n");
  }

  @Test
  void theBuildRunsAsTheBuildUserInASandboxWithTheHelpersOwnScriptAndLimit() throws Exception {
    Path helper = helperWithStubs();
    Result r = run(helper, "build", "shop", RELEASE, SHA, "600", "1024", "20", ELIXIR_BIN);
    assertThat(r.exit).as(r.stderr).isZero();
    // The stub says a unit is active: the leftover build is stopped first.
    assertThat(r.stdout).contains("==> stopping a build left over from an interrupted deploy");
    assertThat(r.calls).startsWith("""
        id -u pb-shop
        install -d -o root -g root -m 0755 /var/lib/potions-build
        install -d -o pb-shop -g pb-shop -m 0755 /var/lib/potions-build/shop
        systemctl is-active --quiet potions-build-shop.service
        systemctl stop potions-build-shop.service
        sleep 1
        systemctl reset-failed potions-build-shop.service
        """ + "timeout --kill-after=10s 600s systemd-run --quiet --wait --pipe --collect --service-type=exec"
            + " --unit=potions-build-shop.service -p User=pb-shop -p Group=pb-shop -p UMask=0022"
            + " -p WorkingDirectory=/var/lib/potions-build/shop -E HOME=/var/lib/potions-build/shop/home"
            + " -p ProtectSystem=strict -p ReadWritePaths=/var/lib/potions-build/shop -p ProtectHome=yes -p PrivateTmp=yes"
            + " -p PrivateDevices=yes -p NoNewPrivileges=yes -p RestrictSUIDSGID=yes -p ProtectProc=invisible"
            + " -p ProtectKernelTunables=yes -p ProtectKernelModules=yes -p ProtectControlGroups=yes"
            + " -p RuntimeMaxSec=660 -p TimeoutStopSec=15"
            + " -p MemoryMax=1024M -p CPUWeight=20 -p OOMScoreAdjust=500 -p CPUSchedulingPolicy=batch"
            + " -p IOSchedulingClass=best-effort -p IOSchedulingPriority=7 -E POTIONS_BUILD_MEMORY_MIB=1024 /bin/bash -c ")
        .contains(SystemFiles.buildScript().stripTrailing())
        .endsWith(" potions-build shop " + RELEASE + " " + SHA + " " + ELIXIR_BIN
            + "\nsystemctl stop potions-build-shop.service\n");
  }

  @Test
  void theBuildGetsAMemoryCeilingHalfTheServersMemoryUnlessSetAndBadLimitsAreRefused() throws Exception {
    Path helper = helperWithStubs();
    long totalKib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    Result auto = run(helper, "build", "shop", RELEASE, SHA, "600", "0", "20");
    assertThat(auto.exit).as(auto.stderr).isZero();
    assertThat(auto.calls).contains(" -p MemoryMax=" + totalKib / 2048 + "M -p CPUWeight=20 ")
        .contains(" -E POTIONS_BUILD_MEMORY_MIB=" + totalKib / 2048 + " ")
        .endsWith(" potions-build shop " + RELEASE + " " + SHA + " \nsystemctl stop potions-build-shop.service\n");
    for (String[] bad : List.of(new String[] {"100", "20"}, new String[] {"12345678", "20"},
        new String[] {"1024", "0"}, new String[] {"1024", "10001"}, new String[] {"1024", "x"},
        new String[] {"1024M", "20"})) {
      Result r = run(helper, "build", "shop", RELEASE, SHA, "600", bad[0], bad[1]);
      assertThat(r.exit).as(String.join(" ", bad)).isEqualTo(64);
      assertThat(r.calls).as(String.join(" ", bad)).isEmpty();
    }
    // The old argument list (no limits) is refused rather than read wrongly.
    assertThat(run(helper, "build", "shop", RELEASE, SHA, "600", ELIXIR_BIN).exit).isEqualTo(64);
  }

  @Test
  void nodeIsInstalledFromTheDistributionWithFixedPackageNamesAndNoArguments() throws Exception {
    Path helper = helperWithStubs();
    Result r = run(helper, "node-install");
    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.calls).isEqualTo("apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends nodejs npm\n");
    assertThat(run(helper, "node-install", "evil-package").exit).isEqualTo(64);
    // Already there: nothing runs.
    for (String tool : List.of("node", "npm")) {
      Path stub = dir.resolve("stubs").resolve(tool);
      Files.writeString(stub, "#!" + bash() + "\n");
      Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
    }
    assertThat(run(helper, "node-install").calls).isEmpty();
  }

  @Test
  void theBuildRunsNpmCiInAssetsBeforeAssetsDeploy() {
    String script = SystemFiles.buildScript();
    int npm = script.indexOf("(cd assets && npm ci --no-audit --no-fund --loglevel=warn)");
    assertThat(npm).isPositive();
    assertThat(script.indexOf("if [ -f assets/package.json ]; then")).isLessThan(npm);
    assertThat(npm).isLessThan(script.indexOf("mix assets.deploy"));
    assertThat(script.indexOf("mix compile")).isLessThan(npm);
  }

  @Test
  void theBuildScriptReportsAStopAtTheMemoryCeilingFromItsOwnCgroup() {
    String script = SystemFiles.buildScript();
    // Both cgroup versions: v1 (these test machines, hybrid) and v2 (droplets).
    assertThat(script).contains("/sys/fs/cgroup/memory${line#*:memory:}/memory.oom_control")
        .contains("/sys/fs/cgroup${line#0::}/memory.events")
        .contains("echo \"POTIONS_BUILD_OUT_OF_MEMORY=${POTIONS_BUILD_MEMORY_MIB:-unknown}\"")
        .contains("trap on_exit EXIT");
    // Installed before anything that can use memory runs.
    assertThat(script.indexOf("trap on_exit EXIT")).isLessThan(script.indexOf("mix deps.get"));
  }

  private Path helperWithStubs() throws IOException {
    Path stubs = Files.createDirectories(dir.resolve("stubs"));
    for (String command : HELPER_COMMANDS) {
      Path stub = stubs.resolve(command);
      // Builtins only: PATH holds nothing but the stubs.
      Files.writeString(stub, "#!" + bash() + "\necho \"${0##*/} $*\" >> \"$CALLS\"\n");
      Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
    }
    Path helper = dir.resolve("potions-admin");
    Files.writeString(helper, SystemFiles.adminHelper());
    return helper;
  }

  private Result run(Path helper, String... args) throws Exception {
    Path calls = dir.resolve("calls");
    Files.deleteIfExists(calls);
    List<String> command = new ArrayList<>(List.of(bash(), helper.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", dir.resolve("stubs").toString());
    pb.environment().put("CALLS", calls.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), stdout, stderr, Files.exists(calls) ? Files.readString(calls) : "");
  }

  private static String bash() {
    return Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/usr/bin/bash";
  }

  private record Result(int exit, String stdout, String stderr, String calls) {}
}
