#!/bin/bash
# Managed by Potions: the scheduled backup of one app, run by its systemd timer as the deploy user.
# Records each run's result (JSON, read by app.backups().health()); a failed run exits non-zero,
# so systemd starts the OnFailure hook.
set -euo pipefail
umask 077
runs=@@RUNS@@
install -d -m 0700 "$runs"
id="$(date -u +%Y%m%dT%H%M%SZ)-scheduled"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
status=0
bash @@CREATE@@ "$id" > "$runs/.last.log" 2>&1 || status=$?
ok=false; [ "$status" -eq 0 ] && ok=true
reason=$(tail -n 3 "$runs/.last.log" | tr -d '"\\' | tr '\n\t' '  ' | cut -c1-400)
printf '{"id":"%s","at":"%s","ok":%s,"exit":%s,"output":"%s"}\n' "$id" "$started" "$ok" "$status" "$reason" \
  > "$runs/$id.json"
cat "$runs/.last.log"
# Keep the last 100 run records.
find "$runs" -maxdepth 1 -type f -name '[0-9]*.json' -printf '%f\n' | sort | head -n -100 \
  | while IFS= read -r old; do rm -f -- "${runs:?}/$old"; done
exit "$status"
