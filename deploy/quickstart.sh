#!/usr/bin/env bash
# Builds vikd (Release) and runs it in the foreground against a private PostgreSQL cluster under
# ./var/, creating what is missing (packages, build, cluster, database, schema). Running it again
# reuses what exists. Ctrl-C stops vikd and the cluster cleanly.
#
# Environment: VIK_HTTP (default 127.0.0.1:8080), VIK_GRPC (default 127.0.0.1:9090),
#              VIK_PG_PORT (default 55432), VIK_BUILD_DIR (default ./build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source deploy/lib/common.sh

HTTP=${VIK_HTTP:-127.0.0.1:8080}
GRPC=${VIK_GRPC:-127.0.0.1:9090}
PG_PORT=${VIK_PG_PORT:-55432}
BUILD=${VIK_BUILD_DIR:-$ROOT/build-release}

vik_install_packages "${VIK_BUILD_PACKAGES[@]}"

vik_log "building vikd (Release) in $BUILD"
# Warnings are errors in the test build (tests/run.sh); -O3 adds false positives from the standard
# library (GCC 12 -Wrestrict), which must not stop an operator from running the hub.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIK_BUILD_TESTS=OFF -DVIK_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target vikd
VIKD=$BUILD/server/vikd

# The cluster lives in ./var/pg. PostgreSQL runs as the postgres user, which must be able to reach
# that directory; when the checkout sits somewhere it cannot enter (e.g. under /root), the cluster
# lives in /var/lib/vik-quickstart and ./var/pg links to it.
mkdir -p var
PGDATA_DIR=$ROOT/var/pg
if [ "$(id -u)" -eq 0 ] && [ ! -e var/pg ] && ! runuser -u postgres -- test -x "$ROOT/var"; then
  target=/var/lib/vik-quickstart/$(echo "$ROOT" | md5sum | cut -c1-12)
  mkdir -p "$target"
  ln -s "$target" var/pg
  vik_log "postgres cannot enter $ROOT; the cluster lives in $target (linked from var/pg)"
fi
mkdir -p var/pg
PGDATA_DIR=$(readlink -f var/pg)
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA_DIR"

if [ ! -f "$PGDATA_DIR/data/PG_VERSION" ]; then
  vik_log "creating a private PostgreSQL cluster in var/pg"
fi
vik_pg_init "$PGDATA_DIR/data"
if vik_port_busy "$PG_PORT" && ! vik_as_pg "$(vik_pg_bin)/pg_ctl" -D "$PGDATA_DIR/data" status >/dev/null 2>&1; then
  echo "port $PG_PORT is taken by another program; set VIK_PG_PORT" >&2
  exit 1
fi
vik_pg_start "$PGDATA_DIR/data" "$PG_PORT" "$PGDATA_DIR/run"
stop_pg() { vik_log "stopping PostgreSQL"; vik_pg_stop "$PGDATA_DIR/data"; }
trap stop_pg EXIT

DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=vik"
if ! psql "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'vik'" | grep -q 1; then
  vik_log "creating database vik"
  psql "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" -qc "CREATE DATABASE vik" >/dev/null
fi

vik_log "migrating"
"$VIKD" migrate --config deploy/vikd.conf.example --db "$DSN" --log-level warn
vik_log "loading the region's reference data (deploy/reference/vr21)"
"$VIKD" reference load deploy/reference/vr21 --db "$DSN" --log-level warn >/dev/null

# Sample partners, sources and a token, once (the token secret is kept in var/quickstart.token).
if [ ! -s var/quickstart.token ]; then
  vik_log "registering sample partners, sources and a token"
  "$VIKD" partner add quickstart --db "$DSN" >/dev/null
  for src in knmi-waarschuwingen brandweer-vr21 waterschap-aa-en-maas politie-oost-brabant ghor-brabant-noord; do
    "$VIKD" source add "$src" --partner quickstart --interval 1h --db "$DSN" >/dev/null
  done
  ( umask 077; "$VIKD" token issue --partner quickstart --scopes ingest,read --db "$DSN" 2>/dev/null > var/quickstart.token )
fi
TOKEN=$(cat var/quickstart.token)
# The sample signals, stamped with the time of the first run (re-sending them yields DUPLICATE).
if [ ! -s var/sample-signals.json ]; then
  sed -e "s/@NOW@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/g" \
      -e "s/@IN_6H@/$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)/g" \
      -e "s/@IN_30H@/$(date -u -d '+30 hours' +%Y-%m-%dT%H:%M:%SZ)/g" \
      -e "s/@IN_72H@/$(date -u -d '+72 hours' +%Y-%m-%dT%H:%M:%SZ)/g" \
      deploy/sample/signals.json.in > var/sample-signals.json
