#!/usr/bin/env bash
# The risk-picture benchmark of docs/performance.md ("Risk picture (issue 6)") in one command. Not
# part of tests/run.sh. Builds vikd, vik_picture_loader and vik_picture_bench (Release) in
# ./build-bench, starts a private PostgreSQL (default durability settings) and, for each size N:
#
#   1. recreates the database `vik`, migrates it, registers 10 partners with 4 sources each (the
#      first source of each partner expected every 10 minutes, the second every hour, the others
#      irregular), an ingest token and a read token, with the vikd CLI;
#   2. vik_picture_loader COPYs N signals of history (a year, plus 3000 recent ones) into `signals`
#      with triggers off (session_replication_role = replica; it fills source_health itself), then
#      VACUUM ANALYZE and CHECKPOINT;
#   3. starts vikd (risk engine on: picture.enabled defaults to true) and `vik_picture_bench status`
#      waits until GET /v1/status shows a picture computed after the start (the warm-up time), then
#      measures GET /v1/status with 1 and 4 keep-alive clients, and vikd's VmRSS/VmHWM after the
#      warm-up and after the latency runs;
#   4. `vik_picture_bench ingest`: POST /v1/signals (batches of 100, 8 connections, signals spread
#      over the region's themes and municipalities) for a fixed time with the engine on; then vikd is
#      restarted with --set picture.enabled=false on the same database and the same load runs again.
#      After the engine-on load it reports how far the picture keeper is behind and waits up to 120 s
#      for it to catch up.
#
# At the end `vik_picture_bench report` prints every figure in one table.
#
#   ./tests/bench/picture_run.sh                    1M, then 10M signals: about 35 minutes after the build
#                                                   (10M: 10 minutes of loading, minutes of warm-up)
#   ./tests/bench/picture_run.sh 1000000            the quick run: about 5 minutes after the build
#
# Environment: VIK_BENCH_BUILD_DIR (default ./build-bench), VIK_BUILD_JOBS (default: nproc),
# VIK_PICTURE_DIR (PostgreSQL's data and the logs; default /tmp/picbench, emptied first),
# VIK_PICTURE_PG_PORT (default 55600), VIK_PICTURE_STATUS_ARGS and VIK_PICTURE_INGEST_ARGS (extra
# flags, e.g. "--seconds 5"; see vik_picture_bench --help), VIK_PICTURE_LOADER_ARGS,
# VIK_BENCH_VIKD_ARGS (extra vikd serve flags), VIK_BENCH_RENICE=0 (see lib.sh),
# VIK_PICTURE_STOP_TIMEOUT (seconds between SIGTERM and SIGKILL for vikd, default 120),
# VIK_PICTURE_KEEP=1 (keep the cluster and logs in VIK_PICTURE_DIR; PostgreSQL is stopped).
# Results: the table on stdout, and $VIK_BENCH_BUILD_DIR/picture/*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/lib/common.sh
source tests/bench/lib.sh

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
for n in "${SIZES[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SIGNALS...]   (e.g. $0 1000000 10000000)" >&2; exit 2; }
done

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" catch2  # tests/ needs Catch2 to configure

BUILD=${VIK_BENCH_BUILD_DIR:-$PWD/build-bench}
vik_bench_build vikd vik_picture_loader vik_picture_bench
VIKD=$BUILD/server/vikd
LOADER=$BUILD/tests/bench/vik_picture_loader
BENCH=$BUILD/tests/bench/vik_picture_bench
vik_bench_renice

DIR=${VIK_PICTURE_DIR:-/tmp/picbench}
OUT=$BUILD/picture
PORT=${VIK_PICTURE_PG_PORT:-55600}
vik_bench_fresh_dir "$DIR" "$OUT" "$PORT" VIK_PICTURE_PG_PORT
VIKD_PID=
cleanup() {
  vik_bench_vikd_stop
  vik_pg_stop "$DIR/data"
  [ "${VIK_PICTURE_KEEP:-0}" = 1 ] || rm -rf "$DIR"
}
trap cleanup EXIT

vik_bench_pg_start "$DIR" "$PORT"
DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=vik"

PARTNERS=(brandweer-vr21 politie-oost-brabant ggd-hvb knmi rws-zuid-nederland waterschap-aa-en-maas
  gemeente-shertogenbosch enexis prorail defensie-zuid)
INGEST_SOURCE=brandweer-vr21/s1
admin() { "$VIKD" "$@" --db "$DSN" --log-level warn >/dev/null; }

