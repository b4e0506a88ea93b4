systemctl enable --now postgresql
for _ in $(seq 1 60); do @@READY@@ && exit 0; sleep 0.5; done
echo 'PostgreSQL did not accept connections within 30 s' >&2
exit 1
