# Host key rotation, step 2 of 2, run once the SDK pinned the staged key: make it sshd's only host
# key, reload sshd (open sessions stay), and scrub the old key's copy from cloud-init's files.
# Idempotent: run again after a crash, it finishes what is left and changes nothing else.
ssh_dir=@@SSH_DIR@@
active="$ssh_dir/ssh_host_ed25519_key"
stage_dir="$ssh_dir/potions-host-key"
staged="$stage_dir/ssh_host_ed25519_key"
marker="$stage_dir/rotated"
drop_in="$ssh_dir/sshd_config.d/00-potions-host-key.conf"
cloud_dir=@@CLOUD_DIR@@
expected=@@EXPECTED@@
umask 077
pub_of() { ssh-keygen -y -f "$1" | cut -d' ' -f1,2; }
# Only the key the SDK pinned may become the host key, never whatever happens to be staged.
if [ -f "$staged" ]; then
  if [ "$(pub_of "$staged")" != "$expected" ]; then
    echo "the staged host key is not the one the SDK pinned; run the rotation again" >&2
    exit 1
  fi
elif [ ! -f "$active" ] || [ "$(pub_of "$active")" != "$expected" ]; then
  echo "no staged host key, and the active one is not the one the SDK pinned" >&2
  exit 1
fi
# sshd presents only the keys its HostKey lines name: this one, whatever other key types exist.
install -d -m 0755 "$ssh_dir/sshd_config.d"
printf '%s\n' '# Managed by Potions: the only host key sshd presents (rotated after first contact).' \
  "HostKey $active" > "$drop_in.potions-tmp"
chmod 0644 "$drop_in.potions-tmp"
mv -f "$drop_in.potions-tmp" "$drop_in"
if [ -f "$staged" ]; then
  # Same file system as the target: the rename is atomic, sshd never sees half a key.
  mv -f "$staged" "$active"
fi
printf '%s potions-host\n' "$expected" > "$active.pub.potions-tmp"
chmod 0644 "$active.pub.potions-tmp"
mv -f "$active.pub.potions-tmp" "$active.pub"
for type in rsa ecdsa dsa; do
  rm -f "$ssh_dir/ssh_host_${type}_key" "$ssh_dir/ssh_host_${type}_key.pub"
done
if ! sshd -t; then
  echo 'sshd rejected its configuration after the host key rotation' >&2
  exit 1
fi
printf '%s\n' "$expected" > "$marker.potions-tmp"
mv -f "$marker.potions-tmp" "$marker"
systemctl reload ssh 2>/dev/null || systemctl restart ssh
# The old key came in user data; cloud-init keeps copies of that text on disk. Blank them (the
# metadata service still serves it, but it no longer opens anything).
shopt -s nullglob
for copy in "$cloud_dir"/instances/*/user-data.txt "$cloud_dir"/instances/*/user-data.txt.i; do
  if [ -f "$copy" ] && [ ! -L "$copy" ]; then
    printf '%s\n' '# Scrubbed by Potions: the host key that was here was rotated after first contact.' > "$copy"
  fi
done
# Wait (briefly, best effort) until the reloaded sshd presents the new key, so the SDK's reconnect
# meets it rather than the listener that is restarting.
if command -v ssh-keyscan >/dev/null 2>&1; then
  for _ in $(seq 1 50); do
    if ssh-keyscan -T 2 -t ed25519 127.0.0.1 2>/dev/null | grep -qF -- "$expected"; then
      break
    fi
    sleep 0.2
  done
fi
echo "POTIONS_HOST_KEY=active $expected"
