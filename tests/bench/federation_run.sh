#!/usr/bin/env bash
# The federation benchmark of docs/performance.md ("Federation (issue 7)") in one command. Not part
# of tests/run.sh. Builds vikd and vik_federation_bench (Release) in ./build-bench, starts a private
# PostgreSQL (default durability settings; max_connections=300, track_commit_timestamp=on) and, for
# each region count N:
#
#   1. a database per node, copied from one migrated template: N regional databases (r_vr21, ...)
#      and `national`. Each region gets its reference data (regions.tsv, and for every region but
#      VR21, whose municipalities the migrations seed, a municipalities.tsv with one municipality of
#      the region), partner brandweer-vrNN with source brandweer-vrNN/s1 and an ingest token, and
#      partner kcr2 with a read token (the national node's peer token), with the vikd CLI;
#   2. starts the N regional vikds (--region, db.pool_size=4, --log-level warn), waits until each is
#      ready, then the national vikd (--role national, a peer per region at its gRPC port with the
#      kcr2 token file, peers.interval at its default 250 ms) and waits until it has synchronised every
#      peer from its snapshot;
#   3. `vik_federation_bench push`: 500 signals/s in batches of 10, round-robin over the regions, for
#      VIK_FED_PUSH_SECONDS (30), then waits for every acknowledged signal in the national mirror:
#      propagation latency;
#   4. `memory`: VmRSS/VmHWM of the national vikd and of the regional ones;
#   5. stops the national vikd, `fill` grows VR21's change log by VIK_FED_CHANGES (100,000) changes,
#      starts the national vikd again and `catchup` measures how fast it applies them;
#   6. `feed`: one gRPC client reads VR21's ListChanges (pages of 1000) from the oldest cursor.
#
# N = 2: VR21 and VR20; N = 25: all 25 safety regions VR01..VR25. At the end `vik_federation_bench
# report` prints every figure in one table.
#
#   ./tests/bench/federation_run.sh            2, then 25 regions: about 8 minutes after the build
#   ./tests/bench/federation_run.sh 2          the quick run: about 3 minutes after the build
#
# Environment: VIK_BENCH_BUILD_DIR (default ./build-bench), VIK_BUILD_JOBS (default: nproc),
# VIK_FED_DIR (PostgreSQL's data, tokens, logs; default /tmp/fedbench, emptied first), VIK_FED_PG_PORT
# (default 55700), VIK_FED_PUSH_SECONDS (30), VIK_FED_RATE (500), VIK_FED_CHANGES (100000),
# VIK_FED_PUSH_ARGS (extra flags of `push`, see vik_federation_bench --help), VIK_BENCH_VIKD_ARGS (extra
# vikd serve flags for every node), VIK_BENCH_RENICE=0 (see lib.sh), VIK_FED_KEEP=1 (keep the cluster
# and logs in VIK_FED_DIR; PostgreSQL is stopped).
# Results: the table on stdout, and $VIK_BENCH_BUILD_DIR/federation/*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/lib/common.sh
source tests/bench/lib.sh

COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(2 25)
for n in "${COUNTS[@]}"; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 25 ] ||
    { echo "usage: $0 [REGIONS...]   (1 to 25 each; default: 2 25)" >&2; exit 2; }
done

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" catch2  # tests/ needs Catch2 to configure

BUILD=${VIK_BENCH_BUILD_DIR:-$PWD/build-bench}
vik_bench_build vikd vik_federation_bench
VIKD=$BUILD/server/vikd
BENCH=$BUILD/tests/bench/vik_federation_bench
vik_bench_renice

DIR=${VIK_FED_DIR:-/tmp/fedbench}
OUT=$BUILD/federation
PORT=${VIK_FED_PG_PORT:-55700}
vik_bench_fresh_dir "$DIR" "$OUT" "$PORT" VIK_FED_PG_PORT

# The regions in the order they are taken: VR21 (the catch-up region) and VR20 first, then the rest.
ORDER=(VR21 VR20 VR01 VR02 VR03 VR04 VR05 VR06 VR07 VR08 VR09 VR10 VR11 VR12 VR13 VR14 VR15 VR16 VR17
       VR18 VR19 VR22 VR23 VR24 VR25)
