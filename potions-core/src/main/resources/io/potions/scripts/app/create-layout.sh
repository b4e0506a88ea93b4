install -d -m 0755 @@DIR@@ @@DIR@@/releases @@DIR@@/slots @@DIR@@/slots/blue @@DIR@@/slots/green @@DIR@@/deployments
install -d -m 0700 @@DIR@@/secrets
[ -d @@DIR@@/repo.git ] || git init -q --bare @@DIR@@/repo.git
ln -sfn @@DIR@@/slots/blue @@BLUE_LINK@@
ln -sfn @@DIR@@/slots/green @@GREEN_LINK@@
@@CREATE_STORAGE@@
