#!/usr/bin/env bash
# Installs ingestd as a systemd service (idempotent):
#   binary  -> $ROOT/usr/local/bin/ingestd         (self-contained NativeAOT build from `make publish`)
#   config  -> $ROOT/etc/ingestd/ingestd.conf       (from ingestd.conf.example, only if absent)
#   unit    -> $ROOT/etc/systemd/system/ingestd.service
#   user    -> ingestd (system user, no login)
# Usage: scripts/install.sh [--root DIR] [--no-build] [--binary PATH] [--start]
#        scripts/install.sh --uninstall [--root DIR] [--purge]   (--purge also removes config and data)
# --root installs into a staging tree (no user is created and systemctl is not called).
set -euo pipefail
cd "$(dirname "$0")/.."

root=/ build=1 start=0 uninstall=0 purge=0 binary=dist/ingestd
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --root=*) root=${1#--root=}; shift ;;
    --no-build) build=0; shift ;;
    --binary) binary=$2; build=0; shift 2 ;;
    --start) start=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
root=${root%/}
live=0; [ -z "$root" ] && live=1
bin=$root/usr/local/bin/ingestd
conf_dir=$root/etc/ingestd
unit=$root/etc/systemd/system/ingestd.service
have_systemd() { [ $live = 1 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; }

if [ $live = 1 ] && [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root (or use --root DIR)" >&2; exit 1; fi

if [ $uninstall = 1 ]; then
  if have_systemd; then
    systemctl disable --now ingestd.service 2>/dev/null || true
  fi
  rm -f "$bin" "$unit"
  if [ $purge = 1 ]; then
    rm -rf "$conf_dir" "$root/var/lib/ingestd"
    [ $live = 1 ] && id ingestd >/dev/null 2>&1 && userdel ingestd || true
  fi
  have_systemd && systemctl daemon-reload
  echo "ingestd uninstalled"; exit 0
fi

if [ $build = 1 ] || [ ! -x "$binary" ]; then make publish >/dev/null; binary=dist/ingestd; fi

if [ $live = 1 ] && ! id ingestd >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /var/lib/ingestd --shell /usr/sbin/nologin ingestd
fi

install -d -m 0755 "$(dirname "$bin")" "$(dirname "$unit")"
install -m 0755 "$binary" "$bin"
install -d -m 0750 "$conf_dir"
if [ ! -f "$conf_dir/ingestd.conf" ]; then
  install -m 0640 ingestd.conf.example "$conf_dir/ingestd.conf"
  [ $live = 1 ] && chgrp ingestd "$conf_dir" "$conf_dir/ingestd.conf"
fi
install -m 0644 scripts/ingestd.service "$unit"

if have_systemd; then
  systemctl daemon-reload
  systemctl enable ingestd.service >/dev/null
  if [ $start = 1 ]; then systemctl restart ingestd.service; fi
  echo "ingestd installed; start it with: systemctl start ingestd"
else
  echo "ingestd installed under ${root:-/} (systemd not running: enable it with 'systemctl enable --now ingestd' on the target)"
fi
