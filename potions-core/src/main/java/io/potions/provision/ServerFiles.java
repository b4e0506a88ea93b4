package io.potions.provision;

import static io.potions.provision.ServerLayout.ADMIN_HELPER;
import static io.potions.provision.ServerLayout.DEPLOY_USER;
import static io.potions.provision.ServerLayout.RUNTIME_USER;
import static io.potions.provision.ServerLayout.SLOTS;

/**
 * Pure renderers for the files the bootstrap installs. Unit tests check them to the byte; the
 * end-to-end tests prove that the server accepts them.
 */
public final class ServerFiles {
  private ServerFiles() {}

  /** App names as the server-side helper accepts them; the Java side validates the same rule. */
  public static final String APP_NAME_PATTERN = "^[a-z][a-z0-9-]{0,29}$";

  /**
   * The systemd template unit every app slot runs under. Instance {@code <app>-<slot>}; everything
   * slot-specific (release, env file) is found under {@code /opt/potions/.slots/<app>-<slot>/}.
   *
   * @return the unit file
   */
  public static String slotUnitTemplate() {
    return """
        # Managed by Potions: one instance per app slot, named <app>-<slot>.
        [Unit]
        Description=Potions app slot %i
        After=network-online.target postgresql.service
        Wants=network-online.target
        StartLimitIntervalSec=60
        StartLimitBurst=5

        [Service]
        Type=exec
        User=RUNTIME
        Group=RUNTIME
        WorkingDirectory=SLOTS/%i/release
        EnvironmentFile=SLOTS/%i/env
        Environment=RELEASE_TMP=/tmp HOME=/tmp ERL_EPMD_ADDRESS=127.0.0.1
        ExecStart=/bin/sh -c 'exec "SLOTS/%i/release/bin/$POTIONS_RELEASE_NAME" start'
        Restart=on-failure
        RestartSec=2
        TimeoutStopSec=30
        KillMode=mixed
        LimitNOFILE=65536
        SyslogIdentifier=potions-%i
        # The app may write only to its storage directory and its private /tmp.
        NoNewPrivileges=yes
        PrivateTmp=yes
        PrivateDevices=yes
        ProtectSystem=full
        ProtectHome=yes
        ProtectKernelTunables=yes
        ProtectControlGroups=yes
        RestrictSUIDSGID=yes

        [Install]
        WantedBy=multi-user.target
        """.replace("RUNTIME", RUNTIME_USER).replace("SLOTS", SLOTS);
  }

  /**
   * The sudoers drop-in: the deploy user may run exactly one program as root, the validating helper.
   *
   * @return the sudoers file
   */
  public static String sudoers() {
    return "# Managed by Potions. The deploy user may run only the validating helper as root.\n"
        + "Defaults:" + DEPLOY_USER + " !requiretty\n"
        + DEPLOY_USER + " ALL=(root) NOPASSWD: " + ADMIN_HELPER + "\n";
  }

  /**
   * The root helper the deploy user reaches through sudo. Each subcommand checks its arguments
   * against strict patterns before it acts, so the grant cannot be stretched to anything else.
   *
   * @return the bash script
   */
  public static String adminHelper() {
    return """
        #!/bin/bash
        # Managed by Potions. The only program the deploy user may run as root (see /etc/sudoers.d/potions).
        # Every argument is validated against a strict pattern before use.
        set -euo pipefail
        die() { echo "potions-admin: $*" >&2; exit 64; }
        app_ok() { [[ "$1" =~ APP_PATTERN ]] || die "invalid app name '$1'"; }
        slot_ok() { [[ "$1" =~ ^(blue|green)$ ]] || die "invalid slot '$1' (blue or green)"; }
        num_ok() { [[ "$1" =~ ^[0-9]{1,6}$ ]] || die "invalid number '$1'"; }

        cmd="${1:-}"
        [ $# -gt 0 ] && shift
        case "$cmd" in
          unit)
            # unit ACTION APP SLOT: start, stop, restart, enable or disable one app slot
            [ $# -eq 3 ] || die "usage: unit ACTION APP SLOT"
            case "$1" in start|stop|restart|enable|disable|reset-failed|is-active|is-enabled) ;;
              *) die "invalid unit action '$1'" ;; esac
            app_ok "$2"; slot_ok "$3"
            exec systemctl "$1" "potions-app@$2-$3.service"
            ;;
          logs)
            # logs APP LINES [follow]: the app's journal, both slots
            [ $# -ge 2 ] && [ $# -le 3 ] || die "usage: logs APP LINES [follow]"
            app_ok "$1"; num_ok "$2"
            follow=()
            if [ $# -eq 3 ]; then [ "$3" = follow ] || die "invalid option '$3'"; follow=(--follow); fi
            exec journalctl --no-pager -o short-iso -n "$2" "${follow[@]}" \\
              -u "potions-app@$1-blue.service" -u "potions-app@$1-green.service"
            ;;
          version)
            echo "potions-admin 1"
            ;;
          *)
            die "unknown command '$cmd' (unit, logs, version)"
            ;;
        esac
        """.replace("APP_PATTERN", APP_NAME_PATTERN);
  }

  /**
   * sshd hardening, as a drop-in that wins over later files (sshd keeps the first value it reads).
   *
   * @return the drop-in
   */
  public static String sshdHardening() {
    return """
        # Managed by Potions: keys only, no passwords, no keyboard-interactive, root by key only.
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        PermitEmptyPasswords no
        PubkeyAuthentication yes
        MaxAuthTries 3
        LoginGraceTime 30
        X11Forwarding no
        AllowAgentForwarding no
        """;
  }

  /**
   * fail2ban's sshd jail, reading the systemd journal (Debian 12 and Ubuntu 24.04 have no auth.log
   * unless rsyslog is installed, which would leave the default jail without a log to watch).
   *
   * @return the jail file
   */
  public static String fail2banJail() {
    return """
        # Managed by Potions.
        [sshd]
        enabled = true
        backend = systemd
        maxretry = 5
        findtime = 10m
        bantime = 1h
        """;
  }
}
