#!/usr/bin/env bash
# Installs what `scripts/bench.sh` (Ingestd.Bench compare) needs, if missing: nginx (the HTTP
# ceiling; Debian's nginx-light is enough), wrk, and taskset (util-linux). Idempotent; apt only.
set -euo pipefail

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-bench-deps: installing ${need[*]}"
$sudo apt-get update -qq
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"; then
  # Newer Debian releases ship only the full nginx package.
  need=("${need[@]/nginx-light/nginx}")
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" \
    || echo "install-bench-deps: could not install ${need[*]}; compare skips what is missing" >&2
fi
