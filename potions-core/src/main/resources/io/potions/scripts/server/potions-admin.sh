#!/bin/bash
# Managed by Potions. The only program the deploy user may run as root (see /etc/sudoers.d/potions).
# Every argument is validated against a strict pattern before use.
set -euo pipefail
umask 077
die() { echo "potions-admin: $*" >&2; exit 64; }
app_ok() { [[ "$1" =~ @@APP_PATTERN@@ ]] || die "invalid app name '$1'"; }
slot_ok() { [[ "$1" =~ ^(blue|green)$ ]] || die "invalid slot '$1' (blue or green)"; }
num_ok() { [[ "$1" =~ ^[0-9]{1,6}$ ]] || die "invalid number '$1'"; }
port_ok() { num_ok "$1"; [ "$1" -ge 1024 ] && [ "$1" -le 65535 ] || die "invalid port '$1'"; }
id_ok() { [[ "$1" =~ ^[A-Za-z0-9._-]{1,80}$ ]] && [[ "$1" != .* ]] || die "invalid id '$1'"; }
db_base() { echo "app_${1//-/_}"; }
DB_DIR=/etc/potions/db
# The database the app uses: its original one, or the one a restore switched it to (db-use).
db_name() {
  local d
  if [ -f "$DB_DIR/$1" ]; then
    d=$(head -c 100 "$DB_DIR/$1")
    [[ "$d" =~ ^$(db_base "$1")(__r[0-9]{14})?$ ]] || die "invalid database name in $DB_DIR/$1"
    echo "$d"
  else db_base "$1"; fi
}
gen_ok() { [[ "$1" =~ ^[0-9]{14}$ ]] || die "invalid generation '$1' (14 digits)"; }
# Per-app limits: MiB of memory, percent of one CPU, tasks (threads and processes).
limits_ok() {
  num_ok "$1"; num_ok "$2"; num_ok "$3"
  [ "$1" -ge 64 ] && [ "$1" -le 1048576 ] || die "invalid memory limit '$1' MiB (64 to 1048576)"
  [ "$2" -ge 1 ] && [ "$2" -le 6400 ] || die "invalid CPU quota '$2'% (1 to 6400)"
  [ "$3" -ge 32 ] && [ "$3" -le 65535 ] || die "invalid tasks limit '$3' (32 to 65535)"
}
ENV_DIR=/etc/potions/env
ROUTE_DIR=/etc/potions/routes
# Root-owned parents (0711: apps may pass through to their own directory, not list the others).
STORAGE_ROOT=@@STORAGE_ROOT@@
UNIT_DIR=/etc/systemd/system
# The sandbox every slot and migration runs in; the slot unit template holds the same lines.
SANDBOX=(@@SANDBOX_PROPERTIES@@)

app_user() { echo "@@APP_USER_PREFIX@@$1"; }
drop_in_dir() { echo "$UNIT_DIR/potions-app@$1-$2.service.d"; }
# slot_sandbox APP SLOT: sets user and app_props from the slot's own drop-in (root-written by
# app-init): the user, storage and limits a command run "as the slot" gets. An app created before
# per-app users has a drop-in without User=: it keeps the shared user.
slot_sandbox() {
  local conf line
  conf="$(drop_in_dir "$1" "$2")/@@DROP_IN@@"
  [ -f "$conf" ] || die "app $1 has no drop-in for slot $2 (provision the server again)"
  user=@@RUNTIME_USER@@
  app_props=()
  while IFS= read -r line; do
    case "$line" in
      User=*) user="${line#User=}" ;;
      ReadWritePaths=*|MemoryMax=*|CPUQuota=*|TasksMax=*) app_props+=(-p "$line") ;;
    esac
  done < "$conf"
  [[ "$user" =~ ^[a-z][a-z0-9-]{0,31}$ ]] && [ "$user" != root ] || die "invalid user '$user' in $conf"
}
# The root-written drop-in of one slot: the app's own user, its storage as the only writable path
# and its resource limits. Printed with builtins only; every value was validated.
slot_config() {
  local user; user=$(app_user "$1")
  printf '%s\n' "# Managed by Potions: app $1 runs as its own user, writes only to its storage, within its limits." \
    "[Service]" "User=$user" "Group=$user" "ReadWritePaths=$STORAGE_ROOT/$1" \
    "MemoryMax=${2}M" "CPUQuota=${3}%" "TasksMax=$4"
}

# Caddy's admin API can replace every route: only root, the deploy user and the proxy's own user
# may open a connection to it; every other local user (the apps) is refused. Applied atomically.
admin_guard() {
  local accept=() u
  for u in root @@DEPLOY_USER@@ @@PROXY_USER@@; do
    if id -u "$u" >/dev/null 2>&1; then accept+=("-A POTIONS-ADMIN -m owner --uid-owner $(id -u "$u") -j RETURN"); fi
  done
  printf '%s\n' "*filter" ":POTIONS-ADMIN - [0:0]" "${accept[@]}" \
    "-A POTIONS-ADMIN -p tcp -j REJECT --reject-with tcp-reset" "COMMIT" | iptables-restore -w --noflush
  iptables -w -C OUTPUT -o lo -p tcp --dport @@PROXY_ADMIN_PORT@@ -j POTIONS-ADMIN 2>/dev/null \
    || iptables -w -I OUTPUT 1 -o lo -p tcp --dport @@PROXY_ADMIN_PORT@@ -j POTIONS-ADMIN
}

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
route_set() {
  route_apply "$1" "$2" "$3"
  install -d -m 0755 "$ROUTE_DIR"
  (umask 022; echo "$2 $3" > "$ROUTE_DIR/$1.tmp") && mv -f "$ROUTE_DIR/$1.tmp" "$ROUTE_DIR/$1"
}
route_delete() {
  local n
  while n=$(iptables -w -t nat -L POTIONS -n --line-numbers 2>/dev/null | awk -v c="/* potions:$1 */" 'index($0, c) {print $1; exit}') && [ -n "$n" ]; do
    iptables -w -t nat -D POTIONS "$n"
  done
}
time_ok() { [[ "$1" =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]] || die "invalid time '$1' (HH:MM, UTC)"; }
# unit_write FILE LINE...: a root-owned unit file, replaced whole (a reader never sees half of it)
unit_write() {
  local file="$1"; shift
  printf '%s\n' "$@" > "$file.tmp"
  chmod 0644 "$file.tmp"
  mv -f "$file.tmp" "$file"
}
# timer_install NAME WHAT CALENDAR SCRIPT [UNIT_LINE...]: NAME.service runs SCRIPT once as the deploy
# user, NAME.timer starts it at CALENDAR (Persistent: a run missed while the server was off happens at boot)
timer_install() {
  local name="$1" what="$2" calendar="$3" script="$4"; shift 4
  unit_write "$UNIT_DIR/$name.service" "# Managed by Potions: $what." "[Unit]" "Description=Potions: $what" \
    "$@" "[Service]" "Type=oneshot" "User=@@DEPLOY_USER@@" "Group=@@DEPLOY_USER@@" "UMask=0077" \
    "ExecStart=/bin/bash $script"
  unit_write "$UNIT_DIR/$name.timer" "# Managed by Potions: when $what runs." "[Unit]" \
    "Description=Potions: when $what runs" "[Timer]" "OnCalendar=$calendar" "Persistent=true" \
    "[Install]" "WantedBy=timers.target"
  systemctl daemon-reload
  systemctl enable --now "$name.timer"
}
# timer_remove NAME: stop and remove what timer_install wrote (absent is fine)
timer_remove() {
  systemctl disable --now "$1.timer" 2>/dev/null || true
  rm -f "$UNIT_DIR/$1.timer" "$UNIT_DIR/$1.service"
  systemctl daemon-reload
}

