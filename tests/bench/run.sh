#!/usr/bin/env bash
# The ingest benchmark of docs/performance.md in one command: builds vikd and vik_ingest_bench
# (Release) in ./build-bench, creates a private PostgreSQL with default durability (fsync and
# synchronous_commit on) in a temp directory on a free port, migrates it, registers a partner, a
# source and a token with the vikd CLI, starts vikd (no rate limit, all other settings default), runs
# the load generator once, and stops everything again. Takes about three minutes.
#
#   ./tests/bench/run.sh                 the full run
#   ./tests/bench/run.sh --seconds 3     arguments go to vik_ingest_bench (see --help)
#
# Environment: VIK_BENCH_BUILD_DIR (default ./build-bench), VIK_BUILD_JOBS (default: nproc),
# VIK_BENCH_VIKD_ARGS (extra vikd serve flags for experiments, e.g. "--set ingest.commit_wait=2ms"),
# VIK_BENCH_RENICE=0 (do not raise the priority of the benchmark's processes; see below).
# Results: the table on stdout, and $VIK_BENCH_BUILD_DIR/bench-results.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/lib/common.sh

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" catch2  # tests/ needs Catch2 to configure

BUILD=${VIK_BENCH_BUILD_DIR:-$PWD/build-bench}
vik_log "building vikd and vik_ingest_bench (Release) in $BUILD"
# GCC 12 at -O3 reports false -Wrestrict/-Wstringop warnings inside libstdc++; keep them as warnings.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIK_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j"${VIK_BUILD_JOBS:-$(nproc)}" --target vikd vik_ingest_bench
VIKD=$BUILD/server/vikd
BENCH=$BUILD/tests/bench/vik_ingest_bench

# On a shared machine other work competes for the same cores and depresses the figures (the bench
# reports it as "other"). As root, PostgreSQL, vikd and the load generator (everything started from
# here on) run at nice -10 so that such work yields to them; on a dedicated machine this changes nothing.
if [ "$(id -u)" -eq 0 ] && [ "${VIK_BENCH_RENICE:-1}" = 1 ]; then
  renice -n -10 -p $$ >/dev/null
fi

TMP=$(mktemp -d /tmp/vik-bench.XXXXXX)
chmod 755 "$TMP"
VIKD_PID=
cleanup() {
  if [ -n "$VIKD_PID" ] && kill -0 "$VIKD_PID" 2>/dev/null; then
    kill -TERM "$VIKD_PID"
    wait "$VIKD_PID" || true
  fi
  vik_pg_stop "$TMP/data"
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(vik_free_port)
vik_log "starting a private PostgreSQL on 127.0.0.1:$PORT (default durability settings)"
vik_pg_init "$TMP/data"
vik_pg_start "$TMP/data" "$PORT" "$TMP"
PGBIN=$(vik_pg_bin)
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres vik
DSN="host=127.0.0.1 port=$PORT user=postgres dbname=vik"
PG_PID=$(head -n 1 "$TMP/data/postmaster.pid")

vik_log "migrating and registering partner bench, source bench-src and an ingest token"
"$VIKD" migrate --db "$DSN" --log-level warn
"$VIKD" partner add bench --db "$DSN" --log-level warn >/dev/null
"$VIKD" source add bench-src --partner bench --db "$DSN" --log-level warn >/dev/null
(umask 077 && "$VIKD" token issue --partner bench --scopes ingest --db "$DSN" --log-level warn \
  >"$TMP/token" 2>/dev/null)

vik_log "starting vikd"
"$VIKD" serve --db "$DSN" --http 127.0.0.1:0 --grpc 127.0.0.1:0 --ports-file "$TMP/ports.json" \
  --node-id bench-1 --log-level warn --set ingest.rate_limit=0 ${VIK_BENCH_VIKD_ARGS:-} >"$TMP/vikd.log" 2>&1 &
VIKD_PID=$!
for _ in $(seq 1 200); do
  [ -s "$TMP/ports.json" ] && break
  kill -0 "$VIKD_PID" 2>/dev/null || { cat "$TMP/vikd.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$TMP/ports.json" ] || { echo "vikd did not bind within 20s" >&2; cat "$TMP/vikd.log" >&2; exit 1; }
HTTP_PORT=$(sed -E 's/.*"http": *([0-9]+).*/\1/' "$TMP/ports.json")
GRPC_PORT=$(sed -E 's/.*"grpc": *([0-9]+).*/\1/' "$TMP/ports.json")

vik_log "running the benchmark ($(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
status=0
"$BENCH" --db "$DSN" --grpc "127.0.0.1:$GRPC_PORT" --http "127.0.0.1:$HTTP_PORT" --token-file "$TMP/token" \
  --source bench-src --partner bench --vikd-pid "$VIKD_PID" --pg-pid "$PG_PID" \
  --json "$BUILD/bench-results.json" "$@" || status=$?
if [ -s "$TMP/vikd.log" ]; then
  vik_log "vikd logged warnings or errors (--log-level warn) during the run; the last 20 lines:"
  tail -n 20 "$TMP/vikd.log" >&2
fi
exit "$status"
