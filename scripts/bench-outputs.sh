#!/usr/bin/env bash
# drain-500 ingest with one nats_jetstream output enabled against none (issue #13's bench row): the Release daemon
# pinned to core 0 (its output thread shares that core with ingest), the load generator and nats-server -js to core 1,
# 64 connections, ROUNDS alternating rounds (none, output, none, …), each on a fresh daemon, data directory and stream,
# WARMUP of load then DURATION measured. After each "output" run the load stops and the output's own delivery rate
# is taken from ingestd_output_delivered_events_total while it drains the backlog (at most DRAIN seconds).
# Usage: scripts/bench-outputs.sh [ROUNDS=3] [DURATION=6s] [WARMUP=6s] [DRAIN=20]   (after `make build`; needs nats-server;
# DAEMON=path/to/ingestd.dll compares another build; PORT= and NATS_PORT= for two runs at once)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} duration=${2:-6s} warmup=${3:-6s} drain=${4:-20}
daemon=${DAEMON:-Ingestd/bin/Release/net10.0/ingestd.dll}
bench=Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll
body=Ingestd.Bench/workload-data/drain-500.json
command -v nats-server >/dev/null || { echo "bench-outputs: nats-server is missing (scripts/install-test-deps.sh installs it)" >&2; exit 1; }
work=$(mktemp -d /tmp/ingestd-bench-outputs.XXXXXX)
pid="" nats=""
trap 'kill "$pid" "$nats" 2>/dev/null || true; rm -rf "$work"' EXIT
port=${PORT:-18092} nport=${NATS_PORT:-18422}
printf '[server]\nlisten = ["127.0.0.1:%s"]\n' "$port" > "$work/none.conf"
{ cat "$work/none.conf"; cat <<EOF
[[outputs]]
name = "js"
type = "nats_jetstream"
url = "nats://127.0.0.1:$nport"
subject = "logs.{tenant}.{dialect}"
batch = { max_events = 1000, max_wait = "50ms" }
EOF
} > "$work/output.conf"

# A JetStream API request over the plain NATS protocol (no client needed): create the stream LOGS over logs.>.
create_stream() {
  python3 - "$nport" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()  # INFO
body = json.dumps({"name": "LOGS", "subjects": ["logs.>"], "storage": "file", "duplicate_window": 120_000_000_000}).encode()
s.sendall(b'CONNECT {"verbose":false,"headers":true}\r\nSUB _INBOX.bench 1\r\n'
          + b"PUB $JS.API.STREAM.CREATE.LOGS _INBOX.bench %d\r\n" % len(body) + body + b"\r\nPING\r\n")
while True:
    line = f.readline()
    if line.startswith(b"MSG"):
        answer = f.read(int(line.split()[-1]) + 2)
        if b'"error"' in answer: sys.exit("stream create failed: " + answer.decode())
        break
    if not line: sys.exit("nats closed the connection")
PY
}

metric() { # name → value summed over labels (0 when absent)
  curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" { s += $2 } END { printf "%d\n", s }'
}

run() { # none | output
  rm -rf "$work/data" "$work/js"
  if [ "$1" = output ]; then
    taskset -c 1 nats-server -js -a 127.0.0.1 -p "$nport" -sd "$work/js" > "$work/nats.log" 2>&1 &
    nats=$!
    for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$nport) 2>/dev/null && break; sleep 0.1; done
    create_stream
  fi
  taskset -c 0 dotnet "$daemon" --config "$work/$1.conf" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  # Its own "listening on" line, not a health answer (which another process on the port could give).
  for _ in $(seq 1 300); do grep -q "listening on\|cannot start" "$work/daemon.log" && break; sleep 0.1; done
  grep -q "listening on" "$work/daemon.log" || { echo "the daemon did not start (port $port in use?):" >&2; cat "$work/daemon.log" >&2; exit 1; }
  local json rate=null
  json=$(taskset -c 1 dotnet "$bench" load --url "http://127.0.0.1:$port/v1/drain" --body "$body" \
    --connections 64 --warmup "$warmup" --duration "$duration" --server-pid "$pid" --json | tr -d "\n")
  if [ "$1" = output ]; then
    # The backlog drains with ingest stopped: the output's own rate, from two samples 1 s or more apart while lagging.
    local d0 t0 d1 t1
    d0=$(metric ingestd_output_delivered_events_total); t0=$(date +%s.%N)
    for _ in $(seq 1 "$drain"); do
      sleep 1
      [ "$(metric ingestd_output_lag_events)" -gt 0 ] || break
    done
    d1=$(metric ingestd_output_delivered_events_total); t1=$(date +%s.%N)
    rate=$(python3 -c "print(round(($d1 - $d0) / ($t1 - $t0)))")
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ -n "$nats" ]; then kill "$nats"; wait "$nats" 2>/dev/null || true; nats=""; fi
  echo "{\"mode\":\"$1\",\"delivery_rate\":$rate,\"result\":$json}" | tee -a "$work/runs.jsonl" \
    | python3 -c "import json,sys; d=json.load(sys.stdin); r=d['result']; print(d['mode'], round(r['events_per_second']), r.get('events_per_cpu_second'), 'delivered/s', d['delivery_rate'])"
}

for _ in $(seq 1 "$rounds"); do run none; run output; done

python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = {}
for mode in ("none", "output"):
    r = [x["result"] for x in runs if x["mode"] == mode]
    eps = [x["events_per_second"] for x in r]
    cpu = [1e6 / x["events_per_cpu_second"] for x in r if x.get("events_per_cpu_second")]
    med[mode] = statistics.median(eps)
    print(f"{mode}: ingest events/s median {med[mode]:,.0f} (runs {', '.join(f'{e/1000:,.0f}k' for e in eps)})"
          + (f"; CPU per event median {statistics.median(cpu):.2f} us" if cpu else ""))
rates = [x["delivery_rate"] for x in runs if x["mode"] == "output" and x["delivery_rate"]]
if rates:
    print(f"output delivery (backlog drain, ingest stopped): median {statistics.median(rates):,.0f} events/s (runs {', '.join(f'{r/1000:,.0f}k' for r in rates)})")
print(f"output/none ingest: {med['output'] / med['none']:.2f}")
PY