# Offsite copies (restic to S3-compatible storage). The settings and the repository password are
# root's alone (0600 files under OFFSITE_DIR); restic gets them through its environment and a
# password file, never on a command line, and nothing here prints them.
OFFSITE_DIR=/etc/potions/offsite
offsite_load() {
  local f="$OFFSITE_DIR/$1.env" line k
  [ -f "$f" ] || return 1
  while IFS= read -r line; do
    k="${line%%=*}"
    case "$k" in
      RESTIC_REPOSITORY|AWS_DEFAULT_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY) export "$k=${line#*=}" ;;
    esac
  done < "$f"
  export RESTIC_PASSWORD_FILE="$OFFSITE_DIR/$1.password" RESTIC_CACHE_DIR="/var/cache/potions-restic/$1"
}
restic_ok() {
  command -v restic >/dev/null 2>&1 && return 0
  echo '==> installing restic from the distribution (one time)'
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends restic >&2
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
  build-user|build)
    # build-user APP: the app's build user (no login, no sudo) and its work area (idempotent)
    # build APP RELEASE_ID SHA LIMIT_SECONDS MEMORY_MIB CPU_WEIGHT [PATH_PREFIX]: build the commit as
    # that user, sandboxed and within its limits (MEMORY_MIB 0: half of the server's memory); the
    # release lands in the work area, and the output streams back live.
    if [ "$cmd" = build-user ]; then
      [ $# -eq 1 ] || die "usage: build-user APP"
      app_ok "$1"
    else
      [ $# -ge 6 ] && [ $# -le 7 ] || die "usage: build APP RELEASE_ID SHA LIMIT_SECONDS MEMORY_MIB CPU_WEIGHT [PATH_PREFIX]"
      app_ok "$1"; id_ok "$2"; num_ok "$4"
      [[ "$3" =~ ^[0-9a-f]{40}$ ]] || die "invalid commit '$3'"
      [[ "$5" =~ ^[0-9]{1,7}$ ]] || die "invalid memory limit '$5'"
      [[ "$6" =~ ^[0-9]{1,5}$ ]] && [ "$6" -ge 1 ] && [ "$6" -le 10000 ] || die "invalid CPU weight '$6' (1 to 10000)"
      build_mib="$5"
      if [ "$build_mib" -eq 0 ]; then
        while read -r key kib _; do
          if [ "$key" = MemTotal: ]; then build_mib=$((kib / 2048)); fi
        done </proc/meminfo
      fi
      [ "$build_mib" -ge 128 ] && [ "$build_mib" -le 1048576 ] || die "invalid memory limit '$build_mib' MiB (128 to 1048576)"
      prefix="${7:-}"
      # Only the bin directories of runtimes installed with mise may go first on PATH.
      bin='@@RUNTIMES_RE@@/mise/installs/[a-z]+/[A-Za-z0-9._+-]+/bin'
      if [ -n "$prefix" ]; then
        [[ "$prefix" =~ ^$bin(:$bin)*$ ]] && [[ "$prefix" != *..* ]] || die "invalid PATH prefix '$prefix'"
      fi
    fi
    # pb-APP, or pbAPP for a 30-character name (user names stop at 32; a name's third character
    # is a letter, so the two forms never collide).
    buser="pb-$1"; [ ${#1} -le 29 ] || buser="pb$1"
    area="@@BUILD_ROOT@@/$1"
    id -u "$buser" >/dev/null 2>&1 \
      || useradd --system --user-group --no-create-home --home-dir "$area/home" --shell /usr/sbin/nologin "$buser"
    # A root-owned parent: nobody else can put a symlink where the area goes.
    install -d -o root -g root -m 0755 "@@BUILD_ROOT@@"
    [ -L "$area" ] && die "$area must not be a symlink"
    install -d -o "$buser" -g "$buser" -m 0755 "$area"
    [ "$cmd" = build-user ] && exit 0
    unit="potions-build-$1.service"
    leftover=false
    if systemctl is-active --quiet "$unit"; then echo '==> stopping a build left over from an interrupted deploy'; leftover=true; fi
    systemctl stop "$unit" 2>/dev/null || true
    # The interrupted build's own helper stops "its" unit when it exits: let it, before ours exists.
    if $leftover; then sleep 1; fi
    systemctl reset-failed "$unit" 2>/dev/null || true
    # The build's script is part of this root-owned file, never something the caller sends.
    IFS= read -r -d '' script <<'POTIONS_BUILD_SCRIPT' || true
@@BUILD_SCRIPT@@
POTIONS_BUILD_SCRIPT
    # Next to live apps, the build gets a lower CPU weight (apps have 100) and a memory ceiling: at
    # the ceiling the kernel stops the build, never a live app (and OOMScoreAdjust makes the build
    # the first choice should the whole server run short). SCHED_BATCH keeps the compiler's many
    # short processes from preempting an app that wakes for a request, and the build's disk I/O
    # comes after the apps' and PostgreSQL's where the I/O scheduler honours priorities.
    # The build's time limit is kept here, as root: the caller's own (longer) limit cannot reach a
    # root process through sudo. On the limit (exit 124) or any exit of this helper, the whole unit
    # is stopped, every process of the build with it; RuntimeMaxSec stops it even if this helper
    # were killed outright.
    trap 'systemctl stop "$unit" 2>/dev/null || true' EXIT
    trap 'exit 143' TERM INT HUP PIPE
    timeout --kill-after=10s "$4s" systemd-run --quiet --wait --pipe --collect --service-type=exec --unit="$unit" \
      -p User="$buser" -p Group="$buser" -p UMask=0022 -p WorkingDirectory="$area" -E HOME="$area/home" \
      -p ProtectSystem=strict -p ReadWritePaths="$area" -p ProtectHome=yes -p PrivateTmp=yes \
      -p PrivateDevices=yes -p NoNewPrivileges=yes -p RestrictSUIDSGID=yes -p ProtectProc=invisible \
      -p ProtectKernelTunables=yes -p ProtectKernelModules=yes -p ProtectControlGroups=yes \
      -p RuntimeMaxSec="$(($4 + 60))" -p TimeoutStopSec=15 \
      -p MemoryMax="${build_mib}M" -p CPUWeight="$6" -p OOMScoreAdjust=500 -p CPUSchedulingPolicy=batch \
      -p IOSchedulingClass=best-effort -p IOSchedulingPriority=7 -E POTIONS_BUILD_MEMORY_MIB="$build_mib" \
      /bin/bash -c "$script" potions-build "$1" "$2" "$3" "$prefix" &
    wait "$!"
    ;;
  build-stop)
    # build-stop APP: stop the app's build in progress (a cancelled deploy); its helper then exits
    [ $# -eq 1 ] || die "usage: build-stop APP"
    app_ok "$1"
    if systemctl is-active --quiet "potions-build-$1.service"; then
      systemctl stop "potions-build-$1.service"
      echo "stopped"
    else
      echo "no build running"
    fi
    ;;
  build-user-delete)
    # build-user-delete APP: stop the app's build, remove its work area (releases included) and user
    [ $# -eq 1 ] || die "usage: build-user-delete APP"
    app_ok "$1"
    buser="pb-$1"; [ ${#1} -le 29 ] || buser="pb$1"
    systemctl stop "potions-build-$1.service" 2>/dev/null || true
    systemctl reset-failed "potions-build-$1.service" 2>/dev/null || true
    [ -L "@@BUILD_ROOT@@/$1" ] && die "@@BUILD_ROOT@@/$1 is a symlink"
    rm -rf --one-file-system "@@BUILD_ROOT@@/$1"
    if id -u "$buser" >/dev/null 2>&1; then userdel "$buser"; fi
    ;;
  build-release-delete)
    # build-release-delete APP RELEASE_ID...: remove releases from the app's build area. The removal
    # runs as the build user: its area is its own, so root never walks a path that user controls.
    [ $# -ge 2 ] || die "usage: build-release-delete APP RELEASE_ID..."
    app_ok "$1"
    buser="pb-$1"; [ ${#1} -le 29 ] || buser="pb$1"
    paths=()
    for release_id in "${@:2}"; do id_ok "$release_id"; paths+=("@@BUILD_ROOT@@/$1/releases/$release_id"); done
    id -u "$buser" >/dev/null 2>&1 || exit 0
    cd /
    exec runuser -u "$buser" -- rm -rf -- "${paths[@]}"
    ;;
  env)
    # env APP SLOT < content: install the slot's environment file (root-owned, 0600)
    [ $# -eq 2 ] || die "usage: env APP SLOT < file"
    app_ok "$1"; slot_ok "$2"
    install -d -m 0700 "$ENV_DIR"
    tmp=$(mktemp "$ENV_DIR/.incoming.XXXXXX")
    # One byte past the limit tells "too big" from "exactly the limit": refused, never cut short.
    head -c $((@@ENV_LIMIT_BYTES@@ + 1)) > "$tmp"
    size=$(stat -c %s "$tmp")
    if [ "$size" -gt @@ENV_LIMIT_BYTES@@ ]; then rm -f "$tmp"; die "env content is over the limit of @@ENV_LIMIT_BYTES@@ bytes; the slot's env file was not changed"; fi
    if grep -vqE '^([A-Za-z_][A-Za-z0-9_]*=.*)?$' "$tmp"; then rm -f "$tmp"; die "env content has a line that is not KEY=VALUE"; fi
    chmod 0600 "$tmp"
    mv -f "$tmp" "$ENV_DIR/$1-$2"
    ;;
  app-init)
    # app-init APP MEMORY_MIB CPU_PERCENT TASKS: the app's own user, its storage and its slots' drop-ins
    [ $# -eq 4 ] || die "usage: app-init APP MEMORY_MIB CPU_PERCENT TASKS"
    app_ok "$1"; limits_ok "$2" "$3" "$4"
    user=$(app_user "$1")
    id -u "$user" >/dev/null 2>&1 \
      || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
    # Every component of the path is created and owned by root, so no other user can put a
    # symlink anywhere on it: nothing to check first, nothing to race.
    install -d -o root -g root -m 0711 "${STORAGE_ROOT%/*}" "$STORAGE_ROOT"
    [ -d "$STORAGE_ROOT/$1" ] || mkdir -m 0700 -- "$STORAGE_ROOT/$1"
    chown -h -- "$user:$user" "$STORAGE_ROOT/$1"
    chmod 0700 -- "$STORAGE_ROOT/$1"
    for slot in blue green; do
      d=$(drop_in_dir "$1" "$slot")
      install -d -o root -g root -m 0755 "$d"
      tmp=$(mktemp "$d/.incoming.XXXXXX")
      slot_config "$1" "$2" "$3" "$4" > "$tmp"
      chmod 0644 "$tmp"
      mv -f "$tmp" "$d/@@DROP_IN@@"
    done
    systemctl daemon-reload
    ;;
  unit-config)
    # unit-config APP MEMORY_MIB CPU_PERCENT TASKS: print the drop-in app-init writes (changes nothing)
    [ $# -eq 4 ] || die "usage: unit-config APP MEMORY_MIB CPU_PERCENT TASKS"
    app_ok "$1"; limits_ok "$2" "$3" "$4"
    slot_config "$1" "$2" "$3" "$4"
    ;;
  migrate)
    # migrate APP SLOT EXPRESSION: run the release's migration as the app user, with the slot's env
    [ $# -eq 3 ] || die "usage: migrate APP SLOT EXPRESSION"
    app_ok "$1"; slot_ok "$2"
    [ -f "$ENV_DIR/$1-$2" ] || die "no env file for $1-$2"
    name=$(sed -n 's/^POTIONS_RELEASE_NAME=//p' "$ENV_DIR/$1-$2" | tr -d '"')
    [[ "$name" =~ ^[a-z][a-z0-9_]{0,63}$ ]] || die "invalid release name '$name'"
    slot_sandbox "$1" "$2"
    exec systemd-run --quiet --wait --pipe --collect --service-type=exec \
      -p User="$user" -p Group="$user" "${app_props[@]}" "${SANDBOX[@]}" -p EnvironmentFile="$ENV_DIR/$1-$2" \
      -p WorkingDirectory="@@SLOTS@@/$1-$2/release" -E RELEASE_TMP=/tmp -E HOME=/tmp \
      "@@SLOTS@@/$1-$2/release/bin/$name" eval "$3"
    ;;
  route)
    # route APP APP_PORT SLOT_PORT: send the app's stable loopback port to a slot's port
    [ $# -eq 3 ] || die "usage: route APP APP_PORT SLOT_PORT"
    app_ok "$1"; port_ok "$2"; port_ok "$3"
    # The kernel's rule first, then the record: the file never claims a route the kernel lacks.
    # Route files hold no secret: the deploy user reads them to know which slot is live.
    route_set "$1" "$2" "$3"
    ;;
  warm-flip)
    # warm-flip APP SLOT APP_PORT SLOT_PORT: an instant rollback's switch in one call. Only if the
    # slot still runs (warm=yes): mark where the access log stands (the switch window's start), then
    # route the app's stable port to the slot.
    [ $# -eq 4 ] || die "usage: warm-flip APP SLOT APP_PORT SLOT_PORT"
    app_ok "$1"; slot_ok "$2"; port_ok "$3"; port_ok "$4"
    if ! systemctl is-active --quiet "potions-app@$1-$2.service"; then echo warm=no; exit 0; fi
    echo warm=yes
    # The size alone, of the path itself (no link followed): nothing is read from the file.
    echo "access_log_offset=$(stat -c %s -- "/var/log/caddy/potions-$1.access.log" 2>/dev/null || echo 0)"
    echo "server_time=$(date +%s.%N)"
    route_set "$1" "$3" "$4"
    ;;
  admin-guard)
    # admin-guard: (re)apply the rule that keeps apps off the proxy's admin API
    [ $# -eq 0 ] || die "usage: admin-guard"
    admin_guard
    ;;
  routes-restore)
    # routes-restore: at boot, the admin API rule and every app's NAT rule (from /etc/potions/routes)
    admin_guard
    [ -d "$ROUTE_DIR" ] || exit 0
    for f in "$ROUTE_DIR"/*; do
      [ -f "$f" ] || continue
      app=$(basename "$f"); [[ "$app" =~ @@APP_PATTERN@@ ]] || continue
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
    # The password reaches psql through its environment (readable only by root and postgres),
    # never its arguments: every user on the server can read any process's command line.
    POTIONS_DB_PASSWORD="$pw" runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
\getenv pw POTIONS_DB_PASSWORD
\if :{?pw}
\else
\warn 'the password did not reach psql'
SELECT 1/0;
\endif
SELECT format('CREATE ROLE %I LOGIN', :'db') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'db') \gexec
ALTER ROLE :"db" WITH LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'db') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
    # Only the app's own role reaches its database: no CONNECT for PUBLIC (the owner keeps it), and
    # membership of potions_apps puts the role under pg_hba's own-database-only lines.
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
SELECT 'CREATE ROLE potions_apps NOLOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'potions_apps') \gexec
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
SELECT format('GRANT potions_apps TO %I', :'db') WHERE NOT pg_has_role(:'db', 'potions_apps', 'MEMBER') \gexec
SQL
    ;;
  db-drop)
    # db-drop APP: drop the app's database and role
    [ $# -eq 1 ] || die "usage: db-drop APP"
    app_ok "$1"; db=$(db_base "$1")
    cd /
    # Every generation: the original database and those restores made (app_x__rYYYYMMDDhhmmss).
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database WHERE datname = :'db' OR datname ~ ('^' || :'db' || '__r[0-9]{14}$') \gexec
SELECT format('DROP ROLE IF EXISTS %I', rolname) FROM pg_roles WHERE rolname = :'db' OR rolname ~ ('^' || :'db' || '__r[0-9]{14}$') \gexec
SQL
    rm -f "$DB_DIR/$1"
    ;;
  db-exists)
    # db-exists APP: exit 0 when the app's database exists (so a failed create never drops a kept one)
    [ $# -eq 1 ] || die "usage: db-exists APP"
    app_ok "$1"; db=$(db_name "$1")
    cd /
    found=$(runuser -u postgres -- psql -tAq -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'db';
SQL
)
    [ "$found" = 1 ]
    ;;
  app-delete)
    # app-delete APP: stop and disable both slots, remove env files, NAT rule, @@ROOT@@/APP,
    # the app's storage, its slots' drop-ins and its user
    [ $# -eq 1 ] || die "usage: app-delete APP"
    app_ok "$1"
    for slot in blue green; do
      systemctl disable --now "potions-app@$1-$slot.service" 2>/dev/null || true
      systemctl reset-failed "potions-app@$1-$slot.service" 2>/dev/null || true
      rm -f "$ENV_DIR/$1-$slot" "@@SLOTS@@/$1-$slot"
      rm -rf "$(drop_in_dir "$1" "$slot")"
    done
    systemctl daemon-reload
    route_delete "$1"
    rm -f "$ROUTE_DIR/$1"
    [ -L "@@ROOT@@/$1" ] && die "@@ROOT@@/$1 is a symlink"
    rm -rf --one-file-system "@@ROOT@@/$1" "${STORAGE_ROOT:?}/$1"
    user=$(app_user "$1")
    if id -u "$user" >/dev/null 2>&1; then userdel "$user" || echo "potions-admin: could not remove user $user" >&2; fi
    ;;
  node-install)
    # node-install: Debian's nodejs and npm, for apps with assets/package.json (npm ci before
    # mix assets.deploy). Fixed package names, no arguments; nothing to do when npm is there.
    [ $# -eq 0 ] || die "usage: node-install"
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then exit 0; fi
    echo '==> installing Node.js and npm from the distribution (one time)'
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends nodejs npm
    ;;
  db-dump)
    # db-dump APP: the app's database in PostgreSQL's custom format, on stdout (the caller's shell,
    # the deploy user's, writes it to the backup directory: root never writes there)
    [ $# -eq 1 ] || die "usage: db-dump APP"
    app_ok "$1"; db=$(db_name "$1")
    cd /
    exec runuser -u postgres -- pg_dump --format=custom --dbname="$db"
    ;;
  storage-tar)
    # storage-tar APP: the app's storage as a tar on stdout, read as the app's own user
    [ $# -eq 1 ] || die "usage: storage-tar APP"
    app_ok "$1"
    [ -d "$STORAGE_ROOT/$1" ] || die "app $1 has no storage directory"
    cd /
    exec runuser -u "$(app_user "$1")" -- tar -C "$STORAGE_ROOT/$1" -cf - .
    ;;
  db-new)
    # db-new APP GENERATION < password: an empty database for a restore, with a login role of the
    # same name (pg_hba lets an app role reach only the database named like itself)
    [ $# -eq 2 ] || die "usage: db-new APP GENERATION < password"
    app_ok "$1"; gen_ok "$2"; db="$(db_base "$1")__r$2"
    IFS= read -r pw || true
    [ ${#pw} -ge 16 ] || die "password too short"
    cd /
    POTIONS_DB_PASSWORD="$pw" runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
\getenv pw POTIONS_DB_PASSWORD
\if :{?pw}
\else
\warn 'the password did not reach psql'
SELECT 1/0;
\endif
SELECT 'CREATE ROLE potions_apps NOLOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'potions_apps') \gexec
CREATE ROLE :"db" LOGIN PASSWORD :'pw' IN ROLE potions_apps;
CREATE DATABASE :"db" OWNER :"db";
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
SQL
    ;;
  db-restore)
    # db-restore APP GENERATION < password line, then the dump: restore a custom-format dump into the
    # database db-new made; stop at the first error; ANALYZE; print the number of tables restored
    [ $# -eq 2 ] || die "usage: db-restore APP GENERATION < password-and-dump"
    app_ok "$1"; gen_ok "$2"; db="$(db_base "$1")__r$2"
    [ "$db" != "$(db_name "$1")" ] || die "$db is the database the app uses; restore into a new one"
    IFS= read -r pw || true
    [ ${#pw} -ge 16 ] || die "password too short"
    cd /
    # Connected as the new database's own role, never as postgres: a dump's SQL (a crafted one
    # included) can do no more than that role may. The password goes through the environment.
    PGPASSWORD="$pw" pg_restore --host=127.0.0.1 --username="$db" --no-password --exit-on-error \
      --single-transaction --no-owner --no-acl --dbname="$db"
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d "$db" -c 'ANALYZE'
    tables=$(runuser -u postgres -- psql -tAq -v ON_ERROR_STOP=1 -d "$db" \
      -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    echo "POTIONS_TABLES=$tables"
    ;;
  db-use)
    # db-use APP GENERATION|original: record which database the app uses (backups dump that one)
    [ $# -eq 2 ] || die "usage: db-use APP GENERATION|original"
    app_ok "$1"
    install -d -o root -g root -m 0755 "$DB_DIR"
    if [ "$2" = original ]; then rm -f "$DB_DIR/$1"; exit 0; fi
    gen_ok "$2"
    (umask 022; echo "$(db_base "$1")__r$2" > "$DB_DIR/$1.tmp") && mv -f "$DB_DIR/$1.tmp" "$DB_DIR/$1"
    ;;
  db-list)
    # db-list APP: the app's databases, one "NAME SIZE_BYTES current|kept" line each
    [ $# -eq 1 ] || die "usage: db-list APP"
    app_ok "$1"; base=$(db_base "$1"); current=$(db_name "$1")
    cd /
    runuser -u postgres -- psql -tAq -F ' ' -v ON_ERROR_STOP=1 -v base="$base" -v cur="$current" <<'SQL'
SELECT datname, pg_database_size(datname), CASE WHEN datname = :'cur' THEN 'current' ELSE 'kept' END
FROM pg_database WHERE datname = :'base' OR datname ~ ('^' || :'base' || '__r[0-9]{14}$') ORDER BY datname;
SQL
    ;;
  db-drop-kept)
    # db-drop-kept APP DATABASE: drop a database of the app that it no longer uses (never the current one)
    [ $# -eq 2 ] || die "usage: db-drop-kept APP DATABASE"
    app_ok "$1"; base=$(db_base "$1")
    [[ "$2" =~ ^$base(__r[0-9]{14})?$ ]] || die "'$2' is not a database of app $1"
    [ "$2" != "$(db_name "$1")" ] || die "$2 is the database app $1 uses; it cannot be dropped"
    cd /
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$2" -v base="$base" <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SELECT format('DROP ROLE IF EXISTS %I', :'db') WHERE :'db' <> :'base' \gexec
SQL
    ;;
  storage-restore)
    # storage-restore APP < tar: extract beside the live storage as the app's user, then swap the
    # directories; the previous one is kept as .pre-restore-APP-TIME (printed)
    [ $# -eq 1 ] || die "usage: storage-restore APP < tar"
    app_ok "$1"; user=$(app_user "$1")
    id -u "$user" >/dev/null 2>&1 || die "app $1 has no user"
    new="$STORAGE_ROOT/.restore-$1"
    rm -rf --one-file-system "$new"
    mkdir -m 0700 -- "$new"
    chown -- "$user:$user" "$new"
    cd /
    if ! runuser -u "$user" -- tar -x --no-same-owner -C "$new" -f -; then
      rm -rf --one-file-system "$new"; die "the storage archive did not extract; the live storage was not changed"
    fi
    old="$STORAGE_ROOT/.pre-restore-$1-$(date -u +%Y%m%d%H%M%S)"
    [ ! -e "$STORAGE_ROOT/$1" ] || mv -- "$STORAGE_ROOT/$1" "$old"
    mv -- "$new" "$STORAGE_ROOT/$1"
    echo "POTIONS_OLD_STORAGE=$old"
    ;;
  backup-schedule)
    # backup-schedule APP HH:MM: a daily timer (UTC) running the app's scheduled backup as the deploy
    # user; a failed run starts potions-backup-failed@APP (the alerting hook)
    [ $# -eq 2 ] || die "usage: backup-schedule APP HH:MM"
    app_ok "$1"
    time_ok "$2"
    self=$(readlink -f "$0")
    unit_write "$UNIT_DIR/potions-backup-failed@.service" \
      "# Managed by Potions: runs when a scheduled backup fails. Point it at your alerting with an" \
      "# executable, root-owned /etc/potions/backup-failed-hook (it gets the app's name)." "[Unit]" \
      "Description=Potions: a scheduled backup of %i failed" "[Service]" "Type=oneshot" \
      "ExecStart=$self backup-failed %i"
    timer_install "potions-backup-$1" "the scheduled backup of app $1" "*-*-* $2:00 UTC" \
      "@@ROOT@@/$1/backups/.scheduled.sh" "OnFailure=potions-backup-failed@$1.service"
    ;;
  backup-unschedule)
    # backup-unschedule APP: stop and remove the app's backup timer
    [ $# -eq 1 ] || die "usage: backup-unschedule APP"
    app_ok "$1"
    timer_remove "potions-backup-$1"
    ;;
  backup-run)
    # backup-run APP: run the app's scheduled backup now (the timer's service), waiting for it
    [ $# -eq 1 ] || die "usage: backup-run APP"
    app_ok "$1"
    exec systemctl start "potions-backup-$1.service"
    ;;
  drill-schedule)
    # drill-schedule APP DAY HH:MM: a weekly timer (UTC) running the app's unattended restore drill
    # as the deploy user (the newest backup into a scratch database; health() reads the record)
    [ $# -eq 3 ] || die "usage: drill-schedule APP DAY HH:MM"
    app_ok "$1"
    [[ "$2" =~ ^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)$ ]] || die "invalid day '$2' (Mon to Sun)"
    time_ok "$3"
    timer_install "potions-drill-$1" "the restore drill of app $1" "$2 *-*-* $3:00 UTC" \
      "@@ROOT@@/$1/backups/.drill.sh"
    ;;
  drill-unschedule)
    # drill-unschedule APP: stop and remove the app's restore drill timer
    [ $# -eq 1 ] || die "usage: drill-unschedule APP"
    app_ok "$1"
    timer_remove "potions-drill-$1"
    ;;
  drill-run)
    # drill-run APP: run the app's scheduled restore drill now (the timer's service), waiting for it
    [ $# -eq 1 ] || die "usage: drill-run APP"
    app_ok "$1"
    exec systemctl start "potions-drill-$1.service"
    ;;
  backup-failed)
    # backup-failed APP: the OnFailure hook: logs at error level, then runs the user's alerting hook
    [ $# -eq 1 ] || die "usage: backup-failed APP"
    app_ok "$1"
    echo "potions: the scheduled backup of app $1 FAILED; see journalctl -u potions-backup-$1" | systemd-cat -t potions-backup -p err
    hook=/etc/potions/backup-failed-hook
    if [ -x "$hook" ] && [ "$(stat -c %u "$hook")" = 0 ]; then exec "$hook" "$1"; fi
    ;;
  offsite-set)
    # offsite-set APP < five lines (repository, region, access key id, secret key, restic password):
    # store the app's offsite settings root-only, then open (or create) the restic repository. When
    # the repository cannot be reached or opened, the previous settings stay and nothing changes.
    [ $# -eq 1 ] || die "usage: offsite-set APP < settings"
    app_ok "$1"
    IFS= read -r repo || true; IFS= read -r region || true; IFS= read -r key_id || true
    IFS= read -r secret || true; IFS= read -r pw || true
    [[ "$repo" =~ ^s3:https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9][A-Za-z0-9._-]*)*$ ]] \
      || die "invalid offsite repository '$repo' (s3:https://ENDPOINT/BUCKET[/PREFIX])"
    [[ "$region" =~ ^[a-z0-9-]{1,40}$ ]] || die "invalid offsite region '$region'"
    [[ "$key_id" =~ ^[A-Za-z0-9._+/=-]{1,256}$ ]] || die "invalid offsite access key id"
    [[ "$secret" =~ ^[!-~]{1,256}$ ]] || die "invalid offsite secret key"
    [[ "$pw" =~ ^[!-~]{12,256}$ ]] || die "invalid repository password (12 to 256 printable characters, no spaces)"
    restic_ok
    install -d -o root -g root -m 0700 "$OFFSITE_DIR"
    new="$OFFSITE_DIR/.new-$1"
    printf '%s\n' "RESTIC_REPOSITORY=$repo" "AWS_DEFAULT_REGION=$region" "AWS_ACCESS_KEY_ID=$key_id" \
      "AWS_SECRET_ACCESS_KEY=$secret" > "$new.env"
    printf '%s\n' "$pw" > "$new.password"
    chmod 0600 "$new.env" "$new.password"
    offsite_load ".new-$1"
    cd /
    if ! out=$(restic cat config 2>&1 >/dev/null); then
      if [[ "$out" =~ Access\ Denied|AccessDenied|SignatureDoesNotMatch|InvalidAccessKeyId|Forbidden ]]; then
        rm -f "$new.env" "$new.password"
        die "the storage at $repo refused the access key (wrong or revoked key, or no rights on the bucket): $out"
      elif [[ "$out" == *"Is there a repository at the following location?"* ]]; then
        echo "==> creating the restic repository $repo"
        if ! out=$(restic init 2>&1); then
          rm -f "$new.env" "$new.password"; die "could not create the restic repository at $repo: $out"
        fi
      else
        rm -f "$new.env" "$new.password"; die "could not open the restic repository at $repo: $out"
      fi
    fi
    mv -f "$new.env" "$OFFSITE_DIR/$1.env"
    mv -f "$new.password" "$OFFSITE_DIR/$1.password"
    echo "POTIONS_OFFSITE=configured"
    ;;
  offsite-unset)
    # offsite-unset APP: forget the app's offsite settings (the copies already made stay in the bucket)
    [ $# -eq 1 ] || die "usage: offsite-unset APP"
    app_ok "$1"
    rm -f "$OFFSITE_DIR/$1.env" "$OFFSITE_DIR/$1.password"
    ;;
  offsite-backup)
    # offsite-backup APP ID KEEP: copy one backup directory offsite (restic: encrypted, deduplicated),
    # tagged with its id, then keep the newest KEEP copies; prints POTIONS_OFFSITE=none when the app
    # has no offsite settings
    [ $# -eq 3 ] || die "usage: offsite-backup APP ID KEEP"
    app_ok "$1"; id_ok "$2"; num_ok "$3"
    src="@@ROOT@@/$1/backups/$2"
    offsite_load "$1" || { echo "POTIONS_OFFSITE=none"; exit 0; }
    [ -f "$src/manifest.json" ] || die "backup $2 of app $1 does not exist"
    restic_ok
    cd /
    db_bytes=$(stat -c %s "$src/db.dump" 2>/dev/null || echo 0)
    st_bytes=$(stat -c %s "$src/storage.tar" 2>/dev/null || echo 0)
    echo "==> copying backup $2 offsite"
    if ! summary=$(restic backup --json --quiet --host "potions-$1" --tag potions --tag "$2" \
      --tag "db-bytes:$db_bytes" --tag "storage-bytes:$st_bytes" "$src" | grep '"message_type":"summary"' | tail -n 1); then
      die "the offsite copy of backup $2 FAILED: restic could not write to ${RESTIC_REPOSITORY} (see its error above); the local backup is kept"
    fi
    added=$(sed -n 's/.*"data_added":\([0-9]*\).*/\1/p' <<<"$summary")
    snapshot=$(sed -n 's/.*"snapshot_id":"\([0-9a-f]*\)".*/\1/p' <<<"$summary")
    [ -n "$snapshot" ] || die "restic made no snapshot of backup $2"
    echo "POTIONS_OFFSITE_ADDED=${added:-0}"
    echo "POTIONS_OFFSITE_SNAPSHOT=$snapshot"
    echo "==> offsite retention: keeping the newest $3"
    # The copy is made: a failed clean-up is reported, and the next backup's retention tries again.
    restic forget --quiet --host "potions-$1" --tag potions --group-by '' --keep-last "$3" --prune >&2 \
      || echo "==> offsite retention failed this time; older copies stay until the next backup" >&2
    echo "POTIONS_OFFSITE=ok"
    ;;
  offsite-list)
    # offsite-list APP: the app's offsite copies as restic's JSON (one line), or nothing without settings
    [ $# -eq 1 ] || die "usage: offsite-list APP"
    app_ok "$1"
    offsite_load "$1" || exit 0
    restic_ok
    cd /
    # restic retries an unreachable endpoint for up to ~15 minutes; a listing (list(), health())
    # must not hang on it: after 60 s it fails, and the listing says the offsite copies are unknown.
    snapshots=$(timeout 60 restic snapshots --json --host "potions-$1" --tag potions) \
      || die "the offsite repository ${RESTIC_REPOSITORY} could not be listed (restic failed, see above, or did not answer within 60 s)"
    printf 'S %s\n' "$snapshots"
    ;;
  offsite-dump)
    # offsite-dump APP ID: one offsite copy as a tar on stdout (the caller's shell, the deploy
    # user's, extracts it into the backup directory: root never writes there)
    [ $# -eq 2 ] || die "usage: offsite-dump APP ID"
    app_ok "$1"; id_ok "$2"
    offsite_load "$1" || die "app $1 has no offsite settings"
    restic_ok
    cd /
    exec restic dump --host "potions-$1" --tag "$2" latest "@@ROOT@@/$1/backups/$2"
    ;;
  stop-timeout)
    # stop-timeout APP SECONDS: the slots' systemd stop timeout (SIGTERM, then this long before
    # SIGKILL), long enough for the app's own drain of its WebSockets; reloads only on a change
    [ $# -eq 2 ] || die "usage: stop-timeout APP SECONDS"
    app_ok "$1"; num_ok "$2"
    [ "$2" -ge 5 ] && [ "$2" -le 1800 ] || die "invalid stop timeout '$2' s (5 to 1800)"
    changed=false
    for slot in blue green; do
      d=$(drop_in_dir "$1" "$slot")
      want=$(printf '%s\n' "# Managed by Potions: how long the slot may drain after SIGTERM." "[Service]" "TimeoutStopSec=$2")
      [ -f "$d/stop.conf" ] && [ "$(cat "$d/stop.conf")" = "$want" ] && continue
      install -d -o root -g root -m 0755 "$d"
      tmp=$(mktemp "$d/.incoming.XXXXXX")
      printf '%s\n' "$want" > "$tmp"
      chmod 0644 "$tmp"
      mv -f "$tmp" "$d/stop.conf"
      changed=true
    done
    if $changed; then systemctl daemon-reload; fi
    ;;
  unit-stop-async)
    # unit-stop-async APP SLOT: send the slot SIGTERM and return at once (systemd waits for it to
    # stop, up to its stop timeout); the caller follows the drain and closes what is left
    [ $# -eq 2 ] || die "usage: unit-stop-async APP SLOT"
    app_ok "$1"; slot_ok "$2"
    exec systemctl stop --no-block "potions-app@$1-$2.service"
    ;;
  conn-spread)
    # conn-spread APP PORT WINDOW_MS: closes (ss -K) what is still open on one of the app's own slot
    # ports, spread evenly over the window: every 200 ms, by the clock, the open connections over the
    # ticks left. Only quiet ones: nothing unread, and either the last thing received was answered
    # or nothing came in for a second (a WebSocket whose client's pong or message came last). A
    # connection that just received a request and has not answered it waits for a later tick.
    # Runs here, as one command, because a round trip per batch does not keep time on a loaded server.
    [ $# -eq 3 ] || die "usage: conn-spread APP PORT WINDOW_MS"
    app_ok "$1"; port_ok "$2"; num_ok "$3"
    [ -f "$ROUTE_DIR/$1" ] || die "app $1 has no route"
    read -r app_port _ < "$ROUTE_DIR/$1" || die "unreadable route of $1"
    port_ok "$app_port"
    [ "$2" -eq $((app_port + 1)) ] || [ "$2" -eq $((app_port + 2)) ] || die "port $2 is not a slot port of $1"
    port=$2
    # One line per connection: its peer port, then idle or busy (ss omits lastsnd/lastrcv when 0 ms).
    connections() {
      ss -Htni state established "( sport = :$port )" | awk '
        function emit() { if (peer != "") print peer, ((queued == 0 && (snd <= rcv || rcv >= 1000)) ? "idle" : "busy") }
        /^[^ \t]/ { emit(); peer = $4; sub(/.*:/, "", peer); queued = $1 + 0; snd = 0; rcv = 0; next }
        { for (i = 1; i <= NF; i++) {
            if ($i ~ /^lastsnd:/) snd = substr($i, 9) + 0
            if ($i ~ /^lastrcv:/) rcv = substr($i, 9) + 0
        } }
        END { emit() }'
    }
    now_ms() { date +%s%3N; }
    end=$(($(now_ms) + $3))
    # Past the window, busy connections get a short grace to finish their request, then it stops.
    give_up=$((end + 5000))
    closed=0
    while :; do
      mapfile -t open < <(connections)
      [ ${#open[@]} -gt 0 ] || break
      now=$(now_ms)
      [ "$now" -lt "$give_up" ] || break
      ticks=$(((end - now) / 200)); [ "$ticks" -ge 1 ] || ticks=1
      batch=$(((${#open[@]} + ticks - 1) / ticks))
      filter=
      n=0
      for c in "${open[@]}"; do
        [ "$n" -lt "$batch" ] || break
        [ "${c#* }" = idle ] || continue
        filter+="${filter:+ or }dport = :${c%% *}"
        n=$((n + 1))
      done
      if [ "$n" -gt 0 ]; then
        # Closed from the client's side (the proxy's socket, which still sees the app's stable
        # port): its reset then travels in the connection's original direction, so conntrack
        # forgets the old slot's mapping when the proxy reuses that source port. Reset from the
        # app's side, the stale mapping is kept for a reused port (a reply-direction reset does not
        # end it) and the proxy's next connection lands on the stopped slot: refused, a 502.
        ss -K -Htn state established "( dport = :$app_port and ( ${filter//dport/sport} ) )" >/dev/null
        # A client that did not come through the stable port (none of the proxy's) is closed here.
        mapfile -t left < <(connections)
        for c in "${left[@]}"; do
          case " $filter " in *" dport = :${c%% *} "*)
            ss -K -Htn state established "( sport = :$port and dport = :${c%% *} )" >/dev/null ;;
          esac
        done
        closed=$((closed + n))
      fi
      sleep 0.2
    done
    echo "closed=$closed"
    ;;
  access-log)
    # access-log APP size|OFFSET: the size of the app's access log (access_log_offset=N), or its lines
    # from OFFSET (at most 64 MiB). The proxy writes it; it is read as the proxy's user, never as root.
    [ $# -eq 2 ] || die "usage: access-log APP size|OFFSET"
    app_ok "$1"
    f="/var/log/caddy/potions-$1.access.log"
    id -u caddy >/dev/null 2>&1 || { [ "$2" = size ] && echo "access_log_offset=-1"; exit 0; }
    cd /
    if [ "$2" = size ]; then
      echo "access_log_offset=$(runuser -u caddy -- stat -L -c %s -- "$f" 2>/dev/null || echo 0)"
      exit 0
    fi
    [[ "$2" =~ ^[0-9]{1,15}$ ]] || die "invalid offset '$2'"
    size=$(runuser -u caddy -- stat -L -c %s -- "$f" 2>/dev/null) || exit 0
    # A log rolled over since the offset was taken starts again from its beginning.
    start=$2; [ "$start" -le "$size" ] || start=0
    runuser -u caddy -- tail -c +$((start + 1)) -- "$f" | head -c 67108864
    ;;
  rpc|remote)
    # rpc APP SLOT < expression: evaluate Elixir in the slot's running release (bin/<release> rpc)
    # remote APP SLOT: an interactive remote IEx shell into it (the caller must have a terminal)
    # Both run as the app's user, sandboxed like the slot, with the slot's env (its cookie). The
    # expression arrives on stdin and is passed as one argument: no shell ever parses it.
    [ $# -eq 2 ] || die "usage: $cmd APP SLOT"
    app_ok "$1"; slot_ok "$2"
    envf="$ENV_DIR/$1-$2"
    [ -f "$envf" ] || die "app $1 has no env file for slot $2 (deploy it first)"
    systemctl is-active --quiet "potions-app@$1-$2.service" || die "app $1 is not running in slot $2"
    name=$(sed -n 's/^POTIONS_RELEASE_NAME=//p' "$envf" | tr -d '"')
    [[ "$name" =~ ^[a-z][a-z0-9_]{0,63}$ ]] || die "invalid release name '$name'"
    dport=$(sed -n 's/^POTIONS_DIST_PORT=//p' "$envf" | tr -d '"')
    [[ "$dport" =~ ^[0-9]{4,5}$ ]] || die "app $1 was deployed without a distribution port: deploy or restart it once, then try again"
    slot_sandbox "$1" "$2"
    # The client node reaches the slot's node on its fixed loopback port without epmd, and listens on nothing.
    erl_opts="-start_epmd false -erl_epmd_port $dport -dist_listen false"
    run=(systemd-run --quiet --wait --collect --service-type=exec -p User="$user" -p Group="$user"
      "${app_props[@]}" "${SANDBOX[@]}" -p EnvironmentFile="$envf" -p WorkingDirectory="@@SLOTS@@/$1-$2/release"
      -E RELEASE_TMP=/tmp -E HOME=/tmp)
    bin="@@SLOTS@@/$1-$2/release/bin/$name"
    if [ "$cmd" = rpc ]; then
      expr=$(head -c 65537)
      [ ${#expr} -le 65536 ] || die "the expression is over 65536 bytes"
      [ -n "${expr//[[:space:]]/}" ] || die "the expression is empty"
      exec "${run[@]}" --pipe /usr/bin/env ELIXIR_ERL_OPTIONS="$erl_opts" "$bin" rpc "$expr" </dev/null
    fi
    [ -t 0 ] || die "remote needs a terminal (ssh -t)"
    exec "${run[@]}" --pty /usr/bin/env ELIXIR_ERL_OPTIONS="$erl_opts" "$bin" remote
    ;;
  warm)
    # warm APP SLOT SECONDS: stop the slot after SECONDS (a transient timer) unless traffic goes to it
    # by then; 0 cancels a pending stop. Keeps the previous release warm for an instant rollback.
    [ $# -eq 3 ] || die "usage: warm APP SLOT SECONDS"
    app_ok "$1"; slot_ok "$2"; num_ok "$3"
    timer="potions-warm-$1-$2"
    systemctl stop "$timer.timer" "$timer.service" 2>/dev/null || true
    systemctl reset-failed "$timer.timer" "$timer.service" 2>/dev/null || true
    [ "$3" -eq 0 ] && exit 0
    exec systemd-run --quiet --collect --unit="$timer" --on-active="$3s" --timer-property=AccuracySec=1s \
      /usr/local/sbin/potions-admin warm-stop "$1" "$2"
    ;;
  warm-stop)
    # warm-stop APP SLOT: stop and disable a warm slot, unless the app's route points at it
    [ $# -eq 2 ] || die "usage: warm-stop APP SLOT"
    app_ok "$1"; slot_ok "$2"
    live=$(awk '{print $2}' "$ROUTE_DIR/$1" 2>/dev/null || true)
    port=$(sed -n 's/^PORT=//p' "$ENV_DIR/$1-$2" 2>/dev/null | tr -d '"')
    if [ -n "$live" ] && [ "$live" = "$port" ]; then echo "slot $1-$2 serves traffic; left running"; exit 0; fi
    systemctl disable "potions-app@$1-$2.service" 2>/dev/null || true
    exec systemctl stop "potions-app@$1-$2.service"
    ;;
  version)
    echo "potions-admin 2"
    ;;
  *)
    die "unknown command '$cmd'"
    ;;
esac
