package io.potions.internal.provision;

/**
 * Names and paths the SDK uses on every server. One place, so the bootstrap, the deploy engine and
 * the tests agree.
 */
public final class ServerLayout {
  private ServerLayout() {}

  /** Everything the SDK manages lives under here; {@code /opt/potions/<app>} per app. */
  public static final String ROOT = "/opt/potions";
  /** Per-slot directories the slot unit reads, {@code <app>-<slot>} each (app names never start with a dot). */
  public static final String SLOTS = ROOT + "/.slots";
  /** Server-wide state such as the bootstrap version and the deploy lock. */
  public static final String STATE = ROOT + "/.potions";
  /** The user the SDK logs in as after provisioning; owns {@link #ROOT}. */
  public static final String DEPLOY_USER = "deploy";
  /** The unprivileged user app releases run as. */
  public static final String RUNTIME_USER = "potions";
  /** The only program the deploy user may run as root; it validates every argument. */
  public static final String ADMIN_HELPER = "/usr/local/sbin/potions-admin";
  /** The sudoers drop-in that grants {@link #ADMIN_HELPER}. */
  public static final String SUDOERS_FILE = "/etc/sudoers.d/potions";
  /** The systemd template every app slot runs under, instance {@code <app>-<slot>}. */
  public static final String SLOT_UNIT_TEMPLATE = "potions-app@.service";
  /** The boot-time unit that restores each app's live-slot NAT rule. */
  public static final String ROUTES_UNIT = "potions-routes.service";
  /** Root-owned, 0600 environment files of the slots, {@code <app>-<slot>} each. */
  public static final String ENV_DIR = "/etc/potions/env";
  /** sshd drop-in with the hardening settings; sorts before cloud-init's 50-cloud-init.conf. */
  public static final String SSHD_DROP_IN = "/etc/ssh/sshd_config.d/10-potions.conf";
  /** fail2ban jail configuration. */
  public static final String FAIL2BAN_JAIL = "/etc/fail2ban/jail.d/potions.conf";
  /**
   * Root-owned parent of the apps' build areas, {@code <app>} each, owned by the app's build user
   * ({@code pb-<app>}): its work tree, dependency caches, HOME and the releases it builds.
   */
  public static final String BUILDS = "/var/lib/potions-build";
  /** Where mise and the runtimes it installs live (owned by the deploy user; builds only read them). */
  public static final String RUNTIMES = ROOT + "/.runtimes";

  /**
   * @param app app name
   * @param slot slot name
   * @return the systemd unit of that slot
   */
  public static String slotUnit(String app, String slot) {
    return "potions-app@" + app + "-" + slot + ".service";
  }
}
