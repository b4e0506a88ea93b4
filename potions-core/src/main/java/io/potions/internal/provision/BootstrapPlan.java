package io.potions.internal.provision;

import static io.potions.internal.provision.ServerLayout.ADMIN_HELPER;
import static io.potions.internal.provision.ServerLayout.DEPLOY_USER;
import static io.potions.internal.provision.ServerLayout.FAIL2BAN_JAIL;
import static io.potions.internal.provision.ServerLayout.ROOT;
import static io.potions.internal.provision.ServerLayout.ROUTES_UNIT;
import static io.potions.internal.provision.ServerLayout.RUNTIME_USER;
import static io.potions.internal.provision.ServerLayout.SLOTS;
import static io.potions.internal.provision.ServerLayout.SLOT_UNIT_TEMPLATE;
import static io.potions.internal.provision.ServerLayout.SSHD_DROP_IN;
import static io.potions.internal.provision.ServerLayout.STATE;
import static io.potions.internal.provision.ServerLayout.SUDOERS_FILE;
import static io.potions.internal.shell.Shell.fileMatches;
import static io.potions.internal.shell.Shell.quote;
import static io.potions.internal.shell.Shell.writeFile;

import io.potions.internal.shell.Hashing;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Renders the bootstrap that turns a fresh Debian 12 or Ubuntu 24.04 server into one ready for
 * Phoenix apps. Pure: the same inputs give the same scripts, which is also what the testkit's
 * provisioned-snapshot cache is keyed on. The multi-line scripts are templates under
 * {@code src/main/resources/io/potions/scripts/bootstrap/}; one-line checks stay here.
 */
public final class BootstrapPlan {
  /** The firewall rules: SSH, HTTP, HTTPS (and HTTP/3 over UDP 443). Nothing else comes in. */
  public static final List<String> FIREWALL_ALLOW = List.of("22/tcp", "80/tcp", "443/tcp", "443/udp");

  /**
   * Packages every Potions server has; the proxy's own come from its bootstrap steps. Node.js and
   * npm are not among them (Debian's npm brings some 375 packages, and Phoenix 1.7 apps build their
   * assets without it): the on-server build installs them the first time an app with
   * {@code assets/package.json} is built there (the root helper's {@code node-install}).
   */
  public static final List<String> BASE_PACKAGES = List.of(
      "erlang-nox", "erlang-dev", "elixir", "postgresql", "build-essential", "git", "ufw",
      "fail2ban", "python3-systemd", "sudo", "curl", "ca-certificates", "procps",
      // Offsite backup copies (encrypted, deduplicated, to S3): on every server, so a backup never
      // waits on the package mirror to copy offsite (the helper still installs it on older servers).
      "restic");

  private BootstrapPlan() {}

  /**
   * @param distribution the server's distribution
   * @param deployKeys public keys (OpenSSH lines) allowed to log in as the deploy user
   * @param proxySteps the reverse proxy's own steps, appended at the end
   * @return every step, in order
   */
  public static List<BootstrapStep> render(
      Distribution distribution, List<String> deployKeys, List<BootstrapStep> proxySteps) {
    List<BootstrapStep> steps = new ArrayList<>();
    if (distribution == Distribution.UBUNTU_24_04) {
      steps.add(ubuntuUniverse());
    }
    steps.add(aptPackages("packages", "Install Erlang/OTP, Elixir, PostgreSQL, UFW, fail2ban and build tools",
        BASE_PACKAGES));
    steps.add(users(deployKeys));
    steps.add(layout());
    steps.add(adminHelper());
    steps.add(sshHardening());
    steps.add(firewall());
    steps.add(fail2ban());
    steps.add(postgresql());
    steps.add(epmdOffPublicInterfaces());
    steps.add(slotUnit());
    steps.add(SwapStep.step());
    steps.addAll(proxySteps);
    // After the proxy's steps, so the proxy's own user exists and keeps its access.
    steps.add(adminApiGuard());
    return List.copyOf(steps);
  }

  /**
   * @param steps a rendered plan
   * @return a short hash that changes whenever any script of the plan changes
   */
  public static String fingerprint(List<BootstrapStep> steps) {
    StringBuilder all = new StringBuilder();
    for (BootstrapStep step : steps) {
      all.append(step.id()).append('\0').append(step.check()).append('\0').append(step.apply()).append('\0');
    }
    return Hashing.sha256Hex(all.toString()).substring(0, 16);
  }