# One municipality per region (its principal city; CBS codes). Only these are loaded for regions other
# than VR21: the benchmark's signals name this municipality.
declare -A MUNICIPALITY=(
  [VR01]="GM0014 Groningen" [VR02]="GM0080 Leeuwarden" [VR03]="GM0106 Assen" [VR04]="GM0193 Zwolle"
  [VR05]="GM0153 Enschede" [VR06]="GM0200 Apeldoorn" [VR07]="GM0202 Arnhem" [VR08]="GM0268 Nijmegen"
  [VR09]="GM0344 Utrecht" [VR10]="GM0361 Alkmaar" [VR11]="GM0479 Zaanstad" [VR12]="GM0392 Haarlem"
  [VR13]="GM0363 Amsterdam" [VR14]="GM0402 Hilversum" [VR15]="GM0518 's-Gravenhage" [VR16]="GM0546 Leiden"
  [VR17]="GM0599 Rotterdam" [VR18]="GM0505 Dordrecht" [VR19]="GM0687 Middelburg" [VR20]="GM0826 Oosterhout"
  [VR21]="GM0796 's-Hertogenbosch" [VR22]="GM0772 Eindhoven" [VR23]="GM0983 Venlo" [VR24]="GM0935 Maastricht"
  [VR25]="GM0034 Almere")

declare -A NODE_PID=()
NATIONAL_PID=
stop_pid() {  # SIGTERM one vikd and wait for it
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"
    wait "$1" 2>/dev/null || true
  fi
}
stop_nodes() {
  stop_pid "$NATIONAL_PID"
  NATIONAL_PID=
  local code
  for code in "${!NODE_PID[@]}"; do
    stop_pid "${NODE_PID[$code]}"
  done
  NODE_PID=()
}
cleanup() {
  stop_nodes
  vik_pg_stop "$DIR/data"
  [ "${VIK_FED_KEEP:-0}" = 1 ] || rm -rf "$DIR"
}
trap cleanup EXIT

vik_bench_pg_start "$DIR" "$PORT" "-c max_connections=300 -c track_commit_timestamp=on"
PG="host=127.0.0.1 port=$PG_PORT user=postgres"
psql_at() { "$PGBIN/psql" -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -c "$2"; }
admin() { local db=$1; shift; "$VIKD" "$@" --db "$PG dbname=$db" --log-level warn >/dev/null; }

# One migrated database to copy (createdb -T) for every node.
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres vik_template
"$VIKD" migrate --db "$PG dbname=vik_template" --log-level warn

# prepare_region CODE: a fresh database r_<code> with reference data, partners, source and tokens.
prepare_region() {
  local code=$1 lower=${1,,} db=r_${1,,} ref=$DIR/ref-$1 gm name
  read -r gm name <<<"${MUNICIPALITY[$code]}"
  "$PGBIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists "$db" 2>/dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -T vik_template "$db"
  if [ "$code" != VR21 ]; then
    mkdir -p "$ref"
    cp deploy/reference/vr21/regions.tsv "$ref/"
    printf 'gm_code\tname\tregion\tvalid_from\tvalid_to\tsuccessor\n%s\t%s\t%s\t\t\t\n' "$gm" "$name" "$code" \
      >"$ref/municipalities.tsv"
    admin "$db" reference load "$ref"
  fi
  admin "$db" partner add "brandweer-$lower"
  admin "$db" source add "brandweer-$lower/s1" --partner "brandweer-$lower"
  admin "$db" partner add kcr2
  (umask 077
   "$VIKD" token issue --partner "brandweer-$lower" --scopes ingest --db "$PG dbname=$db" --log-level warn \
     >"$DIR/$code/ingest.token" 2>/dev/null
   "$VIKD" token issue --partner kcr2 --scopes read --db "$PG dbname=$db" --log-level warn \
     >"$DIR/$code/read.token" 2>/dev/null)
}

# wait_ready HTTP_PORT: GET /readyz answers 200 (30 s at most).
wait_ready() {
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  echo "vikd on HTTP port $1 not ready within 30 s" >&2
  exit 1
}

# start_national DIR: the national vikd with a peer per region of $REGIONS.
start_national() {
  local args=() line code http grpc pid rest
  while read -r code http grpc pid rest; do
    args+=(--set "peer.$code.endpoint=127.0.0.1:$grpc" --set "peer.$code.token_file=$DIR/$code/read.token")
  done <"$REGIONS"
  DSN="$PG dbname=national"
  # shellcheck disable=SC2086  # the extra flags are meant to be split
  vik_bench_vikd_start "$DIR/national" national-1 --role national --log-level warn --set peers.max_backoff=2s \
    "${args[@]}" ${VIK_BENCH_VIKD_ARGS:-}
  NATIONAL_PID=$VIKD_PID
  NATIONAL_STARTED_NS=$VIKD_STARTED_NS
}

