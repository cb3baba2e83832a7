#!/usr/bin/env bash
# Builds the CAP libFuzzer target (clang++-14, ASan + UBSan) and runs it for N seconds (default 60)
# over a corpus seeded from tests/data/cap. Exits non-zero on any crash, leak, timeout or OOM; the
# reproducer is left in $VIK_BUILD_DIR/artifacts/.
#
#   tests/fuzz/run.sh [seconds]         VIK_BUILD_DIR defaults to ./build/fuzz
#
# Only the CAP sources and the few core/domain files they use are compiled (none needs spdlog);
# OpenSSL's libcrypto for the SHA-256 of odd identifiers. pugixml is Debian's gcc-built libpugixml.a, linked uninstrumented: ASan still sees our
# reads of the strings it returns, but not bugs inside pugixml itself.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${VIK_BUILD_DIR:-$root/build/fuzz}
cxx=${VIK_FUZZ_CXX:-clang++-14}
pugixml=/usr/lib/x86_64-linux-gnu/libpugixml.a
[[ -f $pugixml ]] || pugixml=-lpugixml

mkdir -p "$build/artifacts"
sources=(
  "$root/server/cap/alert.cc"
  "$root/server/cap/feed.cc"
  "$root/server/cap/mapping.cc"
  "$root/server/cap/writer.cc"
  "$root/server/cap/parser.cc"
  "$root/server/cap/validator.cc"
  "$root/server/cap/values.cc"
  "$root/server/cap/xml_prescan.cc"
  "$root/server/core/status.cc"
  "$root/server/core/time_format.cc"
  "$root/server/core/utf8.cc"
  "$root/server/domain/geometry.cc"
  "$root/server/domain/reference_data.cc"
  "$root/server/domain/signal.cc"
  "$root/tests/fuzz/cap_fuzz.cc"
)
echo "fuzz: building $build/cap_fuzz with $cxx"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Wpedantic -Wshadow -Werror -I"$root/server" \
  "${sources[@]}" "$pugixml" -lcrypto -o "$build/cap_fuzz"

corpus=$(mktemp -d "${TMPDIR:-/tmp}/vik-cap-fuzz.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
for dir in valid invalid other-versions edxlde; do
  cp "$root"/tests/data/cap/$dir/*.xml "$corpus"/
done
cp "$root"/tests/data/cap/feeds/valid/*.xml "$root"/tests/data/cap/feeds/invalid/*.xml "$corpus"/

echo "fuzz: running for ${seconds}s over $(ls "$corpus" | wc -l) seeds"
"$build/cap_fuzz" "$corpus" -dict="$root/tests/fuzz/cap.dict" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -timeout=5 -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/"
