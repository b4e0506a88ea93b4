trap 'rm -f @@BUNDLE_PATH@@' EXIT
if ! git -C @@REPO@@ bundle verify @@BUNDLE@@ >/dev/null 2>&1; then
  echo 'the server lacks commits this bundle builds on' >&2; exit @@MISSING_PREREQUISITES@@
fi
git -C @@REPO@@ fetch -q @@BUNDLE@@ +refs/potions/deploy:refs/potions/deploy
git -C @@REPO@@ update-ref @@DEPLOYED_REF@@ @@SHA@@