status=0  # a failed measurement is reported at the end; the other measurements still run
vik_log "federation benchmark: region counts ${COUNTS[*]}; $(nproc) CPUs:" \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${COUNTS[@]}"; do
  codes=("${ORDER[@]:0:$n}")
  REGIONS=$DIR/regions-$n.txt
  : >"$REGIONS"
  vik_log "[$n] $n regional databases and the national one (migrated template, reference data, tokens)"
  for code in "${codes[@]}"; do
    mkdir -p "$DIR/$code"
    prepare_region "$code"
  done
  "$PGBIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists national 2>/dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -T vik_template national

  vik_log "[$n] starting $n regional vikds"
  for code in "${codes[@]}"; do
    DSN="$PG dbname=r_${code,,}"
    # shellcheck disable=SC2086
    vik_bench_vikd_start "$DIR/$code" "node-$code" --region "$code" --log-level warn --set db.pool_size=4 \
      --set ingest.rate_limit=0 ${VIK_BENCH_VIKD_ARGS:-}
    NODE_PID[$code]=$VIKD_PID
    echo "$code $HTTP_PORT $GRPC_PORT $VIKD_PID r_${code,,} ${MUNICIPALITY[$code]%% *} brandweer-${code,,}/s1" \
         "$DIR/$code/ingest.token $DIR/$code/read.token" >>"$REGIONS"
  done
  while read -r code http _; do
    wait_ready "$http"
  done <"$REGIONS"

  vik_log "[$n] starting the national vikd; waiting until it has synchronised its $n peers"
  mkdir -p "$DIR/national"
  start_national
  for _ in $(seq 1 600); do
    [ "$(psql_at national "SELECT count(*) FROM peers WHERE cursor IS NOT NULL" 2>/dev/null || echo 0)" = "$n" ] && break
    sleep 0.1
  done
  vik_log "[$n] synchronised: $(psql_at national "SELECT count(*) FROM peers WHERE cursor IS NOT NULL") of $n peers;" \
          "$(psql_at postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'") connections"

  vik_log "[$n] push: ${VIK_FED_RATE:-500} signals/s for ${VIK_FED_PUSH_SECONDS:-30} s, then propagation"
  # shellcheck disable=SC2086
  "$BENCH" push --regions "$REGIONS" --pg "$PG" --national-db national --national-pid "$NATIONAL_PID" \
    --pg-pid "$PG_PID" --rate "${VIK_FED_RATE:-500}" --seconds "${VIK_FED_PUSH_SECONDS:-30}" \
    --json "$OUT/federation-$n-push.json" ${VIK_FED_PUSH_ARGS:-} || status=$?
  "$BENCH" memory --regions "$REGIONS" --national-pid "$NATIONAL_PID" --json "$OUT/federation-$n-memory.json" ||
    status=$?

  vik_log "[$n] catch-up: national vikd stopped, VR21 filled, national vikd started again"
  stop_pid "$NATIONAL_PID"
  vik_bench_vikd_log "$DIR/national"
  "$BENCH" fill --regions "$REGIONS" --pg "$PG" --national-db national --region VR21 \
    --changes "${VIK_FED_CHANGES:-100000}" --json "$OUT/federation-$n-fill.json" || status=$?
  start_national
  "$BENCH" catchup --pg "$PG" --national-db national --fill-json "$OUT/federation-$n-fill.json" \
    --started-ns "$NATIONAL_STARTED_NS" --national-pid "$NATIONAL_PID" --json "$OUT/federation-$n-catchup.json" ||
    status=$?
  "$BENCH" feed --regions "$REGIONS" --region VR21 --json "$OUT/federation-$n-feed.json" || status=$?

  for code in national "${codes[@]}"; do
    vik_bench_vikd_log "$DIR/$code"
  done
  stop_nodes
done

files=()
for n in "${COUNTS[@]}"; do
  files+=("$OUT/federation-$n-push.json" "$OUT/federation-$n-memory.json" "$OUT/federation-$n-catchup.json"
          "$OUT/federation-$n-feed.json")
done
echo
"$BENCH" report "${files[@]}" || status=$?
exit "$status"
