#!/usr/bin/env bash
# Scale-out under faults, on loopback: a 3-node nats-server JetStream cluster (an R3 stream over logs.>), two
# ingestd nodes (each its own data directory and node_id, each with a nats_jetstream output listing all three
# servers) and haproxy in front of them. A shipper load goes through haproxy for a while; mid-load one ingestd
# node and the nats-server the other node's output is connected to (made the stream's leader first) are killed
# with -9, and restarted a few seconds later. Once both outputs have no
# lag, the whole stream is read back, deduplicated by Nats-Msg-Id (the event id) and by each event's marker, and
# compared with the batches the shipper saw acknowledged. Ends with exactly one line:
#   cluster: acknowledged A, in stream S, duplicates after dedupe D, lost L
# Exit 0 only when A > 0 and D = L = 0; 1 otherwise; 2 when a step could not run (a program did not start…).
# Without nats-server or haproxy it prints `cluster: skipped (<reason>)` and exits 0. Needs no root.
#
#   scripts/cluster-test.sh [--no-build] [--seconds N] [--keep]   (--keep: keep the temp directory, logs and all)
#   CLUSTER_DAEMON=dist/ingestd      another daemon build (an executable or ingestd.dll)
#   CLUSTER_BENCH=path/Ingestd.Bench.dll   the helper for the JetStream API and the load (default: the Release build)
#
# Every program it starts is stopped on exit (trap); the temp directory is removed on success and kept (with
# every log and config) on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

build=1
keep=0
seconds=15
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --seconds) seconds=$2; shift ;;
    *) echo "usage: $0 [--no-build] [--seconds N] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "cluster: skipped (not installed: ${missing[*]}; scripts/install-test-deps.sh installs them)"
  exit 0
fi

if [ "$build" -eq 1 ]; then
  dotnet build Ingestd.slnx -c Release -nologo -clp:ErrorsOnly >&2 || exit 2
fi
daemon=${CLUSTER_DAEMON:-Ingestd/bin/Release/net10.0/ingestd}
bench=${CLUSTER_BENCH:-Ingestd.Bench/bin/Release/net10.0/Ingestd.Bench.dll}
for f in "$daemon" "$bench"; do
  [ -e "$f" ] || { echo "cluster: $f not found (build first, or drop --no-build)" >&2; exit 2; }
done
daemon=$(realpath "$daemon")
bench=$(realpath "$bench")
ingestd_cmd=("$daemon")
case "$daemon" in *.dll) ingestd_cmd=(dotnet "$daemon") ;; esac
helper() { timeout -k 5 "$1" dotnet "$bench" cluster "${@:2}"; }

work=$(mktemp -d /tmp/ingestd-cluster.XXXXXX)
rc=2
declare -A pid=()   # what this script started: nats1..3, node1..2, haproxy, load

