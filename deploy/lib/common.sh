# Shared by deploy/quickstart.sh and tests/run.sh: Debian packages and a private PostgreSQL.
# Source it; it defines functions only.

VIK_BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config git libboost-dev libpqxx-dev libpq-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc prometheus-cpp-dev libspdlog-dev
  nlohmann-json3-dev libssl-dev libsystemd-dev libpugixml-dev postgresql-15 postgresql-client-15 curl
  ca-certificates)
VIK_TEST_PACKAGES=(catch2 prometheus clang-14 libclang-rt-14-dev clang-format-14)

vik_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the packages that are missing (apt-get, as root). Without root, only reports them.
vik_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages (run as root to install them): ${missing[*]}" >&2
    return 1
  fi
  vik_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The postgresql package would start a system-wide cluster; vik runs its own, so block service starts.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  return 0
}

vik_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  echo "PostgreSQL server binaries not found (install postgresql-15)" >&2
  return 1
}

# Runs a command as the owner of PostgreSQL's files: the postgres user when we are root.
vik_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when something listens on 127.0.0.1:$1.
vik_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

vik_free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 20000) + 30000 ))
    vik_port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}

# vik_pg_init DATADIR: initdb (trust auth, loopback only) unless DATADIR already holds a cluster.
vik_pg_init() {
  local data=$1 bin
  bin=$(vik_pg_bin) || return 1
  [ -f "$data/PG_VERSION" ] && return 0
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
  chmod 700 "$data"
  vik_as_pg "$bin/initdb" -D "$data" -A trust -U postgres --no-sync >/dev/null
}

# vik_pg_start DATADIR PORT SOCKETDIR [extra -c settings]: starts the cluster unless it runs.
vik_pg_start() {
  local data=$1 port=$2 sock=$3 extra=${4:-} bin
  bin=$(vik_pg_bin) || return 1
  mkdir -p "$sock"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$sock"
  if vik_as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    return 0
  fi
  vik_as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 $extra" start >/dev/null
}

vik_pg_stop() {
  local data=$1 bin
  bin=$(vik_pg_bin) || return 1
  vik_as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}
