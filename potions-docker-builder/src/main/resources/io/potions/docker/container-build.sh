#!/bin/bash
# The local-container build, run as root in a throwaway container whose only lasting state is the
# app's cache volume at /cache: the work tree with deps/, _build/ and assets/node_modules, the home
# (Mix, Hex and npm caches), and the release until it is sent. Arguments: RELEASE_ID SHA
set -euo pipefail
release_id="$1" sha="$2"
bundle=/tmp/potions-source.bundle
cd /cache
mkdir -p releases home
export HOME=/cache/home
# Releases already sent (or left by a build that failed) are never needed again.
find releases -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +
release="/cache/releases/$release_id"
# A build stopped half-way can leave compiled files Mix takes as fresh: recompile the app (deps stay).
interrupted=false
if [ -e .build-running ]; then interrupted=true; fi
touch .build-running
[ -d build/.git ] || git init -q build
cd build
git fetch -q "$bundle" +refs/potions/deploy:refs/potions/deploy
git checkout -q --force --detach "$sha"
git clean -q -ffdx -e /deps -e /_build -e /assets/node_modules -e /node_modules
export MIX_ENV=prod ELIXIR_ERL_OPTIONS='+fnu'
echo "==> building $(git log -1 --format='%h %s') in a local container"
if [ -f mix.lock ] && grep -q ':hex' mix.lock; then mix local.hex --force --if-missing; mix local.rebar --force --if-missing; fi
echo '==> mix deps.get --only prod'
mix deps.get --only prod
if $interrupted; then echo '==> the previous build was interrupted: mix clean'; mix clean; fi
echo '==> mix compile'
mix compile
if [ -f assets/package.json ]; then
  echo "==> npm ci (assets) with node $(node --version)"
  (cd assets && npm ci --no-audit --no-fund --loglevel=warn)
fi
if grep -q '"assets.deploy"' mix.exs; then echo '==> mix assets.deploy'; mix assets.deploy; fi
echo '==> mix release'
mix release --overwrite --path "$release"
name=$(find "$release/bin" -maxdepth 1 -type f -perm -u+x ! -name '*.bat' -printf '%f\n' | head -1)
echo "POTIONS_RELEASE_NAME=$name"
rm -f /cache/.build-running
