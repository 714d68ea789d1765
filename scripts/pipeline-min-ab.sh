#!/usr/bin/env bash
# Alternating A/B of `Ingestd.Bench pipeline-min` between two builds (the issue #12 speed method, Ingestd.Bench/README.md):
# the other build's Ingestd.Bench (a worktree built once: `git worktree add /tmp/base REV && cd /tmp/base &&
# dotnet build Ingestd.Bench -c Release`) and this tree's, in turn, ROUNDS times each; every run prints each case's
# minimum per event and its ratio to one JSON read, so noise from other processes shows as spread, not as a change.
# Usage: ROUNDS=6 scripts/pipeline-min-ab.sh /tmp/base [CALLS=600] [CASE…]   (default case: the issue's pipeline)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/pipeline-min-ab.sh BASE_TREE [CALLS] [CASE…]}
shift
calls=${1:-600}
[ $# -gt 0 ] && shift
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(Pipeline_parse_mask_enrich_filter)
exe=Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench
for tree in "$base" .; do
  [ -x "$tree/$exe" ] || { echo "no $tree/$exe: build Ingestd.Bench there first (-c Release)" >&2; exit 1; }
done
for _ in $(seq 1 "${ROUNDS:-6}"); do
  for tree in "$base" .; do
    name=$([ "$tree" = . ] && echo this || echo base)
    # The first line is the reference read; the cases follow.
    "$tree/$exe" pipeline-min "$calls" "${cases[@]}" | tail -n +2 | sed "s/^/$name /"
  done
done | sort -k2,2 -k1,1 -k3,3n
