# Shared by the benchmark scripts of tests/bench (run.sh, cap_run.sh, picture_run.sh,
# federation_run.sh): the Release build in ./build-bench, a private PostgreSQL with a database `vik`,
# and a vikd on port 0.
# Source it after deploy/lib/common.sh, from the repository root; it defines functions only.
# The functions set the global variables they name; they exit the script on failure (set -e).

# vik_bench_build TARGET...: configures $BUILD (Release) and builds the targets with
# $VIK_BUILD_JOBS jobs (default: nproc). REQUIRES: BUILD is set.
vik_bench_build() {
  vik_log "building $* (Release) in $BUILD"
  # GCC 12 at -O3 reports false -Wrestrict/-Wstringop warnings inside libstdc++; keep them as warnings.
  # The bench targets live under tests/: VIK_BUILD_TESTS must be on (a reused build dir may have it off).
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIK_WERROR=OFF -DVIK_BUILD_TESTS=ON >/dev/null
  cmake --build "$BUILD" -j"${VIK_BUILD_JOBS:-$(nproc)}" --target "$@"
}

# On a shared machine other work competes for the same cores and depresses the figures (the benches
# report it as "other"). As root, PostgreSQL, vikd and the load generators (everything started after
# this call) run at nice -10 so that such work yields to them; VIK_BENCH_RENICE=0 turns this off.
vik_bench_renice() {
  if [ "$(id -u)" -eq 0 ] && [ "${VIK_BENCH_RENICE:-1}" = 1 ]; then
    renice -n -10 -p $$ >/dev/null
  fi
}

# vik_bench_fresh_dir DIR OUT PORT PORT_VARIABLE: stops the cluster an interrupted run left in
# DIR/data, fails when 127.0.0.1:PORT is in use (telling to set PORT_VARIABLE), then empties DIR (a
# benchmark's PostgreSQL and logs) and OUT (its results).
vik_bench_fresh_dir() {
  local dir=$1 out=$2 port=$3 variable=$4
  [ -f "$dir/data/PG_VERSION" ] && vik_pg_stop "$dir/data"
  if vik_port_busy "$port"; then
    echo "127.0.0.1:$port is in use; set $variable to a free port" >&2
    exit 1
  fi
  rm -rf "$dir" "$out"
  mkdir -p "$dir" "$out"
  chmod 755 "$dir"
}

# vik_bench_pg_start DIR [PORT] [extra -c settings]: initdb DIR/data (unless it holds a cluster) and
# start it on 127.0.0.1:PORT (default: a free port) with its socket in DIR; default durability
# settings. Sets PG_PORT, PG_PID and PGBIN. The database is not created (vik_bench_pg_createdb).
vik_bench_pg_start() {
  local dir=$1
  PG_PORT=${2:-$(vik_free_port)}
  vik_log "starting a private PostgreSQL on 127.0.0.1:$PG_PORT (default durability settings)"
  vik_pg_init "$dir/data"
  vik_pg_start "$dir/data" "$PG_PORT" "$dir" "${3:-}"
  PGBIN=$(vik_pg_bin)
  PG_PID=$(head -n 1 "$dir/data/postmaster.pid")
}

# vik_bench_pg_createdb: creates the empty database `vik` on $PG_PORT and sets DSN.
vik_bench_pg_createdb() {
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres vik
  DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=vik"
}

# vik_bench_vikd_start DIR NODE_ID [vikd serve flags...]: starts `$VIKD serve` against $DSN on ports
# chosen by the kernel, logging to DIR/vikd.log, and waits (20 s at most) until it has bound them.
# Sets VIKD_PID, VIKD_STARTED_NS (wall clock just before the start), HTTP_PORT and GRPC_PORT.
vik_bench_vikd_start() {
  local dir=$1 node=$2
  shift 2
  rm -f "$dir/ports.json"
  VIKD_STARTED_NS=$(date +%s%N)
  "$VIKD" serve --db "$DSN" --http 127.0.0.1:0 --grpc 127.0.0.1:0 --ports-file "$dir/ports.json" \
    --node-id "$node" "$@" >"$dir/vikd.log" 2>&1 &
  VIKD_PID=$!
  for _ in $(seq 1 200); do
    [ -s "$dir/ports.json" ] && break
    kill -0 "$VIKD_PID" 2>/dev/null || { cat "$dir/vikd.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$dir/ports.json" ] || { echo "vikd did not bind within 20s" >&2; cat "$dir/vikd.log" >&2; exit 1; }
  HTTP_PORT=$(sed -E 's/.*"http": *([0-9]+).*/\1/' "$dir/ports.json")
  GRPC_PORT=$(sed -E 's/.*"grpc": *([0-9]+).*/\1/' "$dir/ports.json")
}

# vik_bench_vikd_stop: SIGTERM to $VIKD_PID (if it runs) and wait for it; clears VIKD_PID.
vik_bench_vikd_stop() {
  if [ -n "${VIKD_PID:-}" ] && kill -0 "$VIKD_PID" 2>/dev/null; then
    kill -TERM "$VIKD_PID"
    wait "$VIKD_PID" || true
  fi
  VIKD_PID=
}

# vik_bench_vikd_log DIR: prints the tail of DIR/vikd.log when vikd logged anything (the benches run
# it with --log-level warn, so anything is a warning or an error).
vik_bench_vikd_log() {
  if [ -s "$1/vikd.log" ]; then
    vik_log "vikd logged warnings or errors (--log-level warn) during the run; the last 20 lines:"
    tail -n 20 "$1/vikd.log" >&2
  fi
}
