# Host key rotation, step 1 of 2: stage a new ed25519 host key, generated here as root, that sshd
# does not use yet. The SDK pins it before step 2 switches sshd to it, so a client that dies at any
# point can still connect: the old key stays the one sshd presents until the new one is pinned.
# Idempotent: a key already staged is reused; a server already rotated says so and changes nothing.
ssh_dir=@@SSH_DIR@@
active="$ssh_dir/ssh_host_ed25519_key"
stage_dir="$ssh_dir/potions-host-key"
staged="$stage_dir/ssh_host_ed25519_key"
marker="$stage_dir/rotated"
umask 077
# The SSH directory is root's, so nobody else can plant the staging directory; refuse anything odd
# anyway. Made by root, so root-owned, and nobody else may enter it.
if [ -L "$stage_dir" ] || { [ -e "$stage_dir" ] && [ ! -d "$stage_dir" ]; }; then
  echo "$stage_dir is not a plain directory; refusing to stage a host key there" >&2
  exit 1
fi
install -d -m 0700 "$stage_dir"
active_pub=""
if [ -f "$active" ]; then
  active_pub=$(ssh-keygen -y -f "$active" | cut -d' ' -f1,2)
fi
# Rotated, and still on the key it rotated to (a key put back from user data does not count).
if [ -n "$active_pub" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$active_pub" ]; then
  echo "POTIONS_HOST_KEY=rotated $active_pub"
  exit 0
fi
if [ ! -s "$staged" ] || ! ssh-keygen -y -f "$staged" >/dev/null 2>&1; then
  # Generated under a temporary name, then renamed: a crash never leaves half a key staged.
  rm -f "$stage_dir/new" "$stage_dir/new.pub"
  ssh-keygen -q -t ed25519 -N '' -C @@COMMENT@@ -f "$stage_dir/new"
  rm -f "$stage_dir/new.pub"
  mv -f "$stage_dir/new" "$staged"
fi
echo "POTIONS_HOST_KEY=staged $(ssh-keygen -y -f "$staged" | cut -d' ' -f1,2)"
