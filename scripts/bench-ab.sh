#!/usr/bin/env bash
# Alternating A/B (/C…) of daemon builds or settings under the load tool (issue #14 method, Ingestd.Bench/README.md):
# each variant is NAME=DAEMON_DLL[,VAR=VALUE…] (environment for that daemon only); ROUNDS rounds, the variants in
# turn within each, every run on a fresh daemon and data directory (durability `write`), drain-500 (BODY=…) @ CONNS
# connections, WARMUP of load then DURATION measured. PIN=1 (default): daemon on core 0, load on core 1; PIN=0: both
# unpinned. RATE=N: paced at N requests/s (open model) instead of saturating. Prints one line per run and medians.
# Usage: ROUNDS=3 scripts/bench-ab.sh base=/work/wt-base/Ingestd/bin/Release/net10.0/ingestd.dll new=Ingestd/bin/…
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3} duration=${DURATION:-8s} warmup=${WARMUP:-8s} conns=${CONNS:-64} pin=${PIN:-1} rate=${RATE:-}
# The load tool from a build that stays put while builds of the variants come and go.
bench=${LOADTOOL:-Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll}
body=${BODY:-Ingestd.Bench/workload-data/drain-500.json}
port=${PORT:-18095}
work=$(mktemp -d /tmp/ingestd-bench-ab.XXXXXX)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '[server]\nlisten = ["127.0.0.1:%s"]\n[storage]\ndurability = "write"\n' "$port" > "$work/base.conf"
daemon_cpu=() load_cpu=()
[ "$pin" = 1 ] && daemon_cpu=(taskset -c 0) && load_cpu=(taskset -c 1)

run() { # NAME=DLL[,VAR=VALUE…]
  local name=${1%%=*} spec=${1#*=}
  local dll=${spec%%,*} envs=()
  [[ "$spec" == *,* ]] && IFS=, read -ra envs <<< "${spec#*,}"
  rm -rf "$work/data"
  env "${envs[@]}" "${daemon_cpu[@]}" dotnet "$dll" --config "$work/base.conf" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
  local extra=() json
  if [ -n "$rate" ]; then
    # Saturating warm-up first so that the JIT has tiered up, then the paced measurement.
    "${load_cpu[@]}" dotnet "$bench" load --url "http://127.0.0.1:$port/v1/drain" --body "$body" --connections "$conns" \
      --duration "$warmup" --server-pid "$pid" --json > /dev/null
    extra=(--rate "$rate" --warmup 1s)
  else
    extra=(--warmup "$warmup")
  fi
  json=$("${load_cpu[@]}" dotnet "$bench" load --url "http://127.0.0.1:$port/v1/drain" --body "$body" \
    --connections "$conns" "${extra[@]}" --duration "$duration" --server-pid "$pid" --json | tr -d "\n")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "{\"name\":\"$name\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"result\":$json}" | tee -a "$work/runs.jsonl" | python3 -c "
import json,sys; d=json.load(sys.stdin); r=d['result']; l=r.get('latency_ms',{})
print(d['name'], round(r['events_per_second']), r.get('events_per_cpu_second'), 'p99', l.get('p99'), 'load', d['load'])"
}

for _ in $(seq 1 "$rounds"); do for v in "$@"; do run "$v"; done; done

python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
names = list(dict.fromkeys(r["name"] for r in runs))
for n in names:
    r = [x["result"] for x in runs if x["name"] == n]
    eps = [x["events_per_second"] for x in r]
    cpu = [x["events_per_cpu_second"] for x in r if x.get("events_per_cpu_second")]
    p99 = [x.get("latency_ms", {}).get("p99") for x in r]
    print(f"{n}: events/s median {statistics.median(eps):,.0f} ({', '.join(f'{e/1000:,.0f}k' for e in eps)}); "
          f"events/CPU-s median {statistics.median(cpu):,.0f} ({', '.join(f'{e/1000:,.0f}k' for e in cpu)}); p99 ms {p99}")
PY
cp "$work/runs.jsonl" "${OUT:-/dev/null}" 2>/dev/null || true