  /**
   * A step that installs Debian packages, waiting for a dpkg lock held by unattended upgrades.
   *
   * @param id step id
   * @param title step title
   * @param packages package names
   * @return the step
   */
  public static BootstrapStep aptPackages(String id, String title, List<String> packages) {
    String names = String.join(" ", packages.stream().map(io.potions.internal.shell.Shell::quote).toList());
    String check = "[ \"$(dpkg-query -W -f='${db:Status-Abbrev}\\n' " + names
        + " 2>/dev/null | grep -c '^ii')\" -eq " + packages.size() + " ]";
    String apply = template("apt-packages.sh").raw("PACKAGES", names).render();
    return new BootstrapStep(id, title, check, apply);
  }

  private static BootstrapStep ubuntuUniverse() {
    String check = "grep -rqsE '^(Components:.*universe|deb .* universe)' /etc/apt/sources.list /etc/apt/sources.list.d/";
    String apply = template("ubuntu-universe.sh").render();
    return new BootstrapStep("apt-universe", "Enable Ubuntu's universe component (Caddy is there)", check, apply);
  }

  private static BootstrapStep users(List<String> deployKeys) {
    String home = "/home/" + DEPLOY_USER;
    String keysFile = home + "/.ssh/authorized_keys";
    String keys = String.join("\n", deployKeys) + "\n";
    String owner = DEPLOY_USER + ":" + DEPLOY_USER;
    // The keys are read as the deploy user too: root opens nothing in a home another user controls.
    String check = "id -u " + DEPLOY_USER + " >/dev/null 2>&1 && id -u " + RUNTIME_USER + " >/dev/null 2>&1"
        + " && [ ! -L " + quote(home) + " ] && " + asDeployUser("[ ! -L " + quote(home + "/.ssh") + " ] && "
        + fileMatches(keysFile, keys, "0600", owner));
    String asDeploy = deployKeysScript(home, keys);
    String apply = template("users.sh").raw("DEPLOY_USER", DEPLOY_USER).raw("RUNTIME_USER", RUNTIME_USER)
        .quoted("HOME", home)
        .quoted("AS_DEPLOY_USER", asDeploy)
        .render();
    return new BootstrapStep("users",
        "Create the '" + DEPLOY_USER + "' user (SDK logins) and the '" + RUNTIME_USER + "' user (apps run as it)",
        check, apply);
  }

  private static BootstrapStep layout() {
    List<String> dirs = List.of(ROOT, SLOTS, STATE);
    StringBuilder check = new StringBuilder("true");
    for (String dir : dirs) {
      // stat without -L: a symlink reports itself (mode 777), never matches, and the apply refuses it.
      check.append(" && [ \"$(stat -c '%U:%G %a' ").append(quote(dir)).append(" 2>/dev/null)\" = ")
          .append(quote(DEPLOY_USER + ":" + DEPLOY_USER + " 755")).append(" ]");
    }
    String apply = template("layout.sh")
        .quoted("ROOT", ROOT)
        .raw("DEPLOY_USER", DEPLOY_USER)
        .quoted("AS_DEPLOY_USER", deployLayoutScript(List.of(SLOTS, STATE)))
        .render();
    return new BootstrapStep("layout", "Create the " + ROOT + " layout", check.toString(), apply);
  }

  /**
   * The part of the users step the deploy user runs itself: it writes its own authorized_keys
   * through a fresh temp file and a rename, refusing a symlinked {@code .ssh}.
   *
   * @param home the deploy user's home
   * @param keys the authorized_keys content
   * @return bash text
   */
  static String deployKeysScript(String home, String keys) {
    return template("users-keys.sh")
        .quoted("HOME", home)
        .quoted("KEYS_BASE64", Base64.getEncoder().encodeToString(keys.getBytes(StandardCharsets.UTF_8)))
        .render();
  }

  /**
   * The part of the layout step the deploy user runs itself: its directories, a symlink refused.
   *
   * @param dirs the directories
   * @return bash text
   */
  static String deployLayoutScript(List<String> dirs) {
    return template("layout-user.sh")
        .raw("DIRS", String.join(" ", dirs.stream().map(io.potions.internal.shell.Shell::quote).toList()))
        .render();
  }

