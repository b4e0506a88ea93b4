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
  /**
   * Root-owned parent (0711) of every app's storage, {@code <app>} each, owned by the app's user
   * (0700). Outside {@link #ROOT}, which the deploy user owns, so no other user controls the path.
   */
  public static final String STORAGE_ROOT = "/var/lib/potions/storage";
  /** Prefix of each app's own OS user: {@code p-<app>} fits Linux's 32 characters for any app name. */
  public static final String APP_USER_PREFIX = "p-";
  /** File name of the root-written drop-in of each slot (user, writable storage, limits). */
  public static final String SLOT_DROP_IN = "50-potions-app.conf";
  /** The reverse proxy's admin API port on loopback (Caddy's); only root, deploy and the proxy reach it. */
  public static final int PROXY_ADMIN_PORT = 2019;
  /** The reverse proxy's own user (Caddy's), allowed to reach its admin API when it exists. */
  public static final String PROXY_USER = "caddy";
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

  /**
   * @param app app name (validated)
   * @return the OS user the app's slots and migrations run as
   */
  public static String appUser(String app) {
    return APP_USER_PREFIX + app;
  }

  /**
   * @param app app name (validated)
   * @return the app's persistent storage directory (STORAGE_DIR)
   */
  public static String storageDir(String app) {
    return STORAGE_ROOT + "/" + app;
  }
}
