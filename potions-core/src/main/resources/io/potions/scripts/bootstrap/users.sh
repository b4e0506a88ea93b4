id -u @@DEPLOY_USER@@ >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group @@DEPLOY_USER@@
id -u @@RUNTIME_USER@@ >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin @@RUNTIME_USER@@
install -d -m 0700 -o @@DEPLOY_USER@@ -g @@DEPLOY_USER@@ /home/@@DEPLOY_USER@@/.ssh
@@WRITE_KEYS@@
