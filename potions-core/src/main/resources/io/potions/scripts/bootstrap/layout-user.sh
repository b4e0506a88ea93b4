set -euo pipefail
cd /
for dir in @@DIRS@@; do
  if [ -L "$dir" ]; then
    echo "$dir is a symlink (to $(readlink "$dir")), not a directory; refusing to follow it." \
      'Something on this server replaced it: inspect the server, remove the link and provision again.' >&2
    exit 1
  fi
  install -d -m 0755 "$dir"
done
