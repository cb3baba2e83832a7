#include "app/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/duration.h"
#include "domain/region.h"

namespace vik::app {
namespace {

using Setter = std::function<core::Status(Config&, const std::string&)>;
using Getter = std::function<std::string(const Config&)>;

struct Setting {
  const char* key;
  const char* flag;
  const char* help;
  Setter set;
  Getter get;
};

core::Status Bad(const std::string& key, const std::string& why) { return core::InvalidArgument(key + ": " + why); }

Setter UnsignedSetter(const char* key, std::function<void(Config&, std::uint64_t)> assign, std::uint64_t min,
                      std::uint64_t max) {
  return [key, assign, min, max](Config& c, const std::string& v) -> core::Status {
    if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
      return Bad(key, "expected a whole number, got \"" + v + "\"");
    }
    const std::uint64_t n = std::stoull(v);
    if (n < min || n > max) {
      return Bad(key, std::to_string(n) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
    }
    assign(c, n);
    return core::Status::Ok();
  };
}

Setter DurationSetter(const char* key, std::function<std::chrono::milliseconds&(Config&)> field,
                      std::chrono::milliseconds min) {
  return [key, field, min](Config& c, const std::string& v) -> core::Status {
    auto d = core::ParseDuration(v);
    if (!d.ok()) {
      return Bad(key, d.status().message());
    }
    if (*d < min) {
      return Bad(key, "must be at least " + core::FormatDuration(min));
    }
    field(c) = *d;
    return core::Status::Ok();
  };
}

bool ParseBool(const std::string& v, bool& out) {
  if (v == "true" || v == "yes" || v == "on" || v == "1") {
    out = true;
    return true;
  }
  if (v == "false" || v == "no" || v == "off" || v == "0") {
    out = false;
    return true;
  }
  return false;
}

// "HOST:PORT", "[v6]:PORT" or ":PORT" (all interfaces). With `ip_only`, HOST must be an IP address.
core::Status ParseHostPort(const std::string& key, const std::string& v, std::string& host, std::uint16_t& port,
                           bool ip_only = false) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos) {
    return Bad(key, "expected HOST:PORT, got \"" + v + "\"");
  }
  std::string h = v.substr(0, colon);
  const std::string p = v.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  if (h.empty()) {
    h = "0.0.0.0";
  }
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) > 65535) {
    return Bad(key, "expected a port 0..65535 in \"" + v + "\"");
  }
  if (ip_only) {
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(AF_INET, h.c_str(), buf) != 1 && inet_pton(AF_INET6, h.c_str(), buf) != 1) {
      return Bad(key, "expected an IP address as HOST (e.g. 127.0.0.1, 0.0.0.0 or [::1]), got \"" + h + "\"");
    }
  }
  host = h;
  port = static_cast<std::uint16_t>(std::stoul(p));
  return core::Status::Ok();
}

