@@WRITE_SLOT_UNIT@@
@@WRITE_ROUTES_UNIT@@
install -d -m 0755 /etc/potions /etc/potions/routes
install -d -m 0700 /etc/potions/env
systemctl daemon-reload
systemctl enable @@ROUTES_UNIT@@
