#!/usr/bin/env bash
# Checks the deployment files under deploy/ with the tools that consume them: systemd-analyze and
# systemd-sysusers, haproxy -c, patroni --validate-config, promtool (config, rules, rule unit tests),
# plus consistency checks of the Patroni/etcd files and of the Grafana dashboard (valid JSON, valid
# PromQL, every metric name declared in server/). Prints one line per check; exits 1 if any fails.
# Installs haproxy, patroni, prometheus and postgresql-15 when run as root and they are missing.
# Runs from any directory; writes only to a temporary directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEPLOY=$ROOT/deploy
PY=/usr/bin/python3   # Debian's python3, which has python3-yaml (a dependency of patroni)
# shellcheck source=deploy/lib/common.sh
source "$ROOT/deploy/lib/common.sh"

if ! vik_install_packages haproxy patroni prometheus postgresql-15 systemd python3-yaml; then
  echo "FAIL packages: cannot install the checkers (run as root)"
  exit 1
fi

TMP=$(mktemp -d /tmp/vik-deploy-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0

# check NAME COMMAND...: runs COMMAND; "ok" if it exits 0, else "FAIL" and its output, indented.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "ok   $name"
  else
    echo "FAIL $name"
    printf '%s\n' "$out" | sed 's/^/       /'
    failures=$((failures + 1))
  fi
}

