@@WRITE_JAIL@@
systemctl enable fail2ban
systemctl restart fail2ban
for _ in $(seq 1 60); do fail2ban-client status sshd >/dev/null 2>&1 && exit 0; sleep 0.5; done
echo 'fail2ban did not bring up its sshd jail within 30 s' >&2
journalctl -u fail2ban -n 20 --no-pager >&2 || true
exit 1