  /** @return {@code script} run as the deploy user (runuser, from root), never as root */
  private static String asDeployUser(String script) {
    return "runuser -u " + DEPLOY_USER + " -- bash -c " + quote("cd / && " + script);
  }

  private static BootstrapStep adminHelper() {
    String helper = SystemFiles.adminHelper();
    String sudoers = SystemFiles.sudoers();
    String check = fileMatches(ADMIN_HELPER, helper, "0755", "root:root") + " && " + rootOwnedDirectory(HELPER_DIR)
        + " && "
        + fileMatches(SUDOERS_FILE, sudoers, "0440", "root:root");
    String apply = template("deploy-rights.sh")
        .quoted("HELPER_DIR", HELPER_DIR)
        .raw("WRITE_HELPER", writeFile(ADMIN_HELPER, helper, "0755", "root:root"))
        .raw("WRITE_SUDOERS", writeFile(SUDOERS_FILE + ".potions-new", sudoers, "0440", "root:root"))
        .quoted("SUDOERS_NEW", SUDOERS_FILE + ".potions-new")
        .quoted("SUDOERS_FILE", SUDOERS_FILE)
        .render();
    return new BootstrapStep("deploy-rights",
        "Grant the deploy user exactly one root command: " + ADMIN_HELPER, check, apply);
  }

  /** The helper's directory: root trusts what is in it, so nobody else may own it. */
  private static final String HELPER_DIR = ADMIN_HELPER.substring(0, ADMIN_HELPER.lastIndexOf('/'));

  private static String rootOwnedDirectory(String dir) {
    return "[ ! -L " + quote(dir) + " ] && [ \"$(stat -c %U " + quote(dir) + ")\" = root ]";
  }

  private static BootstrapStep sshHardening() {
    String conf = SystemFiles.sshdHardening();
    String check = fileMatches(SSHD_DROP_IN, conf, "0644", "root:root")
        + " && sshd -T 2>/dev/null | grep -x 'passwordauthentication no' >/dev/null"
        + " && sshd -T 2>/dev/null | grep -x 'kbdinteractiveauthentication no' >/dev/null"
        + " && sshd -T 2>/dev/null | grep -x 'permitrootlogin without-password' >/dev/null";
    String apply = template("ssh-hardening.sh")
        .raw("WRITE_DROP_IN", writeFile(SSHD_DROP_IN, conf, "0644", "root:root"))
        .quoted("SSHD_DROP_IN", SSHD_DROP_IN)
        .render();
    return new BootstrapStep("ssh-hardening",
        "Harden SSH: keys only, no password or keyboard-interactive logins", check, apply);
  }

  private static BootstrapStep firewall() {
    StringBuilder check = new StringBuilder(
        "status=$(ufw status verbose 2>/dev/null) && grep -qx 'Status: active' <<<\"$status\""
            + " && grep -q '^Default: deny (incoming)' <<<\"$status\"");
    List<String> allow = new ArrayList<>();
    for (String rule : FIREWALL_ALLOW) {
      check.append(" && grep -qE '^").append(rule).append("[[:space:]]+ALLOW IN' <<<\"$status\"");
      allow.add("ufw allow " + rule);
    }
    String apply = template("firewall.sh").raw("ALLOW_RULES", String.join("\n", allow)).render();
    return new BootstrapStep("firewall", "Firewall (UFW): deny incoming except 22, 80, 443",
        check.toString(), apply);
  }

  private static BootstrapStep fail2ban() {
    String jail = SystemFiles.fail2banJail();
    String check = fileMatches(FAIL2BAN_JAIL, jail, "0644", "root:root")
        + " && systemctl is-active --quiet fail2ban && fail2ban-client status sshd >/dev/null 2>&1";
    String apply = template("fail2ban.sh").raw("WRITE_JAIL", writeFile(FAIL2BAN_JAIL, jail, "0644", "root:root"))
        .render();
    return new BootstrapStep("fail2ban", "fail2ban with the sshd jail", check, apply);
  }