std::string HostPort(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const std::vector<Setting>& Settings() {
  using std::chrono::milliseconds;
  static const std::vector<Setting> kSettings = {
      {"region", "--region", "safety region code this node serves (VR01..VR25)",
       [](Config& c, const std::string& v) {
         if (!domain::IsRegionCode(v)) {
           return Bad("region", "\"" + v + "\" is not a safety region code VR01..VR25");
         }
         c.region = v;
         return core::Status::Ok();
       },
       [](const Config& c) { return c.region; }},
      {"role", "--role",
       "regional (serves one safety region) or national (mirrors the regions; no own picture or ingest)",
       [](Config& c, const std::string& v) {
         const auto role = domain::ParseNodeRole(v);
         if (!role) {
           return Bad("role", "expected regional or national, got \"" + v + "\"");
         }
         c.role = *role;
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(domain::NodeRoleName(c.role)); }},
      {"node_id", "--node-id", "this instance's unique id among instances sharing the database (default: host name)",
       [](Config& c, const std::string& v) {
         if (!domain::IsNodeId(v)) {
           return Bad("node_id", "\"" + v + "\" must be 1-64 characters of A-Z a-z 0-9 . _ -");
         }
         c.node_id = v;
         return core::Status::Ok();
       },
       [](const Config& c) { return c.node_id.empty() ? std::string("<host name>") : c.node_id; }},
      {"ports_file", "--ports-file", "after binding, write the chosen ports here as JSON {\"http\":N,\"grpc\":N}",
       [](Config& c, const std::string& v) {
         c.ports_file = v;
         return core::Status::Ok();
       },
       [](const Config& c) { return c.ports_file; }},
      {"log.level", "--log-level", "trace, debug, info, warn, error, critical or off",
       [](Config& c, const std::string& v) {
         if (!core::ParseLogLevel(v, c.log.level)) {
           return Bad("log.level", "expected trace, debug, info, warn, error, critical or off, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) {
         auto sv = spdlog::level::to_string_view(c.log.level);
         std::string s(sv.data(), sv.size());
         return s == "warning" ? std::string("warn") : s;
       }},
      {"log.format", "--log-format", "kv (key=value lines) or json (one JSON object per line)",
       [](Config& c, const std::string& v) {
         if (v == "kv") {
           c.log.format = core::LogFormat::kKeyValue;
         } else if (v == "json") {
           c.log.format = core::LogFormat::kJson;
         } else {
           return Bad("log.format", "expected kv or json, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(c.log.format == core::LogFormat::kJson ? "json" : "kv"); }},
      {"db.dsn", "--db",
       "PostgreSQL connection string or URI (multi-host allowed); required. vikd adds connect_timeout, "
       "target_session_attrs=read-write, keepalives, tcp_user_timeout, application_name and "
       "statement_timeout unless set",
       [](Config& c, const std::string& v) {
         if (v.empty()) {
           return Bad("db.dsn", "must not be empty");
         }
         auto conninfo = store::BuildConnectionString(v, c.store.connection);
         if (!conninfo.ok()) {
           return Bad("db.dsn", conninfo.status().message());
         }
         c.store.dsn = v;
         return core::Status::Ok();
       },
       [](const Config& c) { return c.store.dsn.empty() ? std::string("<required>") : store::RedactDsn(c.store.dsn); }},
      {"db.pool_size", "", "database connections in the pool (also the number of blocking worker threads)",
       UnsignedSetter(
           "db.pool_size", [](Config& c, std::uint64_t n) { c.store.pool_size = n; }, 1, 256),
       [](const Config& c) { return std::to_string(c.store.pool_size); }},
      {"db.acquire_timeout", "",
       "how long a request may wait for a free pooled connection before 429/RESOURCE_EXHAUSTED",
       DurationSetter(
           "db.acquire_timeout", [](Config& c) -> milliseconds& { return c.store.acquire_timeout; }, milliseconds(1)),
       [](const Config& c) { return core::FormatDuration(c.store.acquire_timeout); }},
      {"db.connect_timeout", "", "timeout for opening one database connection (per host)",
       DurationSetter(
           "db.connect_timeout", [](Config& c) -> milliseconds& { return c.store.connection.connect_timeout; },
           milliseconds(1000)),
       [](const Config& c) { return core::FormatDuration(c.store.connection.connect_timeout); }},
      {"db.statement_timeout", "", "server-side timeout for one statement",
       DurationSetter(
           "db.statement_timeout", [](Config& c) -> milliseconds& { return c.store.connection.statement_timeout; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.store.connection.statement_timeout); }},
      {"db.tcp_user_timeout", "", "how long unacknowledged data may stay in flight before the connection is dropped",
       DurationSetter(
           "db.tcp_user_timeout", [](Config& c) -> milliseconds& { return c.store.connection.tcp_user_timeout; },
           milliseconds(1000)),
       [](const Config& c) { return core::FormatDuration(c.store.connection.tcp_user_timeout); }},
      {"db.migrate_on_start", "", "apply pending migrations when `serve` starts (true/false)",
       [](Config& c, const std::string& v) {
         if (!ParseBool(v, c.migrate_on_start)) {
           return Bad("db.migrate_on_start", "expected true or false, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(c.migrate_on_start ? "true" : "false"); }},
      {"db.migrations_dir", "--migrations-dir", "read migrations from this directory instead of the built-in copy",
       [](Config& c, const std::string& v) {
         if (v.empty()) {
           c.store.migrations_dir.reset();
         } else {
           c.store.migrations_dir = v;
         }
         return core::Status::Ok();
       },
       [](const Config& c) {
         return c.store.migrations_dir ? c.store.migrations_dir->string() : std::string("<built in>");
       }},
      {"http.listen", "--http", "HTTP listen address HOST:PORT (port 0: pick a free port)",
       [](Config& c, const std::string& v) { return ParseHostPort("http.listen", v, c.http.host, c.http.port, true); },
       [](const Config& c) { return HostPort(c.http.host, c.http.port); }},
      {"http.management", "",
       "management listener HOST:PORT serving only /healthz, /readyz and /metrics "
       "(then /metrics leaves http.listen); empty: none",
       [](Config& c, const std::string& v) {
         if (v.empty()) {
           c.management.host.clear();
           c.management.port = 0;
           return core::Status::Ok();
         }
         return ParseHostPort("http.management", v, c.management.host, c.management.port, true);
       },
       [](const Config& c) {
         return c.management.host.empty() ? std::string() : HostPort(c.management.host, c.management.port);
       }},
      {"http.max_connections", "",
       "open HTTP connections at most; at the cap the one idle or slow longest is "
       "closed for a new one, and when all are busy the new one is answered 503",
       UnsignedSetter(
           "http.max_connections", [](Config& c, std::uint64_t n) { c.http.max_connections = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.http.max_connections); }},
      {"http.max_header_bytes", "", "largest request header accepted (431 beyond)",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 || *n > 1024 * 1024) {
           return Bad("http.max_header_bytes", "expected a size from 1KiB to 1MiB, got \"" + v + "\"");
         }
         c.http.max_header_bytes = static_cast<std::uint32_t>(*n);
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.http.max_header_bytes); }},
      {"http.max_body_bytes", "", "largest request body accepted (413 beyond)",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 || *n > 256ULL * 1024 * 1024) {
           return Bad("http.max_body_bytes", "expected a size from 1KiB to 256MiB, got \"" + v + "\"");
         }
         c.http.max_body_bytes = *n;
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.http.max_body_bytes); }},
      {"http.header_timeout", "",
       "time a new connection has to send its first request header (at most http.read_timeout)",
       DurationSetter(
           "http.header_timeout", [](Config& c) -> milliseconds& { return c.http.header_timeout; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.http.header_timeout); }},
      {"http.refusal_pause", "",
       "after a 429/503 with Retry-After on a keep-alive connection, the next request on it is read only after "
       "this pause (0s: no pause)",
       DurationSetter(
           "http.refusal_pause", [](Config& c) -> milliseconds& { return c.http.refusal_pause; }, milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.http.refusal_pause); }},
      {"http.read_timeout", "", "time allowed to receive one request once it started, and to send its response",
       DurationSetter(
           "http.read_timeout", [](Config& c) -> milliseconds& { return c.http.read_timeout; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.http.read_timeout); }},
      {"http.idle_timeout", "", "how long a keep-alive connection may sit idle between requests",
       DurationSetter(
           "http.idle_timeout", [](Config& c) -> milliseconds& { return c.http.idle_timeout; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.http.idle_timeout); }},
      {"grpc.listen", "--grpc", "gRPC listen address HOST:PORT (port 0: pick a free port)",
       [](Config& c, const std::string& v) { return ParseHostPort("grpc.listen", v, c.grpc.host, c.grpc.port); },
       [](const Config& c) { return HostPort(c.grpc.host, c.grpc.port); }},
      {"grpc.max_message_bytes", "", "largest gRPC message received or sent",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 || *n > 256ULL * 1024 * 1024) {
           return Bad("grpc.max_message_bytes", "expected a size from 1KiB to 256MiB, got \"" + v + "\"");
         }
         c.grpc.max_message_bytes = static_cast<int>(*n);
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.grpc.max_message_bytes); }},
      {"grpc.max_concurrent_streams", "", "concurrent calls per gRPC connection",
       UnsignedSetter(
           "grpc.max_concurrent_streams",
           [](Config& c, std::uint64_t n) { c.grpc.max_concurrent_streams = static_cast<int>(n); }, 1, 100000),
       [](const Config& c) { return std::to_string(c.grpc.max_concurrent_streams); }},
      {"grpc.reflection", "",
       "serve gRPC server reflection (grpcurl, ...) on the gRPC listener; off: it faces partners",
       [](Config& c, const std::string& v) {
         if (!ParseBool(v, c.grpc.reflection)) {
           return Bad("grpc.reflection", "expected true or false, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(c.grpc.reflection ? "true" : "false"); }},
      {"grpc.max_health_watchers", "",
       "concurrent grpc.health.v1.Health/Watch streams (no token needed); beyond: RESOURCE_EXHAUSTED",
       UnsignedSetter(
           "grpc.max_health_watchers",
           [](Config& c, std::uint64_t n) { c.grpc.max_health_watchers = static_cast<int>(n); }, 1, 100000),
       [](const Config& c) { return std::to_string(c.grpc.max_health_watchers); }},
      {"grpc.max_connection_idle", "", "a gRPC connection without calls for this long is closed (0: never)",
       DurationSetter(
           "grpc.max_connection_idle", [](Config& c) -> milliseconds& { return c.grpc.max_connection_idle; },
           milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.grpc.max_connection_idle); }},
      {"grpc.memory_quota_bytes", "",
       "memory gRPC may use for connections and calls (ResourceQuota); beyond it refuses",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 * 1024) {
           return Bad("grpc.memory_quota_bytes", "expected a size of at least 1MiB, got \"" + v + "\"");
         }
         c.grpc.memory_quota_bytes = static_cast<std::size_t>(*n);
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.grpc.memory_quota_bytes); }},
      {"streams.per_partner", "",
       "open streams of one kind (SSE, WatchChanges, SubmitStream) per partner; beyond: 429 / RESOURCE_EXHAUSTED",
       UnsignedSetter(
           "streams.per_partner", [](Config& c, std::uint64_t n) { c.streams.per_partner = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.streams.per_partner); }},
      {"streams.per_instance", "",
       "open streams of one kind (SSE, WatchChanges, SubmitStream) per instance, all partners",
       UnsignedSetter(
           "streams.per_instance", [](Config& c, std::uint64_t n) { c.streams.per_instance = n; }, 1, 1000000),
       [](const Config& c) { return std::to_string(c.streams.per_instance); }},
      {"ingest.max_batch", "", "signals per Submit call or POST /v1/signals request at most",
       UnsignedSetter(
           "ingest.max_batch", [](Config& c, std::uint64_t n) { c.ingest.max_batch = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.ingest.max_batch); }},
      {"ingest.max_pending_references", "",
       "references to messages not received yet that one partner may have parked; beyond, a reference is dropped "
       "with a receipt warning",
       UnsignedSetter(
           "ingest.max_pending_references", [](Config& c, std::uint64_t n) { c.store.max_pending_references = n; }, 0,
           100000000),
       [](const Config& c) { return std::to_string(c.store.max_pending_references); }},
      {"ingest.pending_references_retention", "",
       "parked references older than this are pruned by the leader's sweep (resolved or not)",
       DurationSetter(
           "ingest.pending_references_retention",
           [](Config& c) -> milliseconds& { return c.ingest.pending_references_retention; }, milliseconds(1000)),
       [](const Config& c) { return core::FormatDuration(c.ingest.pending_references_retention); }},
      {"ingest.max_queue", "",
       "signals waiting for the group commit at most; more are refused (429/RESOURCE_EXHAUSTED)",
       UnsignedSetter(
           "ingest.max_queue", [](Config& c, std::uint64_t n) { c.ingest.writer.max_queue = n; }, 1, 10000000),
       [](const Config& c) { return std::to_string(c.ingest.writer.max_queue); }},
      {"ingest.commit_batch", "", "signals per group-commit transaction at most",
       UnsignedSetter(
           "ingest.commit_batch", [](Config& c, std::uint64_t n) { c.ingest.writer.max_batch = n; }, 1, 10000),
       [](const Config& c) { return std::to_string(c.ingest.writer.max_batch); }},
      {"ingest.commit_wait", "", "extra time a non-full batch may wait for more signals (0: commit at once)",
       [](Config& c, const std::string& v) -> core::Status {
         auto d = core::ParseDuration(v);
         if (!d.ok()) {
           return Bad("ingest.commit_wait", d.status().message());
         }
         c.ingest.writer.max_wait = *d;
         return core::Status::Ok();
       },
       [](const Config& c) {
         return core::FormatDuration(std::chrono::duration_cast<milliseconds>(c.ingest.writer.max_wait));
       }},
      {"ingest.writers", "", "group-commit transactions in flight at once (writer threads)",
       UnsignedSetter(
           "ingest.writers", [](Config& c, std::uint64_t n) { c.ingest.writers = n; }, 1, 64),
       [](const Config& c) { return std::to_string(c.ingest.writers); }},
      {"ingest.stream_window", "", "signals a SubmitStream may have in flight before the server stops reading",
       UnsignedSetter(
           "ingest.stream_window", [](Config& c, std::uint64_t n) { c.ingest.stream_window = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.ingest.stream_window); }},
      {"cap.max_bytes", "", "largest CAP document accepted (RESOURCE_EXHAUSTED / 413 beyond)",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 || *n > 64ULL * 1024 * 1024) {
           return Bad("cap.max_bytes", "expected a size from 1KiB to 64MiB, got \"" + v + "\"");
         }
         c.cap.max_bytes = *n;
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.cap.max_bytes); }},
      {"cap.workers", "", "threads that parse, validate and store CAP documents and poll feeds",
       UnsignedSetter(
           "cap.workers", [](Config& c, std::uint64_t n) { c.cap.workers = n; }, 1, 64),
       [](const Config& c) { return std::to_string(c.cap.workers); }},
      {"cap.queue", "", "CAP documents waiting for a worker at most (beyond: 429 / RESOURCE_EXHAUSTED)",
       UnsignedSetter(
           "cap.queue", [](Config& c, std::uint64_t n) { c.cap.queue = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.cap.queue); }},
      {"ingest.rate_limit", "", "signals per second per partner on this instance (0: no limit)",
       UnsignedSetter(
           "ingest.rate_limit", [](Config& c, std::uint64_t n) { c.ingest.rate_limit = static_cast<double>(n); }, 0,
           10000000),
       [](const Config& c) { return std::to_string(static_cast<std::uint64_t>(c.ingest.rate_limit)); }},
      {"ingest.rate_burst", "", "signals a partner may send at once above its rate",
       UnsignedSetter(
           "ingest.rate_burst", [](Config& c, std::uint64_t n) { c.ingest.rate_burst = static_cast<double>(n); }, 1,
           10000000),
       [](const Config& c) { return std::to_string(static_cast<std::uint64_t>(c.ingest.rate_burst)); }},
      {"ingest.max_future_skew", "", "how far sent_at may lie ahead of the server clock",
       DurationSetter(
           "ingest.max_future_skew", [](Config& c) -> milliseconds& { return c.ingest.max_future_skew; },
           milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.ingest.max_future_skew); }},
      {"auth.refresh_interval", "", "how often tokens and sources are reloaded (revocation delay)",
       DurationSetter(
           "auth.refresh_interval", [](Config& c) -> milliseconds& { return c.auth.refresh_interval; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.auth.refresh_interval); }},
      {"cluster.lease_ttl", "", "leader lease term; a dead leader is replaced within lease_ttl + renew_interval",
       DurationSetter(
           "cluster.lease_ttl", [](Config& c) -> milliseconds& { return c.cluster.ttl; }, milliseconds(500)),
       [](const Config& c) { return core::FormatDuration(c.cluster.ttl); }},
      {"cluster.renew_interval", "", "how often the leader renews and followers bid for the lease",
       DurationSetter(
           "cluster.renew_interval", [](Config& c) -> milliseconds& { return c.cluster.renew_interval; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.cluster.renew_interval); }},
      {"picture.enabled", "", "keep the risk picture on the leader (false: /v1/status shows the last picture written)",
       [](Config& c, const std::string& v) {
         if (!ParseBool(v, c.picture.enabled)) {
           return Bad("picture.enabled", "expected true or false, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(c.picture.enabled ? "true" : "false"); }},
      {"picture.interval", "", "how often the leader's picture keeper applies new changes (signals, assessments)",
       DurationSetter(
           "picture.interval", [](Config& c) -> milliseconds& { return c.picture.interval; }, milliseconds(50)),
       [](const Config& c) { return core::FormatDuration(c.picture.interval); }},
      {"changes.retention", "",
       "how long the change feed keeps changes; older cursors get 410/OUT_OF_RANGE (0s: forever)",
       DurationSetter(
           "changes.retention", [](Config& c) -> milliseconds& { return c.changes.retention; }, milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.changes.retention); }},
      {"peers.interval", "", "how often the leader asks a caught-up peer for new changes",
       DurationSetter(
           "peers.interval", [](Config& c) -> milliseconds& { return c.peers.timing.interval; }, milliseconds(10)),
       [](const Config& c) { return core::FormatDuration(c.peers.timing.interval); }},
      {"peers.call_timeout", "", "deadline of one call to a peer",
       DurationSetter(
           "peers.call_timeout", [](Config& c) -> milliseconds& { return c.peers.timing.call_timeout; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.peers.timing.call_timeout); }},
      {"peers.max_backoff", "", "the longest wait before calling a failing peer again",
       DurationSetter(
           "peers.max_backoff", [](Config& c) -> milliseconds& { return c.peers.timing.max_backoff; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.peers.timing.max_backoff); }},
      {"peers.stale_after", "", "a peer not reached for longer is shown as stale",
       DurationSetter(
           "peers.stale_after", [](Config& c) -> milliseconds& { return c.peers.stale_after; }, milliseconds(1000)),
       [](const Config& c) { return core::FormatDuration(c.peers.stale_after); }},
      {"peers.page", "", "changes asked for per call to a peer",
       UnsignedSetter(
           "peers.page", [](Config& c, std::uint64_t n) { c.peers.page = n; }, 1, 1000),
       [](const Config& c) { return std::to_string(c.peers.page); }},
      {"feeds.poll_tick", "",
       "how often the leader looks for CAP feeds due for a poll (each feed has its own interval)",
       DurationSetter(
           "feeds.poll_tick", [](Config& c) -> milliseconds& { return c.feeds.poll_tick; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.feeds.poll_tick); }},
      {"feeds.fetch_timeout", "", "total time for one feed or CAP document GET (connect at most 5s of it)",
       DurationSetter(
           "feeds.fetch_timeout", [](Config& c) -> milliseconds& { return c.feeds.fetch_timeout; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.feeds.fetch_timeout); }},
      {"feeds.max_bytes", "", "largest feed index or linked CAP document fetched (the response is refused beyond)",
       [](Config& c, const std::string& v) {
         auto n = core::ParseByteSize(v);
         if (!n.ok() || *n < 1024 || *n > 256ULL * 1024 * 1024) {
           return Bad("feeds.max_bytes", "expected a size from 1KiB to 256MiB, got \"" + v + "\"");
         }
         c.feeds.max_bytes = *n;
         return core::Status::Ok();
       },
       [](const Config& c) { return std::to_string(c.feeds.max_bytes); }},
      {"feeds.max_links_per_poll", "", "linked CAP documents fetched per feed and poll; the rest wait for the next",
       UnsignedSetter(
           "feeds.max_links_per_poll", [](Config& c, std::uint64_t n) { c.feeds.max_links_per_poll = n; }, 1, 10000),
       [](const Config& c) { return std::to_string(c.feeds.max_links_per_poll); }},
      {"feeds.round_budget", "",
       "the most one poll of one feed may take (index and links); the rest waits for the next",
       DurationSetter(
           "feeds.round_budget", [](Config& c) -> milliseconds& { return c.feeds.round_budget; }, milliseconds(1000)),
       [](const Config& c) { return core::FormatDuration(c.feeds.round_budget); }},
      {"feeds.max_link_attempts", "", "failed fetches of an entry's link before the entry is marked refused",
       UnsignedSetter(
           "feeds.max_link_attempts", [](Config& c, std::uint64_t n) { c.feeds.max_link_attempts = n; }, 1, 1000),
       [](const Config& c) { return std::to_string(c.feeds.max_link_attempts); }},
      {"subscriptions.enabled", "",
       "send webhook deliveries from the leader (false: subscriptions are kept, nothing is sent)",
       [](Config& c, const std::string& v) {
         if (!ParseBool(v, c.subscriptions.enabled)) {
           return Bad("subscriptions.enabled", "expected true or false, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) { return std::string(c.subscriptions.enabled ? "true" : "false"); }},
      {"subscriptions.interval", "", "how often the leader's delivery job reads the change log and sends due webhooks",
       DurationSetter(
           "subscriptions.interval", [](Config& c) -> milliseconds& { return c.subscriptions.interval; },
           milliseconds(50)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.interval); }},
      {"subscriptions.allow_private_destinations", "",
       "allow webhook URLs that resolve to loopback, private or link-local addresses (default: public only)",
       [](Config& c, const std::string& v) {
         if (!ParseBool(v, c.subscriptions.delivery.allow_private_destinations)) {
           return Bad("subscriptions.allow_private_destinations", "expected true or false, got \"" + v + "\"");
         }
         return core::Status::Ok();
       },
       [](const Config& c) {
         return std::string(c.subscriptions.delivery.allow_private_destinations ? "true" : "false");
       }},
      {"subscriptions.max_per_partner", "", "subscriptions one partner may have; creating more is refused (409)",
       UnsignedSetter(
           "subscriptions.max_per_partner", [](Config& c, std::uint64_t n) { c.subscriptions.max_per_partner = n; }, 1,
           100000),
       [](const Config& c) { return std::to_string(c.subscriptions.max_per_partner); }},
      {"subscriptions.timeout", "", "one webhook POST, connect to response; slower is a failed attempt",
       DurationSetter(
           "subscriptions.timeout", [](Config& c) -> milliseconds& { return c.subscriptions.delivery.timeout; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.delivery.timeout); }},
      {"subscriptions.concurrency", "", "webhook POSTs in parallel (threads of the sender pool)",
       UnsignedSetter(
           "subscriptions.concurrency", [](Config& c, std::uint64_t n) { c.subscriptions.concurrency = n; }, 1, 64),
       [](const Config& c) { return std::to_string(c.subscriptions.concurrency); }},
      {"subscriptions.max_attempts", "", "failed attempts before a delivery is dead (listed, re-queueable)",
       UnsignedSetter(
           "subscriptions.max_attempts", [](Config& c, std::uint64_t n) { c.subscriptions.delivery.max_attempts = n; },
           1, 100),
       [](const Config& c) { return std::to_string(c.subscriptions.delivery.max_attempts); }},
      {"subscriptions.min_backoff", "", "delay before the first retry (doubling per attempt, with jitter)",
       DurationSetter(
           "subscriptions.min_backoff", [](Config& c) -> milliseconds& { return c.subscriptions.delivery.min_backoff; },
           milliseconds(10)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.delivery.min_backoff); }},
      {"subscriptions.max_backoff", "", "longest delay between retries",
       DurationSetter(
           "subscriptions.max_backoff", [](Config& c) -> milliseconds& { return c.subscriptions.delivery.max_backoff; },
           milliseconds(10)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.delivery.max_backoff); }},
      {"subscriptions.max_pending", "",
       "pending deliveries per subscription; further matches are stored dead (queue full)",
       UnsignedSetter(
           "subscriptions.max_pending", [](Config& c, std::uint64_t n) { c.subscriptions.delivery.max_pending = n; }, 1,
           1000000),
       [](const Config& c) { return std::to_string(c.subscriptions.delivery.max_pending); }},
      {"subscriptions.max_deliveries_per_round", "", "webhook attempts per round of the delivery job",
       UnsignedSetter(
           "subscriptions.max_deliveries_per_round",
           [](Config& c, std::uint64_t n) { c.subscriptions.delivery.max_deliveries = n; }, 1, 100000),
       [](const Config& c) { return std::to_string(c.subscriptions.delivery.max_deliveries); }},
      {"subscriptions.round_budget", "", "the most one round of the delivery job spends sending",
       DurationSetter(
           "subscriptions.round_budget",
           [](Config& c) -> milliseconds& { return c.subscriptions.delivery.round_budget; }, milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.delivery.round_budget); }},
      {"subscriptions.retention", "", "how long delivered and dead deliveries are kept (0s: forever)",
       DurationSetter(
           "subscriptions.retention", [](Config& c) -> milliseconds& { return c.subscriptions.delivery.retention; },
           milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.subscriptions.delivery.retention); }},
      {"runtime.io_threads", "", "threads running network I/O (Asio)",
       UnsignedSetter(
           "runtime.io_threads", [](Config& c, std::uint64_t n) { c.runtime.io_threads = n; }, 1, 64),
       [](const Config& c) { return std::to_string(c.runtime.io_threads); }},
      {"runtime.blocking_queue", "", "database tasks that may wait for a worker; more are refused (429/503)",
       UnsignedSetter(
           "runtime.blocking_queue", [](Config& c, std::uint64_t n) { c.runtime.blocking_queue = n; }, 1, 1000000),
       [](const Config& c) { return std::to_string(c.runtime.blocking_queue); }},
      {"runtime.blocking_max_queue_wait", "",
       "read tasks are refused (429/503) while the oldest queued one has waited longer (0s: no bound)",
       DurationSetter(
           "runtime.blocking_max_queue_wait",
           [](Config& c) -> milliseconds& { return c.runtime.blocking_max_queue_wait; }, milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.runtime.blocking_max_queue_wait); }},
      {"runtime.blocking_per_partner", "",
       "read tasks one partner may hold in the read API's pool at once, queued or running; more are refused "
       "(429 with Retry-After) so that one partner's flood leaves workers to the others (0: no quota)",
       UnsignedSetter(
           "runtime.blocking_per_partner", [](Config& c, std::uint64_t n) { c.runtime.blocking_per_partner = n; }, 0,
           1000000),
       [](const Config& c) { return std::to_string(c.runtime.blocking_per_partner); }},
      {"runtime.blocking_nice", "", "added to the nice value of the read API's worker threads (0: unchanged)",
       UnsignedSetter(
           "runtime.blocking_nice", [](Config& c, std::uint64_t n) { c.runtime.blocking_nice = static_cast<int>(n); },
           0, 19),
       [](const Config& c) { return std::to_string(c.runtime.blocking_nice); }},
      {"runtime.job_workers", "",
       "threads and database connections of the jobs pool (singleton jobs, readiness, credentials)",
       UnsignedSetter(
           "runtime.job_workers", [](Config& c, std::uint64_t n) { c.runtime.job_workers = n; }, 2, 64),
       [](const Config& c) { return std::to_string(c.runtime.job_workers); }},
      {"runtime.drain_timeout", "", "on SIGTERM, how long requests in flight may take to finish",
       DurationSetter(
           "runtime.drain_timeout", [](Config& c) -> milliseconds& { return c.runtime.drain_timeout; },
           milliseconds(0)),
       [](const Config& c) { return core::FormatDuration(c.runtime.drain_timeout); }},
      {"runtime.readiness_interval", "", "how often the database and schema are checked for readiness",
       DurationSetter(
           "runtime.readiness_interval", [](Config& c) -> milliseconds& { return c.runtime.readiness_interval; },
           milliseconds(100)),
       [](const Config& c) { return core::FormatDuration(c.runtime.readiness_interval); }},
  };
  return kSettings;
}

}  // namespace

