#!/usr/bin/env bash
# drain-500 (messages as JSON text, drain-500-jsonmsg.json; BODY=… for another) with the issue #12 pipeline
# (Ingestd.Bench/workload-data/pipeline-drain.conf) against none: the Release
# daemon pinned to core 0, the load generator to core 1, 64 connections, ROUNDS alternating rounds (none, pipeline,
# none, …), each on a fresh daemon and data directory, WARMUP of load then DURATION measured. Prints one line per run
# and the medians. Usage: [PORT=18091] scripts/bench-pipeline.sh [ROUNDS=5] [DURATION=6s] [WARMUP=8s]   (after `make build`)
# CONNS=… for another number of connections. Two runs at once need different PORTs: a daemon refuses a port in use, and the script stops then.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} duration=${2:-6s} warmup=${3:-8s} port=${PORT:-18091}
daemon=Ingestd/bin/Release/net10.0/ingestd.dll
bench=Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll
body=${BODY:-Ingestd.Bench/workload-data/drain-500-jsonmsg.json}
work=$(mktemp -d /tmp/ingestd-bench-pipeline.XXXXXX)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '[server]\nlisten = ["127.0.0.1:%s"]\n' "$port" > "$work/none.conf"
{ printf '[server]\nlisten = ["127.0.0.1:%s"]\n' "$port"; cat Ingestd.Bench/workload-data/pipeline-drain.conf; } > "$work/pipeline.conf"

run() { # none | pipeline
  rm -rf "$work/data"
  taskset -c 0 dotnet "$daemon" --config "$work/$1.conf" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  # Its own "listening on" line, not a health answer (which another process on the port could give).
  for _ in $(seq 1 300); do grep -q "listening on\|cannot start" "$work/daemon.log" && break; sleep 0.1; done
  grep -q "listening on" "$work/daemon.log" || { echo "the daemon did not start (port $port in use?):" >&2; cat "$work/daemon.log" >&2; exit 1; }
  local json
  json=$(taskset -c 1 dotnet "$bench" load --url "http://127.0.0.1:$port/v1/drain" --body "$body" \
    --connections "${CONNS:-64}" --warmup "$warmup" --duration "$duration" --server-pid "$pid" --json | tr -d "\n")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "{\"mode\":\"$1\",\"result\":$json}" | tee -a "$work/runs.jsonl" | python3 -c "import json,sys; d=json.load(sys.stdin); r=d['result']; print(d['mode'], round(r['events_per_second']), r.get('events_per_cpu_second'))"
}

for _ in $(seq 1 "$rounds"); do run none; run pipeline; done

python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = {}
for mode in ("none", "pipeline"):
    r = [x["result"] for x in runs if x["mode"] == mode]
    eps = [x["events_per_second"] for x in r]
    cpu = [1e6 / x["events_per_cpu_second"] for x in r if x.get("events_per_cpu_second")]
    med[mode] = statistics.median(eps)
    print(f"{mode}: events/s median {med[mode]:,.0f} (runs {', '.join(f'{e/1000:,.0f}k' for e in eps)})"
          + (f"; CPU per event median {statistics.median(cpu):.2f} us" if cpu else ""))
print(f"pipeline/none: {med['pipeline'] / med['none']:.2f}")
PY