stop() { # name: kill -9 the process this script started under that name, and reap it
  local p=${pid[$1]:-}
  [ -n "$p" ] || return 0
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  pid[$1]=
}
cleanup() {
  for name in "${!pid[@]}"; do stop "$name"; done
  if [ "$rc" -eq 0 ] && [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "cluster: logs and configs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'echo "cluster: aborted (interrupted)"; exit 130' INT TERM

t0=$SECONDS
say() { echo "[$(printf '%3d' $((SECONDS - t0)))s] $*"; }
fail() { say "$*"; echo "cluster: not run to the end ($*)"; rc=2; exit 2; }

# wait_port PORT NAME: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "$2 does not accept on port $1"
}

read -r -a ports <<<"$(helper 30 ports 9)" || fail "no free ports"
[ ${#ports[@]} -eq 9 ] || fail "no free ports"
nats_port=("${ports[@]:0:3}")
route_port=("${ports[@]:3:3}")
node_port=("${ports[@]:6:2}")
lb_port=${ports[8]}
servers=$(printf 'nats://127.0.0.1:%s,' "${nats_port[@]}"); servers=${servers%,}

# --- the JetStream cluster: three servers, each its own store, routes to the other two --------------------------
for i in 1 2 3; do
  routes=""
  for j in 1 2 3; do [ "$j" -ne "$i" ] && routes+="nats://127.0.0.1:${route_port[$((j - 1))]}, "; done
  mkdir -p "$work/nats$i"
  cat >"$work/nats$i.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:${nats_port[$((i - 1))]}
jetstream { store_dir: "$work/nats$i", max_memory_store: 64MB, max_file_store: 1GB }
cluster {
  name: ingestd-test
  listen: 127.0.0.1:${route_port[$((i - 1))]}
  routes: [ ${routes%, } ]
}
EOF
done
start_nats() {
  nats-server -c "$work/nats$1.conf" >>"$work/nats$1.log" 2>&1 &
  pid[nats$1]=$!
}
for i in 1 2 3; do start_nats "$i"; done
for i in 1 2 3; do wait_port "${nats_port[$((i - 1))]}" "nats-server n$i"; done
# Nats-Msg-Id dedupe holds only within the duplicate window (default 2 min): 10 min, longer than the whole run.
stream_out=$(helper 60 stream --servers "$servers" --stream LOGS --subjects 'logs.>' --replicas 3 --duplicate-window 10m) \
  || fail "stream not created: $stream_out"
say "3 nats-servers (cluster ingestd-test, client ports ${nats_port[*]}); $stream_out"
leader=$(sed -n 's/.*(leader n\([0-9]\)).*/\1/p' <<<"$stream_out")
[ -n "$leader" ] || leader=2

# --- two ingestd nodes ---------------------------------------------------------------------------------------------
for i in 1 2; do
  mkdir -p "$work/node$i"
  cat >"$work/node$i.conf" <<EOF
[server]
listen = ["127.0.0.1:${node_port[$((i - 1))]}"]
data_dir = "$work/node$i"
node_id = "node-$i"

[[outputs]]
name = "js"
type = "nats_jetstream"
url = [$(printf '"nats://127.0.0.1:%s", ' "${nats_port[@]}" | sed 's/, $//')]
subject = "logs.{tenant}.{dialect}"
timeout = "2s"
retry_max_backoff = "1s"
batch = { max_events = 200, max_wait = "50ms" }
EOF
done
start_node() {
  "${ingestd_cmd[@]}" --config "$work/node$1.conf" >>"$work/node$1.log" 2>&1 &
  pid[node$1]=$!
}
wait_healthy() { # node: /health answers 200 (20 s at most)
  for _ in $(seq 200); do
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${node_port[$(($1 - 1))]}/health" && return 0
    kill -0 "${pid[node$1]}" 2>/dev/null || fail "ingestd node-$1 exited (see $work/node$1.log)"
    sleep 0.1
  done
  fail "ingestd node-$1 not healthy"
}
for i in 1 2; do start_node "$i"; done
for i in 1 2; do wait_healthy "$i"; done
say "2 ingestd nodes (node-1 on ${node_port[0]}, node-2 on ${node_port[1]}), output js → all three servers"

# --- haproxy in front of them ----------------------------------------------------------------------------------------
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 1000

defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  # Retry (on the other node: redispatch) only when no connection to a node could be made, so the request never
  # reached one. A request that may have reached a node (no answer, a cut answer, a timeout) is never replayed
  # here: the shipper's own retry does that, and the event ids then make the second copy visible.
  retries 3
  retry-on conn-failure
  option redispatch 1

frontend ingest
  bind 127.0.0.1:$lb_port
  default_backend ingestd

backend ingestd
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
  server node-1 127.0.0.1:${node_port[0]} check
  server node-2 127.0.0.1:${node_port[1]} check
EOF
haproxy -f "$work/haproxy.cfg" -db >>"$work/haproxy.log" 2>&1 &
pid[haproxy]=$!
wait_port "$lb_port" haproxy
say "haproxy on $lb_port (roundrobin, health check GET /health, retry-on conn-failure only)"

# --- one batch straight to each node, so both outputs connect; then the stream's leader onto node-2's server -----
# Each event's message is a marker (batch key "." index), as the load writes them; acknowledged keys go to a file.
warm() { # node
  local key="warmup.node$1" body='{"events":[' i
  for i in $(seq 0 9); do
    body+="{\"project_id\":\"cluster\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"level\":\"info\",\"service\":\"cluster-test\",\"message\":\"$key.$i\"}"
    [ "$i" -lt 9 ] && body+=','
  done
  body+=']}'
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' --data-binary "$body" \
      "http://127.0.0.1:${node_port[$(($1 - 1))]}/v1/drain")" = 202 ] || fail "warm-up batch to node-$1 not acknowledged"
  echo "$key" >>"$work/acked-warmup.txt"
}
warm 1
warm 2
# The server node-2's output is connected to (it connects at its first publish): killing it makes that client fail
# over to another server. The stream's leader is moved there first, so the same kill also forces an election.
node2_server() { # prints the index of the nats-server node-2's output is connected to (5 s at most), or nothing
  command -v ss >/dev/null 2>&1 || return 0
  local peers i
  for _ in $(seq 50); do
    peers=$(ss -Htnp state established 2>/dev/null | grep "pid=${pid[node2]}," | awk '{print $4}')
    # The client's socket is dual-stack: its peer reads [::ffff:127.0.0.1]:PORT.
    for i in 1 2 3; do
      if grep -qE "127\.0\.0\.1]?:${nats_port[$((i - 1))]}\$" <<<"$peers"; then echo "$i"; return 0; fi
    done
    sleep 0.1
  done
}
victim=$(node2_server)
if [ -n "$victim" ]; then
  moved=$(helper 60 leader --servers "$servers" --stream LOGS --to "n$victim")
  say "node-2's output is on nats-server n$victim; stream $moved"
else
  victim=$leader
  say "node-2's server not found with ss: the stream's leader n$victim will be killed"
fi

# --- load, with the faults in the middle ------------------------------------------------------------------------------
helper $((seconds + 60)) load --url "http://127.0.0.1:$lb_port/v1/drain" --seconds "$seconds" --acked "$work/acked-load.txt" \
  --connections 4 --rate 60 --events 10 >"$work/load.out" 2>&1 &
pid[load]=$!
say "load through haproxy for ${seconds}s (4 connections, 60 batches/s, 10 events each)"
sleep $((seconds / 3))
kill -9 "${pid[node1]}"; wait "${pid[node1]}" 2>/dev/null; pid[node1]=
kill -9 "${pid[nats$victim]}"; wait "${pid[nats$victim]}" 2>/dev/null; pid[nats$victim]=
say "kill -9 ingestd node-1 and nats-server n$victim"
sleep 3
start_nats "$victim"
start_node 1
wait_port "${nats_port[$((victim - 1))]}" "nats-server n$victim"
wait_healthy 1
say "restarted nats-server n$victim and ingestd node-1; node-2's output is on nats-server n$(node2_server)"
wait "${pid[load]}"; load_rc=$?; pid[load]=
cat "$work/load.out"
[ "$load_rc" -eq 0 ] || fail "load exited $load_rc"

# --- every output caught up (bounded), then the stream against the acknowledged set --------------------------------
lag_zero() {
  curl -sf --max-time 2 "http://127.0.0.1:${node_port[$(($1 - 1))]}/metrics" | grep -qx 'ingestd_output_lag_events{output="js"} 0'
}
caught_up=0
for _ in $(seq 120); do
  if lag_zero 1 && lag_zero 2; then caught_up=1; break; fi
  sleep 0.5
done
[ "$caught_up" -eq 1 ] || fail "outputs still lagging after 60 s (see $work/node*.log)"
say "both outputs delivered everything (lag 0)"

cat "$work/acked-warmup.txt" "$work/acked-load.txt" >"$work/acked.txt"
helper 90 check --servers "$servers" --stream LOGS --acked "$work/acked.txt" --events 10
rc=$?
[ "$rc" -le 1 ] || { echo "cluster: not run to the end (check exited $rc)"; rc=2; }
exit "$rc"
