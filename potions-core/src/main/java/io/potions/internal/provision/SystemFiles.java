package io.potions.internal.provision;

import static io.potions.internal.provision.ServerLayout.ADMIN_HELPER;
import static io.potions.internal.provision.ServerLayout.DEPLOY_USER;
import static io.potions.internal.provision.ServerLayout.RUNTIME_USER;
import static io.potions.internal.provision.ServerLayout.SLOTS;

import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.shell.Shell;

/**
 * Pure renderers for the files the bootstrap installs, from the templates under
 * {@code src/main/resources/io/potions/scripts/server/}. Unit tests check them to the byte and run
 * ShellCheck on the helper; the end-to-end tests prove that the server accepts them.
 */
public final class SystemFiles {
  private SystemFiles() {}

  /** Where these files' templates live on the class path. */
  static final String RESOURCES = "/io/potions/scripts/server/";

  /** App names as the server-side helper accepts them; the Java side validates the same rule. */
  public static final String APP_NAME_PATTERN = "^[a-z][a-z0-9-]{0,29}$";

  /**
   * The systemd template unit every app slot runs under. Instance {@code <app>-<slot>}; everything
   * slot-specific (release, env file) is found under {@code /opt/potions/.slots/<app>-<slot>/}.
   *
   * @return the unit file
   */
  public static String slotUnitTemplate() {
    return template("potions-app@.service").raw("RUNTIME_USER", RUNTIME_USER).raw("SLOTS", SLOTS)
        .raw("SANDBOX", String.join("\n", sandbox())).render();
  }

  /**
   * The sandbox of every slot, one {@code Key=Value} unit setting a line: the slot unit template
   * holds these lines and the helper's migrations pass the same ones to systemd-run.
   *
   * @return the settings
   */
  public static java.util.List<String> sandbox() {
    return template("slot-sandbox.conf").render().lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * The sudoers drop-in: the deploy user may run exactly one program as root, the validating helper.
   *
   * @return the sudoers file
   */
  public static String sudoers() {
    return template("sudoers").raw("DEPLOY_USER", DEPLOY_USER).raw("ADMIN_HELPER", ADMIN_HELPER).render();
  }

  /**
   * The root helper the deploy user reaches through sudo. Each subcommand checks its arguments
   * against strict patterns before it acts, so the grant cannot be stretched to anything else:
   * it manages only {@code potions-app@*} units and their per-app drop-ins, the apps' own users, env
   * files under /etc/potions, databases, storage directories, the loopback NAT rules that pick each
   * app's live slot and the rule that keeps apps off the proxy's admin API.
   *
   * @return the bash script
   */
  public static String adminHelper() {
    String sandbox = String.join(" ", sandbox().stream().map(p -> "-p " + Shell.quote(p)).toList());
    return template("potions-admin.sh").raw("APP_PATTERN", APP_NAME_PATTERN).raw("RUNTIME_USER", RUNTIME_USER)
        .raw("SLOTS", SLOTS).raw("ROOT", ServerLayout.ROOT)
        .raw("ENV_LIMIT_BYTES", Integer.toString(io.potions.internal.engine.EnvFile.MAX_BYTES))
        .quoted("STORAGE_ROOT", ServerLayout.STORAGE_ROOT)
        .raw("APP_USER_PREFIX", ServerLayout.APP_USER_PREFIX)
        .raw("DROP_IN", ServerLayout.SLOT_DROP_IN)
        .raw("SANDBOX_PROPERTIES", sandbox)
        .raw("DEPLOY_USER", DEPLOY_USER).raw("PROXY_USER", ServerLayout.PROXY_USER)
        .raw("PROXY_ADMIN_PORT", Integer.toString(ServerLayout.PROXY_ADMIN_PORT))
        .raw("BUILD_ROOT", ServerLayout.BUILDS).raw("RUNTIMES_RE", ServerLayout.RUNTIMES.replace(".", "\\."))
        .raw("BUILD_SCRIPT", buildScript().stripTrailing()).render();
  }

  /**
   * The on-server build, run by the helper's {@code build} command as the app's build user inside a
   * sandbox, in the app's build area under {@link ServerLayout#BUILDS}. It is part of the root-owned
   * helper, so the deploy user never chooses what runs as the build user. Arguments: APP RELEASE_ID
   * SHA [PATH_PREFIX], already validated.
   *
   * @return the bash script
   */
  public static String buildScript() {
    return template("build.sh").raw("ROOT", ServerLayout.ROOT).raw("STORAGE_ROOT", ServerLayout.STORAGE_ROOT).render();
  }

  /**
   * A boot-time unit that re-creates the apps' loopback NAT rules (the kernel forgets them on
   * reboot), ordered before the app slots start.
   *
   * @return the unit file
   */
  public static String routesUnit() {
    return template("potions-routes.service").raw("ADMIN_HELPER", ADMIN_HELPER).render();
  }

  /**
   * Channels sshd allows per connection (its MaxSessions) on a server Potions provisioned. The SDK
   * runs every command, log follow, console and held deploy lock as a channel of one connection per
   * server, and OpenSSH's default of 10 would refuse the eleventh.
   */
  public static final int SSHD_MAX_SESSIONS = 64;

  /**
   * sshd hardening, as a drop-in that wins over later files (sshd keeps the first value it reads).
   *
   * @return the drop-in
   */
  public static String sshdHardening() {
    return template("sshd-hardening.conf").raw("MAX_SESSIONS", Integer.toString(SSHD_MAX_SESSIONS)).render();
  }

  /**
   * fail2ban's sshd jail, reading the systemd journal (Debian 12 and Ubuntu 24.04 have no auth.log
   * unless rsyslog is installed, which would leave the default jail without a log to watch).
   *
   * @return the jail file
   */
  public static String fail2banJail() {
    return template("fail2ban-jail.conf").render();
  }

  private static ScriptTemplate template(String name) {
    return ScriptTemplate.load(SystemFiles.class, RESOURCES + name);
  }
}