  private static BootstrapStep postgresql() {
    String ready = "runuser -u postgres -- psql -qtAc 'select 1' 2>/dev/null | grep -x 1 >/dev/null";
    String hbaMark = "# potions: each app role connects only to its own database";
    String check = "systemctl is-enabled --quiet postgresql && " + ready
        + " && grep -qF " + quote(hbaMark) + " \"$(runuser -u postgres -- psql -qtAc 'show hba_file')\"";
    String apply = template("postgresql.sh").raw("READY", ready).raw("HBA_MARK", hbaMark).render();
    return new BootstrapStep("postgresql",
        "PostgreSQL running, local connections only, each app's role only to its own database", check, apply);
  }

  private static BootstrapStep epmdOffPublicInterfaces() {
    // Why epmd is masked: see the apply script's comment.
    String check = "[ \"$(systemctl is-enabled epmd.socket 2>/dev/null)\" = masked ]"
        + " && [ \"$(systemctl is-enabled epmd.service 2>/dev/null)\" = masked ]"
        + " && ! pgrep -x epmd >/dev/null";
    String apply = template("epmd.sh").render();
    return new BootstrapStep("epmd", "Keep Erlang's port mapper (epmd) off public interfaces", check, apply);
  }

  private static BootstrapStep slotUnit() {
    String slotPath = "/etc/systemd/system/" + SLOT_UNIT_TEMPLATE;
    String slotUnit = SystemFiles.slotUnitTemplate();
    String routesPath = "/etc/systemd/system/" + ROUTES_UNIT;
    String routesUnit = SystemFiles.routesUnit();
    String check = fileMatches(slotPath, slotUnit, "0644", "root:root") + " && "
        + fileMatches(routesPath, routesUnit, "0644", "root:root")
        + " && systemctl is-enabled --quiet " + ROUTES_UNIT;
    String apply = template("slot-unit.sh")
        .raw("WRITE_SLOT_UNIT", writeFile(slotPath, slotUnit, "0644", "root:root"))
        .raw("WRITE_ROUTES_UNIT", writeFile(routesPath, routesUnit, "0644", "root:root"))
        .raw("ROUTES_UNIT", ROUTES_UNIT)
        .raw("ROOT", ROOT).raw("APP_PATTERN", SystemFiles.APP_NAME_PATTERN).raw("DROP_IN", ServerLayout.SLOT_DROP_IN)
        .render();
    return new BootstrapStep("slot-unit",
        "Install the systemd units app slots and their routes run under", check, apply);
  }

  private static BootstrapStep adminApiGuard() {
    // The chain must exist, be jumped to, accept only these users' ids and end in a reject.
    String expected = "$(for u in root " + DEPLOY_USER + " " + ServerLayout.PROXY_USER
        + "; do id -u \"$u\" 2>/dev/null; done)";
    String check = "iptables -w -C OUTPUT -o lo -p tcp --dport " + ServerLayout.PROXY_ADMIN_PORT
        + " -j POTIONS-ADMIN 2>/dev/null"
        + " && [ \"$(iptables -w -S POTIONS-ADMIN | sed -n 's/.*--uid-owner \\([0-9]*\\) .*/\\1/p')\" = \""
        + expected + "\" ]"
        + " && iptables -w -S POTIONS-ADMIN | tail -n 1 | grep -q -- '-j REJECT'";
    return new BootstrapStep("admin-api-guard",
        "Keep apps off the proxy's admin API (port " + ServerLayout.PROXY_ADMIN_PORT + "): only root, "
            + DEPLOY_USER + " and " + ServerLayout.PROXY_USER + " may connect",
        check, ADMIN_HELPER + " admin-guard");
  }

  /**
   * A read-only script, run before any step, that prints what the preflight checks need.
   *
   * @return bash text printing key=value lines and the os-release file
   */
  public static String preflightScript() {
    return template("preflight.sh").render();
  }

  /**
   * A read-only script that prints the versions the server ended up with.
   *
   * @param proxyVersionCommand the proxy's version command
   * @return bash text printing key=value lines
   */
  public static String factsScript(String proxyVersionCommand) {
    return template("facts.sh").raw("PROXY_VERSION", proxyVersionCommand).render();
  }

  private static ScriptTemplate template(String name) {
    return ScriptTemplate.load(BootstrapPlan.class, "/io/potions/scripts/bootstrap/" + name);
  }
}
