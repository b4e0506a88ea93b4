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
        EnvironmentFile=/etc/potions/env/%i
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
   * against strict patterns before it acts, so the grant cannot be stretched to anything else:
   * it manages only {@code potions-app@*} units, the apps' env files under /etc/potions, their
   * databases, their storage directories and the loopback NAT rules that pick each app's live slot.
   *
   * @return the bash script
   */
  public static String adminHelper() {
    return """
        #!/bin/bash
        # Managed by Potions. The only program the deploy user may run as root (see /etc/sudoers.d/potions).
        # Every argument is validated against a strict pattern before use.
        set -euo pipefail
        umask 077
        die() { echo "potions-admin: $*" >&2; exit 64; }
        app_ok() { [[ "$1" =~ APP_PATTERN ]] || die "invalid app name '$1'"; }
        slot_ok() { [[ "$1" =~ ^(blue|green)$ ]] || die "invalid slot '$1' (blue or green)"; }
        num_ok() { [[ "$1" =~ ^[0-9]{1,6}$ ]] || die "invalid number '$1'"; }
        port_ok() { num_ok "$1"; [ "$1" -ge 1024 ] && [ "$1" -le 65535 ] || die "invalid port '$1'"; }
        id_ok() { [[ "$1" =~ ^[A-Za-z0-9._-]{1,80}$ ]] && [[ "$1" != .* ]] || die "invalid id '$1'"; }
        db_name() { echo "app_${1//-/_}"; }
        ENV_DIR=/etc/potions/env
        ROUTE_DIR=/etc/potions/routes

        # One DNAT rule per app in nat/POTIONS sends loopback connections for the app's stable port to
        # its live slot. Existing connections keep their mapping (conntrack), so flipping the rule moves
        # only new connections: nothing is cut, and Caddy's config never changes on a deploy.
        route_apply() {
          local app="$1" app_port="$2" slot_port="$3" n
          iptables -w -t nat -N POTIONS 2>/dev/null || true
          iptables -w -t nat -C OUTPUT -o lo -j POTIONS 2>/dev/null || iptables -w -t nat -I OUTPUT 1 -o lo -j POTIONS
          local rule=(-p tcp -d 127.0.0.1 --dport "$app_port" -m comment --comment "potions:$app" -j DNAT --to-destination "127.0.0.1:$slot_port")
          n=$(iptables -w -t nat -L POTIONS -n --line-numbers | awk -v c="/* potions:$app */" 'index($0, c) {print $1; exit}')
          if [ -n "$n" ]; then iptables -w -t nat -R POTIONS "$n" "${rule[@]}"; else iptables -w -t nat -A POTIONS "${rule[@]}"; fi
        }
        route_delete() {
          local n
          while n=$(iptables -w -t nat -L POTIONS -n --line-numbers 2>/dev/null | awk -v c="/* potions:$1 */" 'index($0, c) {print $1; exit}') && [ -n "$n" ]; do
            iptables -w -t nat -D POTIONS "$n"
          done
        }

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
            # logs APP SLOT|all LINES [follow]: the app's journal
            [ $# -ge 3 ] && [ $# -le 4 ] || die "usage: logs APP SLOT|all LINES [follow]"
            app_ok "$1"; num_ok "$3"
            units=()
            if [ "$2" = all ]; then units=(-u "potions-app@$1-blue.service" -u "potions-app@$1-green.service")
            else slot_ok "$2"; units=(-u "potions-app@$1-$2.service"); fi
            follow=()
            if [ $# -eq 4 ]; then [ "$4" = follow ] || die "invalid option '$4'"; follow=(--follow); fi
            exec journalctl --no-pager -o short-iso -n "$3" "${follow[@]}" "${units[@]}"
            ;;
          env)
            # env APP SLOT < content: install the slot's environment file (root-owned, 0600)
            [ $# -eq 2 ] || die "usage: env APP SLOT < file"
            app_ok "$1"; slot_ok "$2"
            install -d -m 0700 "$ENV_DIR"
            tmp=$(mktemp "$ENV_DIR/.incoming.XXXXXX")
            head -c 1048576 > "$tmp"
            if grep -vqE '^([A-Za-z_][A-Za-z0-9_]*=.*)?$' "$tmp"; then rm -f "$tmp"; die "env content has a line that is not KEY=VALUE"; fi
            chmod 0600 "$tmp"
            mv -f "$tmp" "$ENV_DIR/$1-$2"
            ;;
          storage)
            # storage APP: the app's persistent storage directory, writable by the app user only
            [ $# -eq 1 ] || die "usage: storage APP"
            app_ok "$1"
            [ -d "ROOT/$1" ] && [ ! -L "ROOT/$1" ] || die "app directory ROOT/$1 missing"
            [ -L "ROOT/$1/storage" ] && die "ROOT/$1/storage must not be a symlink"
            install -d -o RUNTIME -g RUNTIME -m 0750 "ROOT/$1/storage"
            ;;
          migrate)
            # migrate APP SLOT EXPRESSION: run the release's migration as the app user, with the slot's env
            [ $# -eq 3 ] || die "usage: migrate APP SLOT EXPRESSION"
            app_ok "$1"; slot_ok "$2"
            [ -f "$ENV_DIR/$1-$2" ] || die "no env file for $1-$2"
            name=$(sed -n 's/^POTIONS_RELEASE_NAME=//p' "$ENV_DIR/$1-$2" | tr -d '"')
            [[ "$name" =~ ^[a-z][a-z0-9_]{0,63}$ ]] || die "invalid release name '$name'"
            exec systemd-run --quiet --wait --pipe --collect --service-type=exec \
              -p User=RUNTIME -p Group=RUNTIME -p EnvironmentFile="$ENV_DIR/$1-$2" \
              -p WorkingDirectory="SLOTS/$1-$2/release" -E RELEASE_TMP=/tmp -E HOME=/tmp -p PrivateTmp=yes \
              "SLOTS/$1-$2/release/bin/$name" eval "$3"
            ;;
          route)
            # route APP APP_PORT SLOT_PORT: send the app's stable loopback port to a slot's port
            [ $# -eq 3 ] || die "usage: route APP APP_PORT SLOT_PORT"
            app_ok "$1"; port_ok "$2"; port_ok "$3"
            # Route files hold no secret: the deploy user reads them to know which slot is live.
            install -d -m 0755 "$ROUTE_DIR"
            (umask 022; echo "$2 $3" > "$ROUTE_DIR/$1.tmp") && mv -f "$ROUTE_DIR/$1.tmp" "$ROUTE_DIR/$1"
            route_apply "$1" "$2" "$3"
            ;;
          routes-restore)
            # routes-restore: re-create every app's NAT rule (at boot, from /etc/potions/routes)
            [ -d "$ROUTE_DIR" ] || exit 0
            for f in "$ROUTE_DIR"/*; do
              [ -f "$f" ] || continue
              app=$(basename "$f"); [[ "$app" =~ APP_PATTERN ]] || continue
              read -r app_port slot_port < "$f" || continue
              port_ok "$app_port"; port_ok "$slot_port"
              route_apply "$app" "$app_port" "$slot_port"
            done
            ;;
          db-create)
            # db-create APP < password: the app's own role and database (idempotent; sets the password)
            [ $# -eq 1 ] || die "usage: db-create APP < password"
            app_ok "$1"; db=$(db_name "$1")
            IFS= read -r pw || true
            [ ${#pw} -ge 16 ] || die "password too short"
            cd /
            runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" -v pw="$pw" <<'SQL'
        SELECT format('CREATE ROLE %I LOGIN', :'db') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'db') \\gexec
        ALTER ROLE :"db" WITH LOGIN PASSWORD :'pw';
        SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'db') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \\gexec
        SQL
            ;;
          db-drop)
            # db-drop APP: drop the app's database and role
            [ $# -eq 1 ] || die "usage: db-drop APP"
            app_ok "$1"; db=$(db_name "$1")
            cd /
            runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
        SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \\gexec
        SELECT format('DROP ROLE IF EXISTS %I', :'db') \\gexec
        SQL
            ;;
          app-delete)
            # app-delete APP: stop and disable both slots, remove env files, NAT rule and ROOT/APP
            [ $# -eq 1 ] || die "usage: app-delete APP"
            app_ok "$1"
            for slot in blue green; do
              systemctl disable --now "potions-app@$1-$slot.service" 2>/dev/null || true
              systemctl reset-failed "potions-app@$1-$slot.service" 2>/dev/null || true
              rm -f "$ENV_DIR/$1-$slot" "SLOTS/$1-$slot"
            done
            route_delete "$1"
            rm -f "$ROUTE_DIR/$1"
            [ -L "ROOT/$1" ] && die "ROOT/$1 is a symlink"
            rm -rf --one-file-system "ROOT/$1"
            ;;
          version)
            echo "potions-admin 2"
            ;;
          *)
            die "unknown command '$cmd'"
            ;;
        esac
        """.replace("APP_PATTERN", APP_NAME_PATTERN).replace("RUNTIME", RUNTIME_USER)
        .replace("SLOTS", SLOTS).replace("ROOT", ServerLayout.ROOT);
  }

  /**
   * A boot-time unit that re-creates the apps' loopback NAT rules (the kernel forgets them on
   * reboot), ordered before the app slots start.
   *
   * @return the unit file
   */
  public static String routesUnit() {
    return """
        # Managed by Potions: restore each app's live-slot NAT rule at boot.
        [Unit]
        Description=Potions app routes (loopback NAT to each app's live slot)
        After=network-pre.target ufw.service
        Before=network.target
        Wants=network-pre.target

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=HELPER routes-restore

        [Install]
        WantedBy=multi-user.target
        """.replace("HELPER", ADMIN_HELPER);
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
        # A client that vanished (a killed SDK process) is dropped within a minute, which also
        # releases any deploy lock its session held.
        ClientAliveInterval 15
        ClientAliveCountMax 4
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
