#!/usr/bin/env bash
# Ingest benchmark on PostgreSQL, one command: builds the jar if needed, creates an empty database, starts the
# server on it, posts clinic-visit transaction bundles (bench/IngestBenchmark.java), prints the figures, stops.
#
#   bench/ingest.sh [--bundles 2000] [--clients 4] [--warmup 2000]   (warm-up bundles are posted first, unmeasured)
#
# Environment: PGHOST/PGPORT/PGUSER (default 127.0.0.1/5432/postgres), BENCH_PORT (default 18080),
# BENCH_JAVA_OPTS (JVM options of the server, default -Xmx1g -XX:+UseParallelGC), BENCH_SERVER_ENV (extra KEY=VALUE settings).
set -euo pipefail
cd "$(dirname "$0")/.."

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

# shellcheck disable=SC2086
env SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
  SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" SERVER_PORT="$port" ${BENCH_SERVER_ENV:-} \
  java ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} -jar "$PWD/$jar" > "$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 180); do
  curl -sf --max-time 10 "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 1
done

echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -tAc 'show server_version'), server ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} ${BENCH_SERVER_ENV:-}"
java bench/IngestBenchmark.java --url "http://127.0.0.1:$port/fhir" --server-pid "$server_pid" "$@"
echo "server resident memory $(( $(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status") / 1024 )) MB"
