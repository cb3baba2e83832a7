#!/usr/bin/env bash
# Runs the fuzz targets and the soak for N seconds each (default 60). Exits non-zero on any crash,
# leak, timeout, OOM or finding; a fuzz target's reproducer is left in $build/artifacts/<target>/.
#
#   tests/fuzz/run.sh [seconds] [target...]     targets: cap http messages soak (default: cap)
#
# Functions return their failures explicitly: they run where `set -e` does not apply.
# Before fuzzing, every input kept in tests/fuzz/regressions/<target>/ is replayed (seconds 0:
# replay only). Seeds come from tests/fuzz/seeds/<target>/ (and tests/data/cap for cap).
#
# cap       the CAP parser and validator: only the CAP sources and the few core/domain files they
#           use, compiled in one clang++ call (VIK_BUILD_DIR, default ./build/fuzz). pugixml is
#           Debian's gcc-built libpugixml.a, linked uninstrumented: ASan still sees our reads of the
#           strings it returns, but not bugs inside pugixml itself.
# http      raw connection bytes through the in-process HTTP server, router and every route
# messages  JSON/XML bodies of the write routes; every gRPC request message (mapping + RPC)
#           Both from a CMake build with -DVIK_FUZZ=ON and clang (VIK_FUZZ_BUILD_DIR, default
#           ./build/fuzz-asan), configured here when missing; it builds only the server
#           libraries the targets link.
# soak      tests/fuzz/surface_soak from the regular build (VIK_TEST_BUILD_DIR, default ./build;
#           built there first), against a real vikd and the PostgreSQL of VIK_TEST_PG.
set -euo pipefail

seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(cap)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cxx=${VIK_FUZZ_CXX:-clang++-14}
# ccache's direct mode trusts include paths recorded in its manifests; with several checkouts
# (worktrees) sharing one cache under CCACHE_BASEDIR it can return an object compiled against
# another checkout's headers (seen: a stale Store::Impl layout). The preprocessor mode hashes what
# is actually compiled.
export CCACHE_NODIRECT=1

replay() {  # replay BINARY TARGET: every kept regression input must pass
  local dir=$root/tests/fuzz/regressions/$2
  if compgen -G "$dir/*" > /dev/null; then
    echo "fuzz: replaying $(ls "$dir" | wc -l) regression inputs of $2"
    "$1" -runs=1 -rss_limit_mb=4096 -timeout=20 "$dir"/*
  fi
}

run_cap() {
  local build=${VIK_BUILD_DIR:-$root/build/fuzz}
  local pugixml=/usr/lib/x86_64-linux-gnu/libpugixml.a
  [[ -f $pugixml ]] || pugixml=-lpugixml
  mkdir -p "$build/artifacts"
  local sources=(
    "$root/server/cap/alert.cc" "$root/server/cap/feed.cc" "$root/server/cap/mapping.cc"
    "$root/server/cap/writer.cc" "$root/server/cap/parser.cc" "$root/server/cap/validator.cc"
    "$root/server/cap/values.cc" "$root/server/cap/xml_prescan.cc" "$root/server/core/status.cc"
    "$root/server/core/time_format.cc" "$root/server/core/utf8.cc" "$root/server/domain/geometry.cc"
    "$root/server/domain/reference_data.cc" "$root/server/domain/signal.cc" "$root/tests/fuzz/cap_fuzz.cc"
  )
  echo "fuzz: building $build/cap_fuzz with $cxx"
  "$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Wpedantic -Wshadow -Werror -I"$root/server" \
    "${sources[@]}" "$pugixml" -lcrypto -o "$build/cap_fuzz" || return 1
  replay "$build/cap_fuzz" cap || return 1
  [[ $seconds -gt 0 ]] || return 0
  local corpus
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/vik-cap-fuzz.XXXXXX")
  for dir in valid invalid other-versions edxlde; do
    cp "$root"/tests/data/cap/$dir/*.xml "$corpus"/
  done
  cp "$root"/tests/data/cap/feeds/valid/*.xml "$root"/tests/data/cap/feeds/invalid/*.xml "$corpus"/
  echo "fuzz: running cap for ${seconds}s over $(ls "$corpus" | wc -l) seeds"
  local rc=0
  "$build/cap_fuzz" "$corpus" -dict="$root/tests/fuzz/cap.dict" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=5 -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/" || rc=$?
  rm -rf "$corpus"
  return $rc
}

run_surface() {  # run_surface TARGET
  local target=$1
  local build=${VIK_FUZZ_BUILD_DIR:-$root/build/fuzz-asan}
  if [[ ! -f $build/build.ninja ]]; then
    local launcher=()
    command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
      -DVIK_FUZZ=ON "${launcher[@]}" || return 1
  fi
  echo "fuzz: building $build/tests/fuzz/${target}_fuzz"
  nice cmake --build "$build" -j"${VIK_FUZZ_JOBS:-2}" --target "${target}_fuzz" || return 1
  local bin=$build/tests/fuzz/${target}_fuzz
  replay "$bin" "$target" || return 1
  [[ $seconds -gt 0 ]] || return 0
  local corpus
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/vik-$target-fuzz.XXXXXX")
  cp "$root"/tests/fuzz/seeds/"$target"/* "$corpus"/
  mkdir -p "$build/artifacts/$target"
  echo "fuzz: running $target for ${seconds}s over $(ls "$corpus" | wc -l) seeds"
  local rc=0
  # Leak checks are off: the in-process servers keep their threads and buffers until exit.
  "$bin" "$corpus" -dict="$root/tests/fuzz/http.dict" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=20 -max_len=65536 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target/" || rc=$?
  rm -rf "$corpus"
  return $rc
}

run_soak() {
  local build=${VIK_TEST_BUILD_DIR:-$root/build}
  nice cmake --build "$build" -j"${VIK_FUZZ_JOBS:-2}" --target surface_soak vikd || return 1
  VIK_SOAK_SECONDS=$seconds "$build/tests/surface_soak"
}

status=0
for target in "${targets[@]}"; do
  case $target in
    cap) run_cap || status=1 ;;
    http | messages) run_surface "$target" || status=1 ;;
    soak) run_soak || status=1 ;;
    *) echo "fuzz: unknown target \"$target\" (cap, http, messages, soak)" >&2; exit 2 ;;
  esac
done
exit $status
