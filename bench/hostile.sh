#!/usr/bin/env bash
# Hostile-input load test (issue 14): builds the jar if needed, starts the server on the embedded default (H2 in a
# temporary directory, demo dyads loaded, loopback, open), runs bench/HostileLoad.java (the attacks of issue 14 from
# several threads, normal patient-view traffic beside them) for the given time, after a 30 s baseline of the normal
# traffic alone on the same server; prints the normal traffic's p50/p99
# and error count and what each attack got, then checks the server is still healthy and stops it.
#
#   bench/hostile.sh [--seconds 60] [--normal 4] [--attackers 4]
#
# Environment: BENCH_PORT (default 18080), BENCH_JAVA_OPTS (default -Xmx1g -XX:+UseParallelGC).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BENCH_PORT:-18080}
jar=target/lactation-cds.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
workdir=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT
# shellcheck disable=SC2086
(cd "$workdir" && exec env SERVER_PORT="$port" java ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} -jar "$OLDPWD/$jar" > server.log 2>&1) &
server_pid=$!
for _ in $(seq 1 900); do
  curl -sf --max-time 10 "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.2
done
curl -sf --max-time 10 "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null || { echo "server not ready after 180 s" >&2; exit 1; }
echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline, no attack (30 s):"
java bench/HostileLoad.java --url "http://127.0.0.1:$port" --seconds 30 --attackers 0 | head -1
echo "under attack:"
java bench/HostileLoad.java --url "http://127.0.0.1:$port" "$@"
echo "health after: $(curl -s --max-time 60 "http://127.0.0.1:$port/actuator/health")"
grep -c "OutOfMemoryError" "$workdir/server.log" | sed 's/^/OutOfMemoryError lines in the server log: /' || true
