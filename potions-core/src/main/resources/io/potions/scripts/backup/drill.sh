#!/bin/bash
# Managed by Potions: the unattended restore drill of one app, run by its systemd timer as the
# deploy user. It checks the newest backup kept on the server against its checksums, restores it
# into a scratch database (the same root helpers app.backups().verify uses), counts the tables,
# drops the scratch database whatever happened, and records the result beside the backup and in
# the drill records app.backups().health() reads. A failed drill exits non-zero (systemd logs it).
set -euo pipefail
umask 077
dir=@@DIR@@
drills="$dir/drills"
install -d -m 0700 "$drills"
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
started=$(date +%s%3N)
gen=$(date -u +%Y%m%d%H%M%S)
log="$drills/.last.log"
: > "$log"
id=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' -printf '%f\n' | sort | tail -n 1)
status=0
tables=-1
age=0
if [ -z "$id" ]; then
  echo "no backup on the server to drill (make one with app.backups().create() or schedule them)" >> "$log"
  status=3
else
  age=$(( $(date +%s) - $(stat -c %Y "$dir/$id/manifest.json") ))
  # The log's redirects are meant to be the deploy user's: root only produces the output.
  # shellcheck disable=SC2024
  drop() { @@DROP@@ >> "$log" 2>&1 || echo "could not drop the scratch database of generation $gen" >> "$log"; }
  trap drop EXIT
  # A random password for the scratch role, made here and passed through pipes only (printf is a builtin).
  pw=$(head -c 48 /dev/urandom | base64 -w 0 | tr -dc 'A-Za-z0-9' | cut -c1-32)
  # shellcheck disable=SC2024
  if ! (
      id=$id
      @@CHECK@@
    ) >> "$log" 2>&1; then
    status=4
  elif ! printf '%s\n' "$pw" | @@DB_NEW@@ >> "$log" 2>&1; then
    status=5
  elif ! out=$({ printf '%s\n' "$pw"; cat -- "$dir/$id/db.dump"; } | @@DB_RESTORE@@ 2>> "$log"); then
    printf '%s\n' "$out" >> "$log"
    status=6
  else
    printf '%s\n' "$out" >> "$log"
    tables=$(sed -n 's/^POTIONS_TABLES=\([0-9]*\)$/\1/p' <<<"$out")
    [ "${tables:-0}" -gt 0 ] || { echo "the restore held no tables" >> "$log"; tables=${tables:-0}; status=7; }
  fi
  drop
  trap - EXIT
fi
ok=false; [ "$status" -eq 0 ] && ok=true
took=$(( $(date +%s%3N) - started ))
reason=$(tail -n 3 "$log" | tr -d '"\\' | tr '\n\t' '  ' | cut -c1-400)
record=$(printf '{"id":"%s","ok":%s,"at":"%s","tables":%s,"durationMillis":%s,"backupAgeSeconds":%s,"scheduled":true,"output":"%s"}' \
  "$id" "$ok" "$at" "$tables" "$took" "$age" "$reason")
printf '%s\n' "$record" > "$drills/$gen.json"
if [ -n "$id" ] && [ -d "$dir/$id" ]; then printf '%s\n' "$record" > "$dir/$id/verified.json"; fi
cat "$log"
echo "POTIONS_DRILL=$ok"
# Keep the last 100 drill records.
find "$drills" -maxdepth 1 -type f -name '[0-9]*.json' -printf '%f\n' | sort | head -n -100 \
  | while IFS= read -r old; do rm -f -- "${drills:?}/$old"; done
exit "$status"
