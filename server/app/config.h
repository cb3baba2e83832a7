#pragma once

// vikd's typed configuration: every setting, its default, its validation, in one table.
// Sources, later overriding earlier: built-in defaults, the config file (--config FILE), flags.
// Unknown keys, bad values and missing required settings are errors that name the setting.
//
// Config file syntax (a small TOML-like subset):
//   # comment
//   region = VR21
//   [db]
//   dsn = "host=127.0.0.1 port=5432 dbname=vik"
// Keys inside [section] are "section.key". Values may be double-quoted (\" and \\ escapes).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "auth/stream_quota.h"
#include "cluster/leader_lease.h"
#include "core/logging.h"
#include "core/result.h"
#include "domain/node_role.h"
#include "federation/peer_mirror.h"
#include "http/server.h"
#include "ingest/batch_writer.h"
#include "rpc/grpc_server.h"
#include "store/store.h"
#include "subscriptions/delivery_job.h"

namespace vik::app {

// The config file's sections, one struct per module ([ingest], [feeds], [peers], ...). Where a
// module's own options type fits a section, that type is the field (cluster::LeaseOptions,
// ingest::WriterOptions, federation::LoopTiming, subscriptions::DeliveryOptions, ...), so the
// runtime hands it over as it is; the rest is derived in one place (app/module_options.cc).

// [log]
struct LogConfig {
  spdlog::level::level_enum level = spdlog::level::info;
  core::LogFormat format = core::LogFormat::kKeyValue;
};

// http.management: a second listener serving only /healthz, /readyz (with the database's detail)
// and /metrics; when set, /metrics is no longer served on http.listen. Empty host: not set.
struct ManagementConfig {
  std::string host;
  std::uint16_t port = 0;
};

// [ingest] (see docs/operations.md).
struct IngestConfig {
  std::size_t max_batch = 1000;  // signals per Submit call / HTTP request
  // Parked references (to messages not seen yet) are pruned this long after they were parked.
  std::chrono::milliseconds pending_references_retention{7 * 24 * 3600 * 1000LL};
  // max_queue (ingest.max_queue), max_batch (ingest.commit_batch), max_wait (ingest.commit_wait).
  ingest::WriterOptions writer;
  std::size_t writers = 2;          // concurrent group-commit transactions
  std::size_t stream_window = 256;  // SubmitStream read-ahead
  double rate_limit = 2000;         // signals per second per partner (0: off)
  double rate_burst = 10000;
  std::chrono::milliseconds max_future_skew{300000};
};

// [cap]: CAP documents.
struct CapConfig {
  std::size_t max_bytes = 1024 * 1024;  // largest CAP document
  std::size_t workers = 2;              // threads of the CAP pool
  std::size_t queue = 64;               // CAP tasks waiting at most (beyond: 429)
};

// [auth]
struct AuthConfig {
  std::chrono::milliseconds refresh_interval{2000};
};

// [feeds]: CAP feed polling (leader only; see docs/cap-feeds.md).
struct FeedsConfig {
  std::chrono::milliseconds poll_tick{1000};       // how often due feeds are looked for
  std::chrono::milliseconds fetch_timeout{20000};  // one HTTP GET, connect to last byte
  std::size_t max_bytes = 8 * 1024 * 1024;         // largest feed index or linked CAP document
  std::size_t max_links_per_poll = 50;             // linked CAP documents fetched per feed and poll
  std::chrono::milliseconds round_budget{60000};   // the most one poll of one feed may take
  std::size_t max_link_attempts = 5;               // failed fetches of a link before it is refused
};

// [picture]: the risk picture (leader only; docs/risk-model.md).
struct PictureConfig {
  bool enabled = true;                      // false: the leader keeps no picture
  std::chrono::milliseconds interval{500};  // how often the keeper reads the change log
};

// [changes]
struct ChangesConfig {
  std::chrono::milliseconds retention{7 * 24 * 3600 * 1000LL};  // change feed kept this long (0: forever)
};

// [peers], [peer.NAME], [push.NAME]: the peers this node mirrors (docs/exchange.md "Mirroring
// peers"). Peers come from sections [peer.NAME] with endpoint, token_file and tls (pulled), or
// push = true (they push to us); push targets from sections [push.NAME]. Tokens are read from the
// files by FinalizeConfig.
struct PeersConfig {
  struct Peer {
    std::string name;
    std::string endpoint;
    std::string token_file;
    bool tls = false;
    bool push = false;   // [peer.NAME] only: the peer pushes its feed to this node
    std::string token;   // filled by FinalizeConfig; a secret
    std::string region;  // [peer.NAME] only: the region the peer speaks for (required with push)
  };
  std::vector<Peer> list;          // [peer.NAME]: mirrored
  std::vector<Peer> push_targets;  // [push.NAME]: this node's feed is pushed to these
  // interval, call_timeout, max_backoff (peers.*); max_message_bytes and user_agent are derived.
  federation::LoopTiming timing;
  std::chrono::milliseconds stale_after{30000};  // a peer not reached for this long is stale
  std::size_t page = 1000;                       // changes per call
};

// [subscriptions]: webhook subscriptions (leader only; docs/exchange.md, "Subscriptions").
struct SubscriptionsConfig {
  bool enabled = true;                       // false: the leader sends no webhooks
  std::size_t max_per_partner = 20;          // more are refused (409)
  std::chrono::milliseconds interval{1000};  // how often the delivery job runs
  std::size_t concurrency = 4;               // parallel POSTs (sender threads)
  // timeout, max_attempts, min/max_backoff, max_pending, max_deliveries (max_deliveries_per_round),
  // round_budget, retention, allow_private_destinations; region and user_agent are derived.
  subscriptions::DeliveryOptions delivery;
};

// [runtime]: threads, queues, drain.
struct RuntimeConfig {
  std::size_t io_threads = 2;
  std::size_t blocking_queue = 1024;
  std::chrono::milliseconds blocking_max_queue_wait{500};  // 0: no bound (only blocking_queue)
  int blocking_nice = 5;                                   // added to the read workers' nice value
  std::size_t blocking_per_partner = 4;                    // tasks per partner in the read pool (0: no quota)
  std::size_t job_workers = 4;                             // threads (and connections) of the jobs pool
  std::chrono::milliseconds drain_timeout{10000};
  std::chrono::milliseconds readiness_interval{1000};
};

struct Config {
  std::string region = "VR21";
  std::string node_id;  // default: the host name
  std::string ports_file;
  // national: no own picture and no ingest; the node mirrors the regions.
  domain::NodeRole role = domain::NodeRole::kRegional;

