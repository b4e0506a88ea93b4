install -d -m 0755 /etc/ssh/sshd_config.d /run/sshd
@@WRITE_DROP_IN@@
if ! sshd -t; then rm -f @@SSHD_DROP_IN@@; echo 'sshd rejected the hardening file' >&2; exit 1; fi
systemctl reload ssh 2>/dev/null || systemctl restart ssh
