#!/usr/bin/env bash
# Interleaved A/B of the CDS path: two servers (two jars, or one jar with two sets of options) on ONE PostgreSQL
# database (the same dyads for both), each warmed up, then driven in alternating bursts (A B, then B A the next
# round) so that drift in the machine's speed hits both alike. Prints each burst's calls/s, p99 and server CPU per
# call, then the mean ratio B/A of server CPU per call for each scenario. On a shared machine only the ratios mean
# much; say the load (uptime) with any figure.
#
#   JAR_A=/tmp/before.jar bench/cds-ab.sh                                   # another build (A) against this one (B)
#   ENV_A="LACTATION_CDS_READ_MODEL_ENABLED=false" bench/cds-ab.sh           # one jar: read model off (A) and on (B)
#
# Environment: JAR_A / JAR_B (default target/lactation-cds.jar), OPTS_A / OPTS_B (JVM options added to -Xmx1g,
# default -XX:+UseParallelGC), ENV_A / ENV_B (extra KEY=VALUE settings), SCENARIOS (default "prefetch store"),
# CONNECTIONS (default 16), DYADS (default 200), WARMUP (unmeasured calls per server and scenario, default 1000),
# ROUNDS (default 5), REQUESTS (per burst, default 600), PORT_A / PORT_B (default 18107 / 18108);
# PGHOST/PGPORT/PGUSER as for bench/cds.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
jar=target/lactation-cds.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
JAR_A=${JAR_A:-$jar} JAR_B=${JAR_B:-$jar}
OPTS_A=${OPTS_A:--XX:+UseParallelGC} OPTS_B=${OPTS_B:--XX:+UseParallelGC}
PORT_A=${PORT_A:-18107} PORT_B=${PORT_B:-18108}
SCENARIOS=${SCENARIOS:-prefetch store} CONNECTIONS=${CONNECTIONS:-16} DYADS=${DYADS:-200}
db="lcds_ab_cds_$(date +%s)"
workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$workdir"
}
trap cleanup EXIT
psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "CREATE DATABASE $db"

start() { # side jar options environment port
  # shellcheck disable=SC2086
  env SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" SERVER_PORT="$5" $4 \
    java -Xmx1g $3 -jar "$2" > "$workdir/server-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -sf --max-time 10 "http://127.0.0.1:$5/actuator/health/readiness" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$workdir/server-$1.log"; exit 1; }
    sleep 1
  done
  echo "server $1 not ready after 300 s" >&2; exit 1
}
# One after the other: both would create HAPI's schema on the empty database at once.
start a "$JAR_A" "$OPTS_A" "${ENV_A:-}" "$PORT_A"
start b "$JAR_B" "$OPTS_B" "${ENV_B:-}" "$PORT_B"

echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average$(uptime | sed 's/.*load average//')"
echo "A: $JAR_A $OPTS_A ${ENV_A:-}"
echo "B: $JAR_B $OPTS_B ${ENV_B:-}"
run=ab$(date +%s)
java bench/CdsBenchmark.java --url "http://127.0.0.1:$PORT_A" --dyads "$DYADS" --run "$run" --requests 0 --warmup 0 \
  --connections 1 | grep seeded
for scenario in $SCENARIOS; do
  for port in "$PORT_A" "$PORT_B"; do
    java bench/CdsBenchmark.java --url "http://127.0.0.1:$port" --dyads "$DYADS" --run "$run" --seed false \
      --scenario "$scenario" --connections "$CONNECTIONS" --requests "${WARMUP:-1000}" --warmup 0 > /dev/null
  done
done
ports=("$PORT_A" "$PORT_B") sides=(A B)
for scenario in $SCENARIOS; do
  ratios=()
  for round in $(seq 1 "${ROUNDS:-5}"); do
    declare -A cpu=()
    order=(0 1); [ $((round % 2)) -eq 0 ] && order=(1 0)
    for i in "${order[@]}"; do
      side=${sides[$i]}
      out=$(java bench/CdsBenchmark.java --url "http://127.0.0.1:${ports[$i]}" --dyads "$DYADS" --run "$run" --seed false \
        --scenario "$scenario" --connections "$CONNECTIONS" --requests "${REQUESTS:-600}" --warmup 0 --server-pid "${pids[$i]}")
      cpu[$side]=$(awk '/^server CPU/ {print $3}' <<<"$out")
      echo "$scenario round $round $side: $(awk '/req\/s/ {print $6, "calls/s, p99", $15, "ms, errors", $NF}' <<<"$out"), server CPU ${cpu[$side]} ms per call"
    done
    ratios+=("$(awk -v a="${cpu[A]}" -v b="${cpu[B]}" 'BEGIN {printf "%.3f", b / a}')")
    unset cpu
  done
  echo "$scenario: server CPU per call, B/A by round: ${ratios[*]}; mean $(printf '%s\n' "${ratios[@]}" | awk '{s += $1} END {printf "%.3f", s / NR}')"
done
for i in 0 1; do
  echo "server ${sides[$i]} resident memory $(( $(awk '/VmRSS/ {print $2}' "/proc/${pids[$i]}/status") / 1024 )) MB"
done
echo "load average at the end$(uptime | sed 's/.*load average//')"
