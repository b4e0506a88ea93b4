# Root runs what is in the helper's directory: if anyone else owns it (or it is a link), refuse.
if [ -L @@HELPER_DIR@@ ] || [ "$(stat -c %U @@HELPER_DIR@@ 2>/dev/null)" != root ]; then
  echo "@@HELPER_DIR@@ is not a root-owned directory ($(stat -c '%U %F' @@HELPER_DIR@@ 2>&1)); refusing to install the root helper there. Inspect the server." >&2
  exit 1
fi
@@WRITE_HELPER@@
# Validate the sudoers text before it is live: a broken file would lock sudo out entirely.
@@WRITE_SUDOERS@@
visudo -cqf @@SUDOERS_NEW@@
mv -f @@SUDOERS_NEW@@ @@SUDOERS_FILE@@