fi
if [ ! -s var/sample-alert.cap.xml ]; then
  sed -e "s/@STAMP@/$(date -u +%Y%m%d%H%M%S)/g" \
      -e "s/@NOW_CAP@/$(date -u +%Y-%m-%dT%H:%M:%S+00:00)/g" \
      -e "s/@IN_6H_CAP@/$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%S+00:00)/g" \
      -e "s/@IN_30H_CAP@/$(date -u -d '+30 hours' +%Y-%m-%dT%H:%M:%S+00:00)/g" \
      deploy/sample/knmi-storm.cap.xml.in > var/sample-alert.cap.xml
fi

cat <<EOT

  vikd is starting. Press Ctrl-C to stop it and the database.

    health     http://$HTTP/healthz
    readiness  http://$HTTP/readyz
    metrics    http://$HTTP/metrics
    ingest     curl -H "Authorization: Bearer \$(cat var/quickstart.token)" \\
                    -H "Content-Type: application/json" -d @var/sample-signals.json http://$HTTP/v1/signals
    CAP in     curl -H "Authorization: Bearer \$(cat var/quickstart.token)" \\
                    -H "Content-Type: application/cap+xml" --data-binary @var/sample-alert.cap.xml http://$HTTP/v1/cap
    CAP out    curl -H "Authorization: Bearer \$(cat var/quickstart.token)" http://$HTTP/cap/alerts.atom
    picture    curl -H "Authorization: Bearer \$(cat var/quickstart.token)" http://$HTTP/v1/status
               curl -H "Authorization: Bearer \$(cat var/quickstart.token)" http://$HTTP/v1/risks
    gRPC       $GRPC   (vik.v1.IngestService, vik.v1.ExchangeService, grpc.health.v1.Health; reflection with --set grpc.reflection=true)
    database   $DSN
    logs       below

EOT
"$VIKD" serve --config deploy/vikd.conf.example --db "$DSN" --http "$HTTP" --grpc "$GRPC" \
  --node-id "quickstart-$(hostname | tr -c 'A-Za-z0-9._\n-' '-')" &
VIKD_PID=$!
forward() { kill -TERM "$VIKD_PID" 2>/dev/null || true; }
trap forward INT TERM
# Load the sample signals once vikd is ready and has loaded the token.
(
  for _ in $(seq 1 100); do
    code=$(curl -s -o /tmp/vik-quickstart-$$.json -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      -H "Content-Type: application/json" --data @var/sample-signals.json "http://$HTTP/v1/signals" || true)
    if [ "$code" = "200" ]; then
      vik_log "sample signals loaded: $(grep -o 'RECEIPT_OUTCOME_[A-Z]*' /tmp/vik-quickstart-$$.json | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
      code=$(curl -s -o /tmp/vik-quickstart-$$.json -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H "Content-Type: application/cap+xml" --data-binary @var/sample-alert.cap.xml "http://$HTTP/v1/cap" || true)
      vik_log "sample CAP alert: HTTP $code $(grep -o '"outcome":"RECEIPT_OUTCOME_[A-Z]*"' /tmp/vik-quickstart-$$.json | head -1)"
      sleep 2  # one picture round
      curl -s -o /tmp/vik-quickstart-$$.json -H "Authorization: Bearer $TOKEN" "http://$HTTP/v1/status?limit=5" || true
      vik_log "risk picture: $(grep -o '"risksInPicture":[0-9]*' /tmp/vik-quickstart-$$.json) top risks: $(grep -o '"id":"[^"]*@[^"]*"' /tmp/vik-quickstart-$$.json | cut -d'"' -f4 | head -5 | tr '\n' ' ')"
      rm -f /tmp/vik-quickstart-$$.json
      exit 0
    fi
    sleep 0.3
  done
  vik_log "could not load the sample signals (last HTTP status $code)"
) &
set +e
wait "$VIKD_PID"; rc=$?
# A signal interrupts the first wait; wait again for vikd's clean exit.
if kill -0 "$VIKD_PID" 2>/dev/null; then wait "$VIKD_PID"; rc=$?; fi
set -e
trap stop_pg EXIT
exit "$rc"
