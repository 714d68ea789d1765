#!/usr/bin/env bash
# Disk faults under load against the real daemon: disk full during age and size rotation, inode exhaustion,
# a partial block write, retention around a full disk, bit flips in a block payload, a block header and a file
# header, kill -9 three times, a read-only remount. Each scenario runs on its own small tmpfs; the load client
# records every event id that got a 2xx, and after recovery the data is read back with `ingestd read` and
# `ingestd verify`. Prints per-scenario details, then exactly one summary line:
#   faults: N scenarios, acknowledged A, lost L, sequence reuse R, false corruption F
# Exit 0 only when every scenario ran and L, R and F are 0; 1 otherwise; 2 when the build or the driver fails.
# Without root (or where tmpfs cannot be mounted) it prints `faults: skipped (<reason>)` and exits 0.
#
#   scripts/faults.sh [--no-build] [--only NAME,NAME]
#   FAULTS_DAEMON=dist/ingestd scripts/faults.sh   # another daemon build (an executable or ingestd.dll)
#   FAULTS_BENCH=path/Ingestd.Bench.dll            # the driver (default: the Release build)
set -uo pipefail
cd "$(dirname "$0")/.."

build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "faults: skipped (not root: every scenario mounts its own tmpfs)"
  exit 0
fi

work=$(mktemp -d /tmp/ingestd-faults.XXXXXX)
rc=2

cleanup() {
  # The driver first, so that it starts no daemon after the sweep below: TERM reaches it through timeout.
  if [ -n "${driver:-}" ] && kill -TERM "$driver" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$driver" 2>/dev/null || break; sleep 0.1; done
    pkill -KILL -P "$driver" 2>/dev/null
    kill -KILL "$driver" 2>/dev/null
  fi
  # Daemons the driver started (their PIDs are in daemon.pids), only if that PID is still an ingestd.
  if [ -f "$work/daemon.pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q ingestd && kill -9 "$pid" 2>/dev/null
    done <"$work/daemon.pids"
  fi
  if mountpoint -q "$work/disk" 2>/dev/null; then umount -R -l "$work/disk" 2>/dev/null; fi
  if [ "$rc" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "faults: daemon logs and configs kept in $work/logs" >&2
  fi
}
trap cleanup EXIT
trap 'echo "faults: aborted (interrupted)"; exit 130' INT TERM

mkdir -p "$work/disk"
if ! err=$(mount -t tmpfs -o size=4m tmpfs "$work/disk" 2>&1); then
  rc=0
  echo "faults: skipped (cannot mount a tmpfs: ${err%%$'\n'*})"
  exit 0
fi
umount "$work/disk"

if [ "$build" -eq 1 ]; then
  dotnet build Ingestd.slnx -c Release -nologo -clp:ErrorsOnly >&2 || exit 2
fi
daemon=${FAULTS_DAEMON:-Ingestd/bin/Release/net10.0/ingestd}
bench=${FAULTS_BENCH:-Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll}
for f in "$daemon" "$bench"; do
  [ -e "$f" ] || { echo "faults: $f not found (build first, or drop --no-build)" >&2; exit 2; }
done

# The driver bounds every step itself; this is the backstop (the scenarios take about two minutes).
timeout -k 5 300 dotnet "$bench" faults --daemon "$daemon" --work "$work" "${args[@]}" &
driver=$!
wait "$driver"
rc=$?
driver=
if [ "$rc" -gt 1 ]; then
  echo "faults: aborted (driver exit $rc)"
  exit 2
fi
exit "$rc"
