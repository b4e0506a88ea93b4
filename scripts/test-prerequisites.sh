#!/usr/bin/env bash
# Makes sure this machine has what the tests need: the Debian packages they run (Docker, debootstrap
# for the test servers' base image, ShellCheck for the rendered scripts, Chromium and chromedriver
# for the portal's browser test, Pebble as the test ACME CA) and a Docker engine that
# answers, installing and starting one if needed. Debian/Ubuntu only; these machines have no init
# system, so dockerd is started by hand. Idempotent: what is already there is reused.
set -euo pipefail

log() { printf '[test-prerequisites] %s\n' "$*" >&2; }

need=()
# A Docker client alone is not enough: some machines ship a newer client on PATH but no engine.
if ! command -v docker >/dev/null 2>&1 || { ! command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; }; then
  need+=(docker.io)
fi
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# The portal's browser test drives the distribution's Chromium through its chromedriver (no downloads).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# HttpsE2ETest: Pebble plays Let's Encrypt (pebble and pebble-challtestsrv); openssl makes its directory's certificate.
command -v pebble >/dev/null 2>&1 || need+=(pebble)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
  log "missing ${need[*]} and this script is not root: install them (Debian/Ubuntu: apt-get install ${need[*]})"
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "Docker engine already answering"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "no Docker engine answers and this script is not root: start Docker (or Docker Desktop)"
  exit 1
fi

# A stale pid file from a killed daemon stops dockerd from starting.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

# Containers must not use a larger MTU than the uplink, or NATed traffic (apt inside them) black-holes.
mtu=$(ip -o link show "$(ip route show default | awk '{print $5; exit}')" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
mtu=${mtu:-1500}
log "starting dockerd (mtu $mtu)"
nohup dockerd --mtu "$mtu" >/var/log/dockerd.log 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then log "engine up"; exit 0; fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; see /var/log/dockerd.log"
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
