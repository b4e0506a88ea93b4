# Only root can write /opt, so only root can have made @@ROOT@@; a link there is refused all the same.
if [ -L @@ROOT@@ ] || { [ -e @@ROOT@@ ] && [ ! -d @@ROOT@@ ]; }; then
  echo '@@ROOT@@ is not a directory (a symlink?); refusing to follow it' >&2
  exit 1
fi
install -d -o @@DEPLOY_USER@@ -g @@DEPLOY_USER@@ -m 0755 @@ROOT@@
# Everything below is the deploy user's: it is created as that user, so a symlink it planted
# where a directory belongs never makes root chown or chmod what the link points to.
runuser -u @@DEPLOY_USER@@ -- bash -c @@AS_DEPLOY_USER@@
