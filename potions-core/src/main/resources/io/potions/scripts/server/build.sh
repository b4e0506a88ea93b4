#!/bin/bash
# Managed by Potions. The on-server build, run by potions-admin's build command as the app's build
# user inside a sandbox: it may write only to its own area (the working directory), reads the app's
# repository, and can read no secret. Arguments (validated by the helper): APP RELEASE_ID SHA [PATH_PREFIX]
set -euo pipefail
app="$1" release_id="$2" sha="$3" path_prefix="${4:-}"
area="$PWD"
repo="@@ROOT@@/$app/repo.git"
release="$area/releases/$release_id"
mkdir -p releases
mkdir -p -m 0700 home build
# A build that was stopped half-way (a dropped connection, a killed SDK) can leave compiled files
# whose timestamps fall in the same second as this build's checkout, which Mix then takes as fresh:
# after an interrupted build, the app itself is recompiled from scratch (deps stay cached).
interrupted=false
if [ -e .build-running ]; then interrupted=true; fi
touch .build-running
# A build stopped at its memory ceiling: the kernel's OOM killer ends its biggest process (the BEAM
# running mix) and the build fails. The build's own cgroup counts such kills (cgroup v1:
# memory.oom_control; v2: memory.events); when there were any, say so for the SDK's message.
oom_kills() {
  local line file=''
  while IFS= read -r line; do
    case "$line" in
      *:memory:/*) file="/sys/fs/cgroup/memory${line#*:memory:}/memory.oom_control" ;;
      0::/*) if [ -z "$file" ]; then file="/sys/fs/cgroup${line#0::}/memory.events"; fi ;;
    esac
  done </proc/self/cgroup
  if [ -n "$file" ] && [ -r "$file" ]; then sed -n 's/^oom_kill \([0-9][0-9]*\)$/\1/p' "$file"; fi
}
on_exit() {
  local status=$? kills
  kills=$(oom_kills 2>/dev/null || true)
  if [ "$status" -ne 0 ] && [ "${kills:-0}" -gt 0 ]; then
    echo "POTIONS_BUILD_OUT_OF_MEMORY=${POTIONS_BUILD_MEMORY_MIB:-unknown}"
  fi
}
trap on_exit EXIT
# Releases the app no longer links (pruned by the deploy user, or left by a failed build) go first,
# so the area stays as large as the kept releases plus one.
for r in releases/*; do
  [ -d "$r" ] || continue
  [ -e "@@ROOT@@/$app/releases/${r##*/}" ] || rm -rf -- "$r"
done
# The repository belongs to the deploy user: trust it by name (git refuses other users' repositories).
git config --global --replace-all safe.directory "$repo"
[ -d build/.git ] || git clone -q "$repo" build
cd build
git fetch -q origin +refs/potions/deploy:refs/potions/deploy
git checkout -q --force --detach "$sha"
git clean -q -ffdx -e /deps -e /_build -e /assets/node_modules -e /node_modules
if [ -n "$path_prefix" ]; then export PATH="$path_prefix:$PATH"; fi
export MIX_ENV=prod LANG=C.UTF-8 LC_ALL=C.UTF-8 ELIXIR_ERL_OPTIONS='+fnu'
echo "==> building $(git log -1 --format='%h %s')"
# Hex is only needed when the project has Hex dependencies; a project with none must build offline.
if [ -f mix.lock ] && grep -q ':hex' mix.lock; then mix local.hex --force --if-missing; mix local.rebar --force --if-missing; fi
echo '==> mix deps.get --only prod'
mix deps.get --only prod
if $interrupted; then echo '==> the previous build was interrupted: mix clean'; mix clean; fi
echo '==> mix compile'
mix compile
# An app with assets/package.json gets exactly its lockfile's packages (npm ci), before
# assets.deploy runs the tools they bring. npm's cache lives in the build user's home.
if [ -f assets/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo 'assets/package.json needs Node.js and npm, which this server lacks (potions-admin node-install)' >&2
    exit 3
  fi
  echo '==> npm ci (assets)'
  (cd assets && npm ci --no-audit --no-fund --loglevel=warn)
fi
if grep -q '"assets.deploy"' mix.exs; then echo '==> mix assets.deploy'; mix assets.deploy; fi
echo '==> mix release'
rm -rf "$release"
mix release --overwrite --path "$release"
ln -sfn "@@STORAGE_ROOT@@/$app" "$release/storage"
name=$(find "$release/bin" -maxdepth 1 -type f -perm -u+x ! -name '*.bat' -printf '%f\n' | head -1)
echo "POTIONS_RELEASE_NAME=$name"
echo "POTIONS_RELEASE_BYTES=$(du -sb "$release" | cut -f1)"
rm -f "$area/.build-running"
