#!/usr/bin/env bash
# Builds a minimal Debian root file system of the given suite with debootstrap and writes it as a
# tarball, imported as a Docker image (no registry involved).
# Usage: build-rootfs-suite.sh SUITE TARBALL MIRROR [INCLUDE_PACKAGES]
set -euo pipefail
suite=$1
tarball=$2
mirror=$3
include=${4:-}
work=$(mktemp -d /tmp/potions-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
args=(--variant=minbase)
if [ -n "$include" ]; then args+=("--include=$include"); fi
debootstrap "${args[@]}" "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
tar -C "$work/rootfs" -c -f "$tarball" .
echo "wrote $tarball"
