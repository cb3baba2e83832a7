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
# VIK_BENCH_RENICE=0 (do not raise the priority of the benchmark's processes; see lib.sh).
# Results: the table on stdout, and $VIK_BENCH_BUILD_DIR/bench-results.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/lib/common.sh
source tests/bench/lib.sh

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" catch2  # tests/ needs Catch2 to configure

BUILD=${VIK_BENCH_BUILD_DIR:-$PWD/build-bench}
vik_bench_build vikd vik_ingest_bench
VIKD=$BUILD/server/vikd
BENCH=$BUILD/tests/bench/vik_ingest_bench
vik_bench_renice

TMP=$(mktemp -d /tmp/vik-bench.XXXXXX)
chmod 755 "$TMP"
VIKD_PID=
cleanup() {
  vik_bench_vikd_stop
  vik_pg_stop "$TMP/data"
  rm -rf "$TMP"
}
trap cleanup EXIT

vik_bench_pg_start "$TMP"
vik_bench_pg_createdb

vik_log "migrating and registering partner bench, source bench-src and an ingest token"
"$VIKD" migrate --db "$DSN" --log-level warn
"$VIKD" partner add bench --db "$DSN" --log-level warn >/dev/null
"$VIKD" source add bench-src --partner bench --db "$DSN" --log-level warn >/dev/null
(umask 077 && "$VIKD" token issue --partner bench --scopes ingest --db "$DSN" --log-level warn \
  >"$TMP/token" 2>/dev/null)

vik_log "starting vikd"
# shellcheck disable=SC2086  # the extra flags are meant to be split
vik_bench_vikd_start "$TMP" bench-1 --log-level warn --set ingest.rate_limit=0 ${VIK_BENCH_VIKD_ARGS:-}

vik_log "running the benchmark ($(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
status=0
"$BENCH" --db "$DSN" --grpc "127.0.0.1:$GRPC_PORT" --http "127.0.0.1:$HTTP_PORT" --token-file "$TMP/token" \
  --source bench-src --partner bench --vikd-pid "$VIKD_PID" --pg-pid "$PG_PID" \
  --json "$BUILD/bench-results.json" "$@" || status=$?
vik_bench_vikd_log "$TMP"
exit "$status"