# Fails when COMMAND fails or prints anything (tools that only warn about unknown keys).
silent() {
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out"; return 1; }
  [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# --- systemd ---------------------------------------------------------------------------------

# A copy of the unit with the binary replaced by a stub, so that verify checks everything else
# (unknown keys and sections, bad values, missing executables).
unit_copy() {
  mkdir -p "$TMP/systemd"
  printf '#!/bin/sh\nexit 0\n' > "$TMP/systemd/vikd"
  chmod +x "$TMP/systemd/vikd"
  sed "s#/usr/bin/vikd#$TMP/systemd/vikd#g" "$DEPLOY/systemd/vikd@.service" > "$TMP/systemd/vikd@check.service"
}

systemd_verify() {
  unit_copy
  grep -q "$TMP/systemd/vikd serve --config /etc/vikd/%i.conf" "$TMP/systemd/vikd@check.service" ||
    { echo "ExecStart is not /usr/bin/vikd serve --config /etc/vikd/%i.conf"; return 1; }
  silent systemd-analyze verify --man=no "$TMP/systemd/vikd@check.service"
}

systemd_settings() {
  local unit=$DEPLOY/systemd/vikd@.service want absent=0
  for want in Type=notify NotifyAccess=main User=vikd DynamicUser=no WatchdogSec=10s Restart=on-failure \
              RestartSec=2s TimeoutStopSec=30s KillSignal=SIGTERM 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
              UMask=0077 LimitNOFILE=65536 ProtectSystem=strict SystemCallFilter=@system-service; do
    grep -qx -- "$want" "$unit" || { echo "missing line: $want"; absent=1; }
  done
  return "$absent"
}

# Exposure score of systemd-analyze security (0 = locked down, 10 = none); 1.6 when written.
systemd_security() {
  unit_copy
  systemd-analyze security --offline=yes --threshold=20 "$TMP/systemd/vikd@check.service" >"$TMP/security.txt" 2>&1 ||
    { grep -E 'Overall exposure|✗' "$TMP/security.txt"; return 1; }
}

sysusers_creates_vikd() {
  local root=$TMP/sysroot
  mkdir -p "$root/etc" "$root/usr/lib/sysusers.d"
  cp "$DEPLOY/systemd/vikd.sysusers.conf" "$root/usr/lib/sysusers.d/vikd.conf"
  systemd-sysusers --root="$root" >"$TMP/sysusers.txt" 2>&1 || { cat "$TMP/sysusers.txt"; return 1; }
  grep -v -E "^Creating (user|group) 'vikd'" "$TMP/sysusers.txt" && return 1
  grep -q '^vikd:x:[0-9]*:[0-9]*:[^:]*:/nonexistent:/usr/sbin/nologin$' "$root/etc/passwd" ||
    { echo "no system user vikd with /usr/sbin/nologin in:"; cat "$root/etc/passwd"; return 1; }
}

check "systemd: systemd-analyze verify vikd@.service" systemd_verify
check "systemd: vikd@.service has the required settings" systemd_settings
check "systemd: systemd-analyze security exposure <= 2.0" systemd_security
check "systemd: systemd-sysusers creates user vikd" sysusers_creates_vikd

# --- HAProxy ---------------------------------------------------------------------------------

# -dW: warnings are errors.
check "haproxy: haproxy -c haproxy.cfg" haproxy -dW -c -f "$DEPLOY/haproxy/haproxy.cfg"

# --- Patroni and etcd ------------------------------------------------------------------------

# patroni --validate-config also probes the host it runs on: etcd must answer, listen ports must be
# free, data_dir must be empty or a cluster. It validates copies in which those values point here
# (a listening socket for etcd, free ports, an empty data_dir); everything else is as written.
patroni_validate() {
  "$PY" - "$DEPLOY/patroni" "$TMP" <<'EOF'
import os, shutil, socket, subprocess, sys, yaml

src, tmp = sys.argv[1], sys.argv[2]
etcd = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
etcd.bind(("127.0.0.1", 0))
etcd.listen(64)

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

failed = False
for node in ("pg1", "pg2", "pg3"):
    with open(os.path.join(src, node + ".yml")) as f:
        conf = yaml.safe_load(f)
    conf["etcd3"]["hosts"] = ["127.0.0.1:%d" % etcd.getsockname()[1] for _ in conf["etcd3"]["hosts"]]
    for section in ("restapi", "postgresql"):
        host = conf[section]["listen"].rsplit(":", 1)[0]
        conf[section]["listen"] = "%s:%d" % (host, free_port())
    data_dir = os.path.join(tmp, "patroni-" + node + "-data")
    os.makedirs(data_dir)
    conf["postgresql"]["data_dir"] = data_dir
    path = os.path.join(tmp, "patroni-" + node + ".yml")
    with open(path, "w") as f:
        yaml.safe_dump(conf, f)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    r = subprocess.run(["patroni", "--validate-config", path], env=env, capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0 or out:
        print("%s.yml: patroni --validate-config exited %d: %s" % (node, r.returncode, out))
        failed = True
sys.exit(1 if failed else 0)
EOF
}

# What patroni's validator does not look at: the three nodes agree, synchronous replication is on,
# and the etcd members form the cluster Patroni is pointed at.
patroni_consistent() {
  "$PY" - "$DEPLOY/patroni" <<'EOF'
import os, sys, yaml

src = sys.argv[1]
nodes = ("pg1", "pg2", "pg3")
errors = []
def need(cond, msg):
    if not cond:
        errors.append(msg)

pat = {n: yaml.safe_load(open(os.path.join(src, n + ".yml"))) for n in nodes}
etc = {n: yaml.safe_load(open(os.path.join(src, "etcd", n + ".conf.yml"))) for n in nodes}

for n, c in pat.items():
    need(c.get("name") == n, "%s.yml: name is %r, expected %r" % (n, c.get("name"), n))
    need(c["restapi"]["connect_address"].split(":")[0] == n, "%s.yml: restapi.connect_address is not %s:PORT" % (n, n))
    need(c["postgresql"]["connect_address"].split(":")[0] == n, "%s.yml: postgresql.connect_address is not %s:PORT" % (n, n))
    need("/15/" in c["postgresql"]["bin_dir"] and "/15/" in c["postgresql"]["data_dir"], "%s.yml: not PostgreSQL 15 paths" % n)
    for key in ("scope", "namespace", "etcd3", "bootstrap", "watchdog", "tags"):
        need(c.get(key) == pat["pg1"].get(key), "%s.yml: %s differs from pg1.yml" % (n, key))
    rest = {k: v for k, v in c["postgresql"].items() if k not in ("connect_address",)}
    rest1 = {k: v for k, v in pat["pg1"]["postgresql"].items() if k not in ("connect_address",)}
    need(rest == rest1, "%s.yml: postgresql differs from pg1.yml beyond connect_address" % n)

dcs = pat["pg1"]["bootstrap"]["dcs"]
need(dcs.get("synchronous_mode") is True, "bootstrap.dcs.synchronous_mode is not true")
need(isinstance(dcs.get("synchronous_mode_strict"), bool), "bootstrap.dcs.synchronous_mode_strict is not set")
need(dcs.get("postgresql", {}).get("parameters", {}).get("synchronous_commit") in ("on", "remote_apply"),
     "bootstrap.dcs.postgresql.parameters.synchronous_commit is not on or remote_apply")

# etcd 3.4 ignores unknown keys in its config file: catch typos here.
known = {
    "name", "data-dir", "wal-dir", "snapshot-count", "max-snapshots", "max-wals", "heartbeat-interval",
    "election-timeout", "initial-election-tick-advance", "listen-peer-urls", "listen-client-urls",
    "listen-metrics-urls", "initial-advertise-peer-urls", "advertise-client-urls", "initial-cluster",
    "initial-cluster-token", "initial-cluster-state", "strict-reconfig-check", "enable-v2",
    "enable-grpc-gateway", "quota-backend-bytes", "backend-batch-limit", "backend-batch-interval",
    "max-txn-ops", "max-request-bytes", "grpc-keepalive-min-time", "grpc-keepalive-interval",
    "grpc-keepalive-timeout", "auto-compaction-mode", "auto-compaction-retention", "pre-vote",
    "client-transport-security", "peer-transport-security", "cipher-suites", "cors", "host-whitelist",
    "auth-token", "bcrypt-cost", "logger", "log-level", "log-outputs", "enable-pprof", "metrics",
    "force-new-cluster", "discovery", "discovery-srv", "discovery-srv-name", "discovery-proxy",
    "discovery-fallback",
}
members = set()
for n, e in etc.items():
    unknown = set(e) - known
    need(not unknown, "etcd/%s.conf.yml: unknown keys %s" % (n, sorted(unknown)))
    need(e.get("name") == n, "etcd/%s.conf.yml: name is %r" % (n, e.get("name")))
    need(e.get("initial-cluster") == etc["pg1"].get("initial-cluster"), "etcd/%s.conf.yml: initial-cluster differs from pg1" % n)
    need(e.get("initial-cluster-token") == etc["pg1"].get("initial-cluster-token"), "etcd/%s.conf.yml: initial-cluster-token differs" % n)
    need(e.get("initial-cluster-state") == "new", "etcd/%s.conf.yml: initial-cluster-state is not new" % n)
    # Off by default when etcd reads a config file; Patroni's etcd3 client needs it.
    need(e.get("enable-grpc-gateway") is True, "etcd/%s.conf.yml: enable-grpc-gateway is not true" % n)
    members.add("%s=%s" % (n, e.get("initial-advertise-peer-urls")))
    client = e.get("advertise-client-urls", "").split("://", 1)[-1]
    need(client in pat["pg1"]["etcd3"]["hosts"], "etcd/%s.conf.yml: %s is not among Patroni's etcd3.hosts" % (n, client))
need(set(etc["pg1"].get("initial-cluster", "").split(",")) == members,
     "etcd initial-cluster %r does not list the three members' advertised peer URLs %s" % (etc["pg1"].get("initial-cluster"), sorted(members)))
need(len(pat["pg1"]["etcd3"]["hosts"]) == 3, "etcd3.hosts does not list three members")

print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
}

check "patroni: patroni --validate-config pg1.yml pg2.yml pg3.yml" patroni_validate
check "patroni: nodes agree, synchronous replication, etcd members match" patroni_consistent

# --- Prometheus ------------------------------------------------------------------------------

check "prometheus: promtool check config prometheus.yml" promtool check config "$DEPLOY/prometheus/prometheus.yml"
check "prometheus: promtool check rules alerts.yml" promtool check rules "$DEPLOY/prometheus/alerts.yml"
# promtool resolves rule_files relative to the working directory.
prometheus_unit_tests() { (cd "$DEPLOY/prometheus" && promtool test rules alerts_test.yml); }
check "prometheus: promtool test rules alerts_test.yml" prometheus_unit_tests

# --- Metric names and the dashboard ----------------------------------------------------------

# The PromQL of the dashboard and the alerts, one expression per line (Grafana's variables filled).
# Mode "alerts" or "dashboard".
expressions() {
  "$PY" - "$1" "$DEPLOY" <<'EOF'
import json, sys, yaml
mode, deploy = sys.argv[1], sys.argv[2]
exprs = []
if mode == "alerts":
    for g in yaml.safe_load(open(deploy + "/prometheus/alerts.yml"))["groups"]:
        exprs += [r["expr"] for r in g["rules"]]
else:
    d = json.load(open(deploy + "/grafana/vik-dashboard.json"))
    for p in d["panels"]:
        exprs += [t["expr"] for t in p.get("targets", [])]
    for v in d["templating"]["list"]:
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            exprs.append(q.replace("label_values(", "group by (instance) (").replace(", instance)", ")"))
for e in exprs:
    e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$instance", ".*")
    print(" ".join(e.split()))
EOF
}

# Metric names used by the expressions of MODE that server/ does not declare. Prometheus' own `up`,
# HAProxy's exporter and metrics still to come (listed below) are allowed; the latter are reported.
metric_names_exist() {
  local mode=$1
  expressions "$mode" > "$TMP/$mode.promql"
  "$PY" - "$TMP/$mode.promql" "$ROOT/server" <<'EOF'
import os, re, sys
exprs = open(sys.argv[1]).read().splitlines()
declared = set()
for d, _, files in os.walk(sys.argv[2]):
    for f in files:
        if f.endswith((".cc", ".h")):
            text = open(os.path.join(d, f)).read()
            declared |= set(re.findall(r'(?:\.Name\(|Family\(|metrics::(?:Counter|Gauge|Histogram)(?:Family)?\(\s*\w+,)\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"', text))
external = {"up", "haproxy_backend_active_servers"}
# Arrive with the risk-picture issue (deploy/prometheus/alerts.yml, VikSourceSilent).
pending = {"vik_ingest_last_signal_timestamp_seconds", "vik_ingest_source_expected_interval_seconds"}
keywords = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "offset", "inf", "nan"}
used = set()
for e in exprs:
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', e)
    e = re.sub(r"\{[^}]*\}", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", e):
        if m.group(2) is None and m.group(1) not in keywords:
            used.add(m.group(1))
unknown, waiting = [], []
for name in sorted(used):
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    if name in declared or base in declared or name in external:
        continue
    (waiting if name in pending else unknown).append(name)
if unknown:
    print("not declared in server/ (.Name(\"...\"), Family(\"...\") or metrics::X(r, \"...\")): " + ", ".join(unknown))
    sys.exit(1)
if not used:
    print("no metric names found")
    sys.exit(1)
if waiting:
    print("pending (not in server/ yet): " + ", ".join(waiting))
EOF
}

# Every expression parses: promtool checks them as recording rules.
promql_parses() {
  local mode=$1 i=0 e
  expressions "$mode" > "$TMP/$mode.promql"
  {
    echo "groups:"
    echo "  - name: $mode"
    echo "    rules:"
    while IFS= read -r e; do
      i=$((i + 1))
      printf '      - record: %s:expr_%d\n        expr: %s\n' "$mode" "$i" "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$e")"
    done < "$TMP/$mode.promql"
  } > "$TMP/$mode-rules.yml"
  promtool check rules "$TMP/$mode-rules.yml" >/dev/null
}

dashboard_structure() {
  "$PY" - "$DEPLOY/grafana/vik-dashboard.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
errors = []
if d.get("schemaVersion", 0) < 36:
    errors.append("schemaVersion %s < 36" % d.get("schemaVersion"))
variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
ds = variables.get("datasource")
if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
    errors.append("no datasource variable of type prometheus named `datasource`")
ids = [p["id"] for p in d["panels"]]
if len(ids) != len(set(ids)):
    errors.append("panel ids are not unique")
want = {"Ready instances", "Leader", "Lease epoch", "Signals by outcome", "Rejections by reason", "Ack latency",
        "Batch size", "Commit latency", "Write queue", "Connection pool", "HTTP requests", "HTTP p99 latency",
        "gRPC calls", "gRPC p99 latency", "Resident memory", "CPU", "File descriptors"}
missing = want - {p["title"] for p in d["panels"]}
if missing:
    errors.append("missing panels: %s" % sorted(missing))
for p in d["panels"]:
    if p["type"] == "row":
        continue
    if not p.get("targets"):
        errors.append("panel %r has no query" % p["title"])
    for t in p.get("targets", []) + [p]:
        if t.get("datasource", {}).get("uid") != "${datasource}":
            errors.append("panel %r does not use the datasource variable" % p["title"])
print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
}

check "grafana: vik-dashboard.json is valid JSON" "$PY" -m json.tool "$DEPLOY/grafana/vik-dashboard.json" /dev/null
check "grafana: schema 36+, datasource variable, panels" dashboard_structure
check "grafana: every expression is valid PromQL" promql_parses dashboard
check "grafana: every metric name is declared in server/" metric_names_exist dashboard
check "prometheus: every metric name in alerts.yml is declared in server/" metric_names_exist alerts

# The quickstart's node id keeps the host name: its `tr` set is valid (no reversed range such as
# "_-\n") and maps only other characters to '-'.
quickstart_node_id() {
  local cmd id
  cmd=$(grep -o "tr -c '[^']*' '-'" "$DEPLOY/quickstart.sh")
  [ -n "$cmd" ] || { echo "no node-id tr command in quickstart.sh"; return 1; }
  id=$(printf 'vik-host.example_1 x\n' | eval "$cmd" 2>&1)
  [ "$id" = "vik-host.example_1-x" ] || { echo "node id from \"vik-host.example_1 x\": \"$id\""; return 1; }
}
check "quickstart: the node id keeps the host name" quickstart_node_id

# Report pending metric names (allowed, but worth seeing until they land).
for mode in dashboard alerts; do
  pending=$(metric_names_exist "$mode" 2>/dev/null | grep '^pending' || true)
  [ -z "$pending" ] || echo "note $mode: $pending"
done

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all deploy checks passed"
