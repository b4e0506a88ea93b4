systemctl enable --now postgresql
ready=no
for _ in $(seq 1 60); do if @@READY@@; then ready=yes; break; fi; sleep 0.5; done
if [ "$ready" != yes ]; then
  echo 'PostgreSQL did not accept connections within 30 s' >&2
  exit 1
fi
# An app's role (a member of potions_apps, see the helper's db-create) may connect over TCP only to
# the database of its own name. PostgreSQL takes the first matching line, so these go on top; they
# match no other role. Edited as postgres, who owns the file and its directory.
hba=$(runuser -u postgres -- psql -qtAc 'show hba_file')
if ! grep -qF '@@HBA_MARK@@' "$hba"; then
  runuser -u postgres -- bash -c 'set -euo pipefail; f="$1"; shift
    { printf "%s\n" "$@"; cat "$f"; } > "$f.potions-new"
    chmod --reference="$f" "$f.potions-new"
    mv -f "$f.potions-new" "$f"' _ "$hba" \
    '@@HBA_MARK@@' \
    'host sameuser +potions_apps 127.0.0.1/32 scram-sha-256' \
    'host sameuser +potions_apps ::1/128 scram-sha-256' \
    'host all +potions_apps 127.0.0.1/32 reject' \
    'host all +potions_apps ::1/128 reject'
  systemctl reload postgresql
fi
