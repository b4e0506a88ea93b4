# Debian's Erlang packages start a system-wide epmd listening on every interface. Apps do not
# need it (slots run with RELEASE_DISTRIBUTION=none, or start their own epmd bound to loopback
# through ERL_EPMD_ADDRESS in the slot unit), so it is masked: nothing but 22/80/443 listens publicly.
systemctl disable --now epmd.socket epmd.service 2>/dev/null || true
systemctl mask epmd.socket epmd.service
pkill -x epmd || true
for _ in $(seq 1 20); do pgrep -x epmd >/dev/null || exit 0; sleep 0.25; done
echo 'epmd is still running' >&2; exit 1
