# The app's build layout on a build server: a bare repository the commits go to, the releases
# directory the build links into, and (through the root helper) the app's build user and area.
# No database, secrets, slots or route: nothing of the app ever runs here.
install -d -m 0755 @@DIR@@ @@DIR@@/releases
[ -d @@DIR@@/repo.git ] || git init -q --bare @@DIR@@/repo.git
@@BUILD_USER@@
