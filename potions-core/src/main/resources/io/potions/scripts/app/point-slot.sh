[ -x @@RELEASE_BIN@@ ] || { echo 'release @@RELEASE_ID@@ is not on the server' >&2; exit 1; }
ln -sfn @@RELEASE@@ @@NEW_LINK@@
mv -T @@NEW_LINK@@ @@LINK@@
