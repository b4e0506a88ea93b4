install -d -m 0755 /etc/caddy @@DROP_IN_DIR@@
@@WRITE_BASE_CONFIG@@
@@WRITE_DROP_IN@@
systemctl daemon-reload
systemctl enable caddy
systemctl restart caddy
for _ in $(seq 1 60); do curl -fsS --max-time 2 @@ADMIN_URL@@/config/ >/dev/null 2>&1 && break; sleep 0.5; done
# A config Caddy autosaved before Potions took over (from the Caddyfile) lacks our server:
# load the base config once. Never done when the server exists, so routes are never wiped.
if ! @@HAS_SERVER@@; then curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' --data-binary @@BASE_CONFIG_UPLOAD@@ @@ADMIN_URL@@/load; fi