std::vector<SettingInfo> DescribeSettings() {
  const Config defaults;
  std::vector<SettingInfo> out;
  for (const Setting& s : Settings()) {
    out.push_back({s.key, s.flag, s.help, s.get(defaults)});
  }
  return out;
}

// peer.NAME.{endpoint,token_file,tls,push,region} and push.NAME.{endpoint,token_file,tls} (config file
// sections [peer.NAME], [push.NAME]).
static core::Status ApplyPeerSetting(Config& config, const std::string& key, const std::string& value) {
  const bool pull = key.rfind("peer.", 0) == 0;
  auto& list = pull ? config.peers.list : config.peers.push_targets;
  const std::size_t prefix = 5;  // "peer." or "push."
  const auto dot = key.rfind('.');
  const std::string name = key.substr(prefix, dot == std::string::npos || dot < prefix ? 0 : dot - prefix);
  const std::string field = dot == std::string::npos ? "" : key.substr(dot + 1);
  const bool name_ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
  });
  if (!name_ok) {
    return Bad(key, std::string("a peer's name must be 1-64 characters of A-Z a-z 0-9 _ - (section [") +
                        (pull ? "peer" : "push") + ".NAME])");
  }
  auto it = std::find_if(list.begin(), list.end(), [&](const PeersConfig::Peer& p) { return p.name == name; });
  if (it == list.end()) {
    list.push_back({name, "", "", false, false, "", ""});
    it = std::prev(list.end());
  }
  if (field == "endpoint") {
    if (value.empty() || value.find('/') != std::string::npos || value.find(':') == std::string::npos) {
      return Bad(key, "expected host:port of the peer's gRPC listener, got \"" + value + "\"");
    }
    it->endpoint = value;
  } else if (field == "token_file") {
    it->token_file = value;
  } else if (field == "tls" || (pull && field == "push")) {
    if (!ParseBool(value, field == "tls" ? it->tls : it->push)) {
      return Bad(key, "expected true or false, got \"" + value + "\"");
    }
  } else if (pull && field == "region") {
    if (!domain::IsRegionCode(value)) {
      return Bad(key, "\"" + value + "\" is not a safety region code VR01..VR25");
    }
    it->region = value;
  } else {
    return Bad(key, pull ? "unknown peer setting (expected endpoint, token_file, tls, push or region)"
                         : "unknown push setting (expected endpoint, token_file or tls)");
  }
  return core::Status::Ok();
}

