#!/usr/bin/env bash
# The side-by-side comparison of issue #4: builds Release (and the published binary when
# possible), installs nginx/wrk if missing, runs `Ingestd.Bench compare` with this script's
# arguments (e.g. --quick, --rounds 5, --duration 20s), then puts the table into
# Ingestd.Bench/README.md between <!-- compare:start --> and <!-- compare:end -->.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

make build
if ! make publish >/tmp/ingestd-bench-publish.log 2>&1; then
  echo "bench: make publish failed (see /tmp/ingestd-bench-publish.log); comparing the JIT build" >&2
  rm -f dist/ingestd
fi
bash scripts/install-bench-deps.sh

out="${BENCH_OUT:-Ingestd.Bench/results}"
mkdir -p "$out"
rm -f "$out/compare.md"
set +e
Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench compare --out "$out" "$@"
rc=$?
set -e

readme=Ingestd.Bench/README.md
if [ -s "$out/compare.md" ] && grep -q '<!-- compare:start -->' "$readme"; then
  awk -v table="$out/compare.md" '
    /<!-- compare:start -->/ { print; while ((getline line < table) > 0) print line; skipping = 1; next }
    /<!-- compare:end -->/   { skipping = 0 }
    !skipping                { print }
  ' "$readme" > "$readme.tmp"
  mv "$readme.tmp" "$readme"
  echo "bench: updated $readme"
fi
exit $rc
