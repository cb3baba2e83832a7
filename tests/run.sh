#!/usr/bin/env bash
# Builds vik and runs every test suite (unit, integration, end-to-end) through ctest against a
# throwaway PostgreSQL server that this script creates and removes. Exits non-zero on any failure.
#
#   ./tests/run.sh                 everything
#   ./tests/run.sh -R 'unit: '     only tests whose names match (arguments go to ctest)
#
# Environment: VIK_BUILD_DIR (default ./build), VIK_JOBS (parallel tests, default 2 x cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib/common.sh

vik_install_packages "${VIK_BUILD_PACKAGES[@]}" "${VIK_TEST_PACKAGES[@]}"

# The module arrows of docs/architecture.md and the house format, before anything is built.
tests/check_layering.sh
tests/check_format.sh

BUILD=${VIK_BUILD_DIR:-$PWD/build}
vik_log "building in $BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
# The sanitizer build of the surface fuzz targets (clang, ASan+UBSan; tests/fuzz/run.sh), built and
# its kept regression inputs replayed here, before any suite runs, so that the timing-sensitive
# suites never share the cores with a compiler.
vik_log "building the fuzz targets in $BUILD/fuzz-asan"
VIK_FUZZ_BUILD_DIR="$BUILD/fuzz-asan" VIK_FUZZ_JOBS="$(nproc)" tests/fuzz/run.sh 0 http messages

PGTMP=$(mktemp -d /tmp/vik-test-pg.XXXXXX)
chmod 755 "$PGTMP"
cleanup() {
  vik_pg_stop "$PGTMP/data"
  rm -rf "$PGTMP"
}
trap cleanup EXIT
PORT=$(vik_free_port)
vik_log "starting a throwaway PostgreSQL on 127.0.0.1:$PORT"
vik_pg_init "$PGTMP/data"
vik_pg_start "$PGTMP/data" "$PORT" "$PGTMP" "-c fsync=off -c synchronous_commit=off -c max_connections=300"
export VIK_TEST_PG="host=127.0.0.1 port=$PORT user=postgres"

# Every Catch2 test case must be its own ctest test: a ';' or '[' in a test name silently merges the
# following cases into one name that matches nothing (and so runs nothing).
for suite in unit integration e2e; do
  listed=$("$BUILD/tests/vik_${suite}_tests" --list-test-names-only | grep -c . || true)
  registered=$(ctest --test-dir "$BUILD" -N | grep -c "Test *#[0-9]*: ${suite}:" || true)
  if [ "$listed" != "$registered" ]; then
    echo "tests/$suite: $listed Catch2 test cases but $registered ctest tests; is there a ';' or '[' in a test name?" >&2
    exit 1
  fi
done

vik_log "running tests"
ctest --test-dir "$BUILD" --output-on-failure -j"${VIK_JOBS:-$(( $(nproc) * 2 ))}" --timeout 300 "$@"
