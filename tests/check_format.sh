#!/usr/bin/env bash
# Every C++ file of server/ and tests/ is formatted as .clang-format says (clang-format 14, the
# Debian 12 package). Run by ./tests/run.sh before anything is built; prints the files that are
# not, and how to fix them.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
bad=()
while IFS= read -r file; do
  if ! "$CLANG_FORMAT" --dry-run -Werror "$file" >/dev/null 2>&1; then
    bad+=("$file")
  fi
done < <(git ls-files 'server/*.cc' 'server/*.h' 'tests/*.cc' 'tests/*.h')
if [ ${#bad[@]} -gt 0 ]; then
  echo "not formatted as .clang-format says (fix: $CLANG_FORMAT -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
