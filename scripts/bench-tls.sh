#!/usr/bin/env bash
# drain-500 over TLS against plain HTTP (issue #11): the Release daemon pinned to core 0, the load generator to
# core 1, 64 connections, ROUNDS alternating rounds (plain, tls, plain, tls, …), each on a fresh daemon and data
# directory, WARMUP of load then DURATION measured. Prints one JSON line per run and the medians.
# Usage: [PORT=18090 TLS_PORT=18443] scripts/bench-tls.sh [ROUNDS=5] [DURATION=6s] [WARMUP=8s]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} duration=${2:-6s} warmup=${3:-8s} port=${PORT:-18090} tls_port=${TLS_PORT:-18443}
daemon=Ingestd/bin/Release/net10.0/ingestd.dll
bench=Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll
body=Ingestd.Bench/workload-data/drain-500.json
work=$(mktemp -d /tmp/ingestd-bench-tls.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# A test CA and a server certificate for 127.0.0.1, as in the README's TLS section.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 1 -days 2 -extfile "$work/ext" -out "$work/server.pem" 2>/dev/null

cat > "$work/ingestd.conf" <<CONF
[server]
listen = "127.0.0.1:$port"

[[server.tls]]
listen = "127.0.0.1:$tls_port"
certificate = "$work/server.pem"
key = "$work/server.key"

[[tenants]]
id = "org-xyz"
keys = ["tok-bench"]
CONF

pid=""
run() { # mode
  rm -rf "$work/data"
  taskset -c 0 dotnet "$daemon" --config "$work/ingestd.conf" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q "listening with TLS\|cannot start" "$work/daemon.log" && break; sleep 0.1; done
  grep -q "listening with TLS" "$work/daemon.log" || { echo "the daemon did not start (port $port or $tls_port in use?):" >&2; cat "$work/daemon.log" >&2; exit 1; }
  local url=http://127.0.0.1:$port/v1/drain
  [ "$1" = tls ] && url=https://127.0.0.1:$tls_port/v1/drain
  local json
  json=$(taskset -c 1 dotnet "$bench" load --url "$url" --cacert "$work/ca.pem" --body "$body" \
    --header 'Authorization: Bearer tok-bench' --connections 64 --warmup "$warmup" --duration "$duration" --server-pid "$pid" --json)
  json=$(printf "%s" "$json" | tr -d "\n")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "{\"mode\":\"$1\",\"result\":$json}" | tee -a "$work/runs.jsonl"
}

for _ in $(seq 1 "$rounds"); do run plain; run tls; done

python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
for mode in ("plain", "tls"):
    r = [x["result"] for x in runs if x["mode"] == mode]
    eps = [x["events_per_second"] for x in r]
    cpu = [1e6 / x["events_per_cpu_second"] for x in r if x.get("events_per_cpu_second")]
    print(f"{mode}: events/s median {statistics.median(eps):,.0f} (runs {', '.join(f'{e/1000:,.0f}k' for e in eps)}); "
          f"CPU per event median {statistics.median(cpu):.2f} us" if cpu else f"{mode}: events/s median {statistics.median(eps):,.0f}")
PY
