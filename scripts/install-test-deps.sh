#!/usr/bin/env bash
# Installs the programs the test suite drives (real clients and tools), only what is missing. Idempotent.
#   Debian: curl, openssl (test CA and s_client for TLS), promtool (prometheus), syslog-ng with its http() destination,
#           systemd-journal-upload/-remote (systemd-journal-remote), graypy (python3-graypy),
#           chromium (headless, for /api, /reference and the console at /ui), nats-server (the JetStream output's destination),
#           haproxy (the load balancer of scripts/cluster-test.sh),
#           clickhouse-server (18.16, the ClickHouse output's destination)
#   npm:    the pinned client libraries in Ingestd.Tests/clients/package-lock.json
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)              # TLS tests: makes the test CA, s_client
command -v promtool >/dev/null 2>&1 || need+=(prometheus)          # checks /metrics
command -v syslog-ng >/dev/null 2>&1 || need+=(syslog-ng-core)     # a real shipper: http() destination
[ -e /usr/lib/syslog-ng/3.38/libhttp.so ] || ls /usr/lib/syslog-ng/*/libhttp.so >/dev/null 2>&1 || need+=(syslog-ng-mod-http)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
[ -x /lib/systemd/systemd-journal-upload ] || need+=(systemd-journal-remote)   # a real shipper: journal export format to /upload
/usr/bin/python3 -c 'import graypy' >/dev/null 2>&1 || need+=(python3-graypy)         # a real shipper: GELF over HTTP
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)      # outputs: the nats_jetstream destination, run with -js by the tests
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)              # scripts/cluster-test.sh: in front of two ingestd nodes (run in the foreground by the script)
[ -x /usr/sbin/clickhouse-server ] || command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server)  # outputs: the clickhouse destination; the tests run it from their own config on free ports
# Headless Chromium renders the documentation pages and the console; without root their tests are skipped rather than failing the run.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then need+=(chromium); else echo "install-test-deps: not root, so no chromium: the documentation page and console browser tests will be skipped" >&2; fi
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-test-deps: need root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # syslog-ng's package starts its own daemon on install where an init system runs; we only need the binary.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

clients=Ingestd.Tests/clients
stamp=$clients/node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s "$clients/package-lock.json" "$stamp"; then
  (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$clients/package-lock.json" "$stamp"
fi
