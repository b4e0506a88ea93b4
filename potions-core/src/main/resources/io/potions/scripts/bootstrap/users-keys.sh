set -euo pipefail
umask 077
cd @@HOME@@
if [ -L .ssh ]; then echo '@@HOME@@/.ssh is a symlink; refusing to follow it (remove it and provision again)' >&2; exit 1; fi
install -d -m 0700 .ssh
tmp=$(mktemp .ssh/.authorized_keys.XXXXXX)
printf '%s' @@KEYS_BASE64@@ | base64 -d > "$tmp"
chmod 0600 "$tmp"
# A rename replaces whatever is there, a symlink included, without following it.
mv -fT "$tmp" .ssh/authorized_keys