// Reads the first line of the peer's token file into peer.token.
static core::Status LoadPeerToken(PeersConfig::Peer& peer, const std::string& where) {
  if (peer.endpoint.empty() || peer.token_file.empty()) {
    return core::InvalidArgument(where + ": needs endpoint and token_file");
  }
  std::ifstream in(peer.token_file);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) {
    return core::InvalidArgument(where + ".token_file: cannot read a token from \"" + peer.token_file + "\"");
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  peer.token = token;
  return core::Status::Ok();
}

core::Status ApplySetting(Config& config, const std::string& key, const std::string& value) {
  if (key.rfind("peer.", 0) == 0 || key.rfind("push.", 0) == 0) {
    return ApplyPeerSetting(config, key, value);
  }
  for (const Setting& s : Settings()) {
    if (key == s.key) {
      return s.set(config, value);
    }
  }
  return core::InvalidArgument(key + ": unknown setting (see `vikd --help` for the list)");
}

namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) {
    return "";
  }
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Parses the value part of `key = value`: a quoted string or a bare word ending at '#'.
core::Result<std::string> ParseValue(const std::string& raw) {
  std::string v = Trim(raw);
  if (v.empty() || v.front() != '"') {
    // A comment starts at a '#' that begins the value or follows white space.
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
        return Trim(v.substr(0, i));
      }
    }
    return v;
  }
  std::string out;
  std::size_t i = 1;
  for (; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '\\' && i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\\')) {
      out += v[++i];
    } else if (c == '"') {
      break;
    } else {
      out += c;
    }
  }
  if (i >= v.size()) {
    return core::InvalidArgument("unterminated quoted value");
  }
  const std::string rest = Trim(v.substr(i + 1));
  if (!rest.empty() && rest.front() != '#') {
    return core::InvalidArgument("unexpected text after the quoted value: \"" + rest + "\"");
  }
  return out;
}

}  // namespace

