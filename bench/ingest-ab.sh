#!/usr/bin/env bash
# Interleaved A/B of the ingest path: two servers (two jars, or one jar with two sets of options), each on its own
# empty PostgreSQL database, warmed up, then loaded in alternating bursts of clinic-visit bundles, so that drift in
# the machine's speed (on this machine the same run moves by 30 % within an hour) hits both alike. Prints each
# burst's rate and server CPU per bundle, then the mean ratio B/A of server CPU per bundle.
#
#   JAR_B=/tmp/candidate.jar bench/ingest-ab.sh                      # the built jar (A) against another build (B)
#   OPTS_B="-XX:+UseG1GC" bench/ingest-ab.sh                         # one jar, two sets of JVM options
#
# Environment: JAR_A / JAR_B (default target/lactation-cds.jar), OPTS_A / OPTS_B (JVM options added to -Xmx1g,
# default -XX:+UseParallelGC), ENV_A / ENV_B (extra KEY=VALUE settings), WARMUP (unmeasured bundles per server,
# default 3000), ROUNDS (default 5), BUNDLES (per burst, default 400); PGHOST/PGPORT/PGUSER as for bench/ingest.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
jar=target/lactation-cds.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
JAR_A=${JAR_A:-$jar} JAR_B=${JAR_B:-$jar}
OPTS_A=${OPTS_A:--XX:+UseParallelGC} OPTS_B=${OPTS_B:--XX:+UseParallelGC}
stamp=$(date +%s)
workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  for side in a b; do
    psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS lcds_ab_${side}_$stamp WITH (FORCE)" || true
  done
  rm -rf "$workdir"
}
trap cleanup EXIT

start() { # side jar options environment port
  local db="lcds_ab_$1_$stamp"
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "CREATE DATABASE $db"
  # shellcheck disable=SC2086
  env SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" SERVER_PORT="$5" $4 \
    java -Xmx1g $3 -jar "$2" > "$workdir/server-$1.log" 2>&1 &
  pids+=($!)
}
start a "$JAR_A" "$OPTS_A" "${ENV_A:-}" 18081
start b "$JAR_B" "$OPTS_B" "${ENV_B:-}" 18082
sides=(A B)
for i in 0 1; do
  for _ in $(seq 1 240); do
    curl -sf --max-time 10 "http://127.0.0.1:$((18081 + i))/actuator/health/readiness" >/dev/null 2>&1 && break
    kill -0 "${pids[$i]}" 2>/dev/null || { cat "$workdir/server-${sides[$i],,}.log"; exit 1; }
    sleep 1
  done
done

echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo "A: $JAR_A $OPTS_A ${ENV_A:-}"
echo "B: $JAR_B $OPTS_B ${ENV_B:-}"
for port in 18081 18082; do
  java bench/IngestBenchmark.java --url "http://127.0.0.1:$port/fhir" --warmup 0 --bundles "${WARMUP:-3000}" >/dev/null
done
ratios=()
for round in $(seq 1 "${ROUNDS:-5}"); do
  declare -A cpu=()
  for i in 0 1; do
    side=${sides[$i]}
    out=$(java bench/IngestBenchmark.java --url "http://127.0.0.1:$((18081 + i))/fhir" --warmup 0 \
      --bundles "${BUNDLES:-400}" --server-pid "${pids[$i]}")
    cpu[$side]=$(awk '/^server CPU/ {print $3}' <<<"$out")
    echo "round $round $side: $(awk '/^resources\/s/ {print $2}' <<<"$out") resources/s, server CPU ${cpu[$side]} ms per bundle, $(awk '/^bundles ok/ {print $4, $5}' <<<"$out")"
  done
  ratios+=("$(awk -v a="${cpu[A]}" -v b="${cpu[B]}" 'BEGIN {printf "%.3f", b / a}')")
  unset cpu
done
echo "server CPU per bundle, B/A by round: ${ratios[*]}; mean $(printf '%s\n' "${ratios[@]}" | awk '{s += $1} END {printf "%.3f", s / NR}')"
