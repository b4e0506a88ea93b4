cd @@DIR@@ || exit
if [ -f build.pgid ] && kill -0 -- "-$(cat build.pgid)" 2>/dev/null; then
  echo '==> stopping a build left over from an interrupted deploy'
  kill -TERM -- "-$(cat build.pgid)" 2>/dev/null || true; sleep 2
fi
ps -o pgid= $$ | tr -d ' ' > build.pgid
[ -d build/.git ] || git clone -q repo.git build
cd build || exit
git fetch -q origin +refs/potions/deploy:refs/potions/deploy
git checkout -q --force --detach @@SHA@@
git clean -q -ffdx -e /deps -e /_build -e /assets/node_modules -e /node_modules
@@PATH_EXPORT@@
export MIX_ENV=prod LANG=C.UTF-8 LC_ALL=C.UTF-8 ELIXIR_ERL_OPTIONS='+fnu'
echo "==> building $(git log -1 --format='%h %s')"
# Hex is only needed when the project has Hex dependencies; a project with none must build offline.
if [ -f mix.lock ] && grep -q ':hex' mix.lock; then mix local.hex --force --if-missing; mix local.rebar --force --if-missing; fi
echo '==> mix deps.get --only prod'
mix deps.get --only prod
echo '==> mix compile'
mix compile
if grep -q '"assets.deploy"' mix.exs; then echo '==> mix assets.deploy'; mix assets.deploy; fi
echo '==> mix release'
rm -rf @@RELEASE@@
mix release --overwrite --path @@RELEASE@@
ln -sfn @@STORAGE@@ @@RELEASE_STORAGE@@
name=$(find @@RELEASE_BIN@@ -maxdepth 1 -type f -perm -u+x ! -name '*.bat' -printf '%f\n' | head -1)
echo "POTIONS_RELEASE_NAME=$name"
echo "POTIONS_RELEASE_BYTES=$(du -sb @@RELEASE@@ | cut -f1)"
rm -f ../build.pgid
