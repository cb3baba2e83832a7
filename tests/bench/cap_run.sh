#!/usr/bin/env bash
# The CAP benchmark of docs/performance.md ("CAP") in one command: builds vikd and vik_cap_bench
# (Release) in ./build-bench, runs `vik_cap_bench parse` (parse, validate and map on one pinned core;
# no server), then creates a private PostgreSQL with default durability (fsync and synchronous_commit
# on) in a temp directory on a free port, migrates it, registers a partner, the CAP sender as its
# source and a token with the vikd CLI, starts vikd (no rate limit, all other settings default), runs
# `vik_cap_bench http` (POST /v1/cap: small alerts with 1, 4 and 16 clients, then 20 KB and 500 KB
# alerts), and stops everything again. Takes about two and a half minutes after the build.
#
#   ./tests/bench/cap_run.sh
#
# Environment: VIK_BENCH_BUILD_DIR (default ./build-bench), VIK_BUILD_JOBS (default: nproc),
# VIK_CAP_PARSE_ARGS and VIK_CAP_HTTP_ARGS (extra flags for the two modes, e.g. "--seconds 1"; see
# vik_cap_bench --help), VIK_BENCH_VIKD_ARGS (extra vikd serve flags), VIK_BENCH_RENICE=0 (do not
# raise the priority of the benchmark's processes).
# Results: the tables on stdout, and $VIK_BENCH_BUILD_DIR/cap-*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/lib/common.sh
source tests/bench/lib.sh

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" catch2  # tests/ needs Catch2 to configure

BUILD=${VIK_BENCH_BUILD_DIR:-$PWD/build-bench}
vik_bench_build vikd vik_cap_bench
VIKD=$BUILD/server/vikd
BENCH=$BUILD/tests/bench/vik_cap_bench
# As in run.sh: as root, everything started from here on runs at nice -10 (lib.sh).
vik_bench_renice

vik_log "parse, validate and map on one core ($(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
        "load average $(cut -d' ' -f1-3 /proc/loadavg))"
# shellcheck disable=SC2086  # the extra arguments are meant to be split
"$BENCH" parse --json "$BUILD/cap-parse.json" ${VIK_CAP_PARSE_ARGS:-}

TMP=$(mktemp -d /tmp/vik-cap-bench.XXXXXX)
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

SENDER=bench-cap@vr21.nl
vik_log "migrating and registering partner bench, source $SENDER and an ingest token"
"$VIKD" migrate --db "$DSN" --log-level warn
"$VIKD" partner add bench --db "$DSN" --log-level warn >/dev/null
"$VIKD" source add "$SENDER" --partner bench --db "$DSN" --log-level warn >/dev/null
(umask 077 && "$VIKD" token issue --partner bench --scopes ingest --db "$DSN" --log-level warn \
  >"$TMP/token" 2>/dev/null)

vik_log "starting vikd"
# shellcheck disable=SC2086  # the extra flags are meant to be split
vik_bench_vikd_start "$TMP" bench-1 --log-level warn --set ingest.rate_limit=0 ${VIK_BENCH_VIKD_ARGS:-}

status=0
http_bench() {
  # shellcheck disable=SC2086
  "$BENCH" http --http "127.0.0.1:$HTTP_PORT" --token-file "$TMP/token" --sender "$SENDER" --db "$DSN" \
    --vikd-pid "$VIKD_PID" --pg-pid "$PG_PID" "$@" ${VIK_CAP_HTTP_ARGS:-} || status=$?
}
vik_log "POST /v1/cap end to end (load average $(cut -d' ' -f1-3 /proc/loadavg))"
http_bench --doc small --clients 1,4,16 --seconds 10 --json "$BUILD/cap-http-small.json"
echo
http_bench --doc medium --clients 4 --seconds 8 --json "$BUILD/cap-http-medium.json"
echo
http_bench --doc large --clients 1,4 --seconds 8 --json "$BUILD/cap-http-large.json"
vik_bench_vikd_log "$TMP"
exit "$status"
