#!/usr/bin/env bash
# The layering rules of docs/architecture.md ("Module map"), checked on every ./tests/run.sh before
# anything is built: a file of server/<module>/ may include only the modules <module> depends on (the
# same arrows as server/CMakeLists.txt), and the I/O libraries only where they belong.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]="core"
  [domain]="core domain"
  [cap]="core domain cap"
  [metrics]="metrics"
  [store]="core domain metrics store"
  [auth]="core domain metrics store auth"
  [net]="core net"
  [ingest]="core domain metrics cap store auth net ingest"
  [cluster]="core domain metrics store cluster"
  [picture]="core domain metrics store picture"
  [wire]="core domain metrics cap store auth net ingest wire vik"
  [usecases]="core domain metrics cap store auth net ingest wire usecases vik"
  [subscriptions]="core domain metrics cap store auth net ingest wire subscriptions vik"
  [federation]="core domain metrics cap store auth net ingest wire usecases rpc federation vik"
  [rpc]="core domain metrics cap store auth net ingest wire usecases rpc vik grpc"
  [http]="core domain metrics cap store auth net ingest wire usecases cluster subscriptions http vik"
  [app]="core domain metrics cap store auth net ingest wire usecases cluster picture subscriptions federation rpc http app vik grpc"
)

status=0
for dir in server/*/; do
  module=$(basename "$dir")
  if [ -z "${allowed[$module]+set}" ]; then
    echo "layering: server/$module/ is not in tests/check_layering.sh (add it with its arrows)" >&2
    status=1
    continue
  fi
  while IFS=: read -r file included; do
    [ -n "$file" ] || continue
    target=${included%%/*}
    if ! [[ " ${allowed[$module]} " == *" $target "* ]]; then
      echo "layering: $file includes \"$included\": $module/ may not depend on $target/" >&2
      status=1
    fi
  done < <(grep -roE '^#include "[a-z_]+/[^"]+"' "$dir" | sed -E 's/:#include "/:/; s/"$//' || true)
done

check_library() {  # check_library <what> <include regex> <modules allowed to include it>
  local what=$1 pattern=$2 modules=$3 file module
  while read -r file; do
    [ -n "$file" ] || continue
    module=$(echo "$file" | cut -d/ -f2)
    if ! [[ " $modules " == *" $module "* ]]; then
      echo "layering: $file includes $what, allowed only in: $modules" >&2
      status=1
    fi
  done < <(grep -rlE "$pattern" server || true)
}
check_library "libpqxx/libpq" '#include *<(pqxx|libpq)' "store"
check_library "gRPC" '#include *<grpcpp|#include *"[^"]*\.grpc\.pb\.h"' "rpc federation app"
check_library "Boost.Beast" '#include *<boost/beast' "http net"
check_library "Boost.Asio" '#include *<boost/asio' "http net app rpc federation subscriptions ingest"
check_library "prometheus-cpp" '#include *<prometheus' "metrics store auth ingest cluster picture subscriptions federation rpc http app"
exit $status