core::Status ApplyConfigText(Config& config, const std::string& text, const std::string& filename) {
  std::istringstream in(text);
  std::string line;
  std::string section;
  std::set<std::string> seen;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string where = filename + ":" + std::to_string(lineno) + ": ";
    const std::string t = Trim(line);
    if (t.empty() || t.front() == '#') {
      continue;
    }
    if (t.front() == '[') {
      const auto close = t.find(']');
      const std::string after = close == std::string::npos ? "" : Trim(t.substr(close + 1));
      if (close == std::string::npos || close < 2 || (!after.empty() && after.front() != '#')) {
        return core::InvalidArgument(where + "malformed section header \"" + t + "\"");
      }
      section = Trim(t.substr(1, close - 1));
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string::npos) {
      return core::InvalidArgument(where + "expected key = value, got \"" + t + "\"");
    }
    if (Trim(t.substr(0, eq)).empty()) {
      return core::InvalidArgument(where + "missing key before '='");
    }
    const std::string key = (section.empty() ? "" : section + ".") + Trim(t.substr(0, eq));
    auto value = ParseValue(t.substr(eq + 1));
    if (!value.ok()) {
      return core::InvalidArgument(where + key + ": " + value.status().message());
    }
    if (!seen.insert(key).second) {
      return core::InvalidArgument(where + key + ": set twice");
    }
    core::Status s = ApplySetting(config, key, *value);
    if (!s.ok()) {
      return core::InvalidArgument(where + s.message());
    }
  }
  return core::Status::Ok();
}