# A fresh database with the schema, the partners, their sources and the two tokens.
prepare_database() {
  "$PGBIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists vik 2>/dev/null
  vik_bench_pg_createdb
  "$VIKD" migrate --db "$DSN" --log-level warn
  local p
  for p in "${PARTNERS[@]}"; do
    admin partner add "$p"
    admin source add "$p/s1" --partner "$p" --interval 10m
    admin source add "$p/s2" --partner "$p" --interval 1h
    admin source add "$p/s3" --partner "$p"
    admin source add "$p/s4" --partner "$p"
  done
  (umask 077
   "$VIKD" token issue --partner brandweer-vr21 --scopes ingest --db "$DSN" --log-level warn \
     >"$DIR/ingest.token" 2>/dev/null
   "$VIKD" token issue --partner "${PARTNERS[0]}" --scopes read --db "$DSN" --log-level warn \
     >"$DIR/read.token" 2>/dev/null)
}

start_vikd() {
  # shellcheck disable=SC2086  # the extra flags are meant to be split
  vik_bench_vikd_start "$DIR" picture-bench-1 --log-level warn --set ingest.rate_limit=0 "$@" \
    ${VIK_BENCH_VIKD_ARGS:-}
}

# SIGTERM and wait; the time it takes (the drain, the keeper's round in flight) is logged. After
# VIK_PICTURE_STOP_TIMEOUT seconds (default 120) vikd is killed (SIGKILL), and that is logged too.
stop_vikd() {
  local t0 waited=0
  t0=$(date +%s%N)
  if [ -n "${VIKD_PID:-}" ] && kill -0 "$VIKD_PID" 2>/dev/null; then
    kill -TERM "$VIKD_PID"
    while kill -0 "$VIKD_PID" 2>/dev/null && [ "$waited" -lt $(( ${VIK_PICTURE_STOP_TIMEOUT:-120} * 10 )) ]; do
      sleep 0.1
      waited=$(( waited + 1 ))
    done
    if kill -0 "$VIKD_PID" 2>/dev/null; then
      vik_log "vikd did not stop within ${VIK_PICTURE_STOP_TIMEOUT:-120} s of SIGTERM; killing it"
      kill -KILL "$VIKD_PID"
    fi
  fi
  vik_bench_vikd_stop
  vik_log "vikd stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

ingest() {
  # shellcheck disable=SC2086
  "$BENCH" ingest --http "127.0.0.1:$HTTP_PORT" --token-file "$DIR/ingest.token" --source "$INGEST_SOURCE" \
    --db "$DSN" --size "$1" --engine "$2" --vikd-pid "$VIKD_PID" --pg-pid "$PG_PID" \
    --json "$OUT/picture-$1-ingest-$2.json" ${VIK_PICTURE_INGEST_ARGS:-} || status=$?
}

status=0  # a failed measurement is reported at the end; the other measurements still run
vik_log "risk-picture benchmark: sizes ${SIZES[*]}; $(nproc) CPUs:" \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${SIZES[@]}"; do
  vik_log "[$n] fresh database: migrate, 10 partners, 40 sources, tokens"
  prepare_database
  vik_log "[$n] loading $n signals with COPY"
  # shellcheck disable=SC2086
  "$LOADER" --db "$DSN" --count "$n" --json "$OUT/picture-$n-load.json" ${VIK_PICTURE_LOADER_ARGS:-}

  vik_log "[$n] vikd with the risk engine on: warm-up, GET /v1/status, memory"
  start_vikd
  # shellcheck disable=SC2086
  "$BENCH" status --http "127.0.0.1:$HTTP_PORT" --token-file "$DIR/read.token" --size "$n" \
    --started-ns "$VIKD_STARTED_NS" --vikd-pid "$VIKD_PID" --pg-pid "$PG_PID" \
    --json "$OUT/picture-$n-status.json" ${VIK_PICTURE_STATUS_ARGS:-} || status=$?
  vik_log "[$n] ingest with the risk engine on"
  ingest "$n" on
  vik_bench_vikd_log "$DIR"
  stop_vikd

  vik_log "[$n] ingest with the risk engine off (picture.enabled=false)"
  start_vikd --set picture.enabled=false
  ingest "$n" off
  vik_bench_vikd_log "$DIR"
  stop_vikd
done

files=()
for n in "${SIZES[@]}"; do
  files+=("$OUT/picture-$n-load.json" "$OUT/picture-$n-status.json" "$OUT/picture-$n-ingest-on.json"
          "$OUT/picture-$n-ingest-off.json")
done
echo
"$BENCH" report "${files[@]}" || status=$?
exit "$status"
