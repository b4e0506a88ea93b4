@@WRITE_SLOT_UNIT@@
@@WRITE_ROUTES_UNIT@@
install -d -m 0755 /etc/potions /etc/potions/routes
install -d -m 0700 /etc/potions/env
# Apps created before per-app users keep the shared user (the template's User=) and their storage
# under @@ROOT@@ stays writable in the strict sandbox; re-creating such an app isolates it.
for app_dir in @@ROOT@@/*/; do
  app=${app_dir%/}; app=${app##*/}
  [[ "$app" =~ @@APP_PATTERN@@ ]] && [ -f "@@ROOT@@/$app/app.json" ] || continue
  for slot in blue green; do
    d="/etc/systemd/system/potions-app@$app-$slot.service.d"
    [ -e "$d/@@DROP_IN@@" ] && continue
    install -d -m 0755 "$d"
    printf '%s\n' '# Managed by Potions: an app created before per-app users (re-create it to isolate it).' \
      '[Service]' "ReadWritePaths=-@@ROOT@@/$app/storage" > "$d/@@DROP_IN@@"
  done
done
systemctl daemon-reload
systemctl enable @@ROUTES_UNIT@@