core::Status ApplyConfigFile(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return core::InvalidArgument("config: cannot open \"" + path + "\": " + std::strerror(errno));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return ApplyConfigText(config, buf.str(), path);
}

core::Status FinalizeConfig(Config& config, bool require_db) {
  if (require_db && config.store.dsn.empty()) {
    return core::InvalidArgument("db.dsn: required (set it in the config file or pass --db DSN)");
  }
  if (config.node_id.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) {
      return core::InvalidArgument("node_id: not set and the host name is unavailable");
    }
    std::string id;
    for (const char* p = host; *p != '\0' && id.size() < 64; ++p) {
      const char c = *p;
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      id += ok ? c : '-';
    }
    if (!domain::IsNodeId(id)) {
      return core::InvalidArgument("node_id: not set and the host name \"" + std::string(host) + "\" is unusable");
    }
    config.node_id = id;
  }
  // The lease's local deadline ends this much before its term (clock-rate drift, scheduling).
  config.cluster.safety_margin = std::min(std::chrono::milliseconds(300), config.cluster.ttl / 10);
  if (config.cluster.renew_interval * 2 > config.cluster.ttl) {
    return core::InvalidArgument("cluster.renew_interval: " + core::FormatDuration(config.cluster.renew_interval) +
                                 " must be at most half of cluster.lease_ttl (" +
                                 core::FormatDuration(config.cluster.ttl) + ")");
  }
  for (auto& peer : config.peers.list) {
    // A push peer sends to us: it needs no endpoint or token here (its token is one we issued), but
    // its region: nothing else says what it may speak for.
    if (peer.push && peer.region.empty()) {
      return core::InvalidArgument("peer." + peer.name +
                                   ".region: a push peer needs the safety region it speaks for (VR01..VR25)");
    }
    if (!peer.push) {
      if (auto st = LoadPeerToken(peer, "peer." + peer.name); !st.ok()) {
        return st;
      }
    }
  }
  for (auto& target : config.peers.push_targets) {
    if (auto st = LoadPeerToken(target, "push." + target.name); !st.ok()) {
      return st;
    }
  }
  if (config.role == domain::NodeRole::kNational && config.peers.list.empty()) {
    return core::InvalidArgument("role: a national node needs peers to mirror (sections [peer.NAME])");
  }
  if (config.ingest.max_batch > config.ingest.writer.max_queue) {
    return core::InvalidArgument("ingest.max_batch: " + std::to_string(config.ingest.max_batch) +
                                 " is larger than ingest.max_queue (" + std::to_string(config.ingest.writer.max_queue) +
                                 "): such calls could never be queued");
  }
  if (config.subscriptions.delivery.min_backoff > config.subscriptions.delivery.max_backoff) {
    return core::InvalidArgument(
        "subscriptions.min_backoff: " + core::FormatDuration(config.subscriptions.delivery.min_backoff) +
        " is longer than subscriptions.max_backoff (" +
        core::FormatDuration(config.subscriptions.delivery.max_backoff) + ")");
  }
  if (config.store.migrations_dir && !std::filesystem::is_directory(*config.store.migrations_dir)) {
    return core::InvalidArgument("db.migrations_dir: \"" + config.store.migrations_dir->string() +
                                 "\" is not a directory");
  }
  return core::Status::Ok();
}

}  // namespace vik::app