  LogConfig log;
  store::StoreOptions store;  // [db]; store.dsn is required for serve and migrate
  bool migrate_on_start = true;
  http::HttpOptions http;
  ManagementConfig management;
  rpc::GrpcOptions grpc;
  auth::StreamLimits streams;  // SSE, WatchChanges, SubmitStream: each per partner and instance
  IngestConfig ingest;
  CapConfig cap;
  AuthConfig auth;
  FeedsConfig feeds;
  PictureConfig picture;
  ChangesConfig changes;
  PeersConfig peers;
  SubscriptionsConfig subscriptions;
  // ttl (cluster.lease_ttl), renew_interval (cluster.renew_interval); the safety margin is derived
  // by FinalizeConfig.
  cluster::LeaseOptions cluster;
  RuntimeConfig runtime;
};

// One setting: its key, its flag (if any), its help text, its default rendered as text.
struct SettingInfo {
  std::string key;
  std::string flag;  // "--db" or ""
  std::string help;
  std::string default_value;
};
std::vector<SettingInfo> DescribeSettings();

// Sets `key` to `value`; INVALID_ARGUMENT naming the key when unknown or malformed.
core::Status ApplySetting(Config& config, const std::string& key, const std::string& value);

// Parses config file text; errors say "FILE:LINE: ...".
core::Status ApplyConfigText(Config& config, const std::string& text, const std::string& filename);
core::Status ApplyConfigFile(Config& config, const std::string& path);

// Checks cross-setting rules and fills derived defaults (node_id from the host name).
core::Status FinalizeConfig(Config& config, bool require_db);

}  // namespace vik::app
