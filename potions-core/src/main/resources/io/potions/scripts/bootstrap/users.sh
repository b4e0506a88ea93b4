id -u @@DEPLOY_USER@@ >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group @@DEPLOY_USER@@
id -u @@RUNTIME_USER@@ >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin @@RUNTIME_USER@@
# The deploy user owns its home and may plant symlinks anywhere in it, so root never writes,
# chmods or chowns there: the keys are written by the deploy user itself, and a link can then
# only reach what that user could write anyway.
home=@@HOME@@
if [ -L "$home" ] || [ ! -d "$home" ] || [ "$(stat -c %U "$home")" != @@DEPLOY_USER@@ ]; then
  echo "$home is not a directory owned by @@DEPLOY_USER@@ (a symlink?); refusing to touch it" >&2
  exit 1
fi
runuser -u @@DEPLOY_USER@@ -- bash -c @@AS_DEPLOY_USER@@
