#!/usr/bin/env bash
# Builds a minimal Debian root file system (bookworm or trixie) with debootstrap and writes it as a
# tarball, which the testkit imports as a Docker image (no container registry involved).
# Usage: build-rootfs.sh TARBALL MIRROR SUITE
set -euo pipefail
tarball=$1
mirror=$2
suite=$3
work=$(mktemp -d /tmp/potions-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
# debootstrap leaves its package cache behind; it is not needed in the image.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
tar -C "$work/rootfs" -c -f "$tarball" .
echo "wrote $tarball"
