#!/usr/bin/env bash
# CDS Hooks benchmark on PostgreSQL, one command: builds the jar if needed, creates an empty database, starts the
# server on it (time to ready and first-call latency measured), seeds dyads (bench/CdsBenchmark.java), warms the
# server up (every scenario, unmeasured: the JIT compiler keeps working for minutes after start-up), drives
# patient-view with prefetch, patient-view without prefetch and order-sign at each connection count, then the latency
# of one patient-view as the mother's history grows (10 to 5,000 Observations), prints the table and the server's
# resident memory, stops.
#
#   bench/cds.sh [--dyads 1000] [--connections "1 16 64"] [--requests 2000] [--jit-warmup 1000]
#                [--cold-minutes 5] [--cold-window 60]
#
# With --cold-minutes N (default 5; 0 skips it) the server is restarted once the dyads are seeded, and patient-view
# with prefetch is driven at 16 connections from the moment it is ready: calls/s and p99 of each of the first N
# windows of --cold-window seconds (the "cold" series: what an EHR sees after every start or rolling restart).
#
# Environment: PGHOST/PGPORT/PGUSER (default 127.0.0.1/5432/postgres), BENCH_PORT (default 18080),
# BENCH_JAVA_OPTS (JVM options of the server, default -Xmx1g -XX:+UseParallelGC).
set -euo pipefail
cd "$(dirname "$0")/.."

dyads=1000 connections="1 16 64" requests=2000 jit_warmup=1000 cold_minutes=5 cold_window=60
while [ $# -gt 0 ]; do
  case "$1" in
    --dyads) dyads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --jit-warmup) jit_warmup=$2; shift 2 ;;
    --cold-minutes) cold_minutes=$2; shift 2 ;;
    --cold-window) cold_window=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
port=${BENCH_PORT:-18080}
db="lcds_bench_$(date +%s)"
jar=target/lactation-cds.jar

[ -f "$jar" ] || mvn -B -q package -DskipTests
psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "CREATE DATABASE $db"
workdir=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$workdir"
}
trap cleanup EXIT

start_server() {
  started=$(date +%s.%N)
  # shellcheck disable=SC2086
  env SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" SERVER_PORT="$port" \
    java ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} -jar "$PWD/$jar" > "$workdir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 1500); do
    curl -sf --max-time 10 "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
    sleep 0.2
  done
  ready=$(date +%s.%N)
}
start_server

echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average$(uptime | sed 's/.*load average//'), PostgreSQL $(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -tAc 'show server_version'), server ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC}"
printf 'time to ready   %.1f s\n' "$(echo "$ready - $started" | bc)"
java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads 1 --run first --requests 1 --warmup 0 --connections 1 \
  --scenario store | grep '^store' | sed 's/^/first call      /'
java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads "$dyads" --run bench --requests 0 --warmup 0 --connections 1
if [ "$cold_minutes" -gt 0 ]; then
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  start_server
  printf 'time to ready   %.1f s (restart on the seeded database), load average%s\n' "$(echo "$ready - $started" | bc)" \
    "$(uptime | sed 's/.*load average//')"
  java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads "$dyads" --run bench --seed false \
    --scenario prefetch --connections 16 --windows "$cold_minutes" --window-seconds "$cold_window"
fi
# Unmeasured: without it the first scenario measured also pays for compiling the hot paths (seen: prefetch 44 calls/s
# measured first, store 54 after it, on the same code).
if [ "$jit_warmup" -gt 0 ]; then
  for scenario in prefetch store order-sign; do
    java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads "$dyads" --run bench --seed false \
      --scenario "$scenario" --connections 16 --requests "$jit_warmup" --warmup 0 > /dev/null
  done
fi
for scenario in prefetch store order-sign; do
  for c in $connections; do
    java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads "$dyads" --run bench --seed false \
      --scenario "$scenario" --connections "$c" --requests "$requests"
  done
done
java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --scenario scaling --run scale --seed false
echo "server resident memory $(( $(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status") / 1024 )) MB"
