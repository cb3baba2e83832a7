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

#include "core/logging.h"
#include "core/result.h"
#include "rpc/grpc_server.h"
#include "auth/stream_quota.h"
#include "federation/peer_mirror.h"
#include "http/server.h"
#include "store/store.h"

namespace vik::app {

struct Config {
  std::string region = "VR21";
  std::string node_id;  // default: the host name
  std::string ports_file;

  spdlog::level::level_enum log_level = spdlog::level::info;
  core::LogFormat log_format = core::LogFormat::kKeyValue;

  store::StoreOptions store;  // store.dsn is required for serve and migrate
  bool migrate_on_start = true;

  http::HttpOptions http;
  // http.management: a second listener serving only /healthz, /readyz (with the database's detail)
  // and /metrics; when set, /metrics is no longer served on http.listen. Empty host: not set.
  std::string management_host;
  std::uint16_t management_port = 0;
  rpc::GrpcOptions grpc;

  // Ingest (see docs/operations.md).
  std::size_t ingest_max_batch = 1000;        // signals per Submit call / HTTP request
  // Parked references (to messages not seen yet) are pruned this long after they were parked.
  std::chrono::milliseconds pending_references_retention{7 * 24 * 3600 * 1000LL};
  std::size_t ingest_max_queue = 20000;       // signals waiting for the group commit
  std::size_t ingest_commit_batch = 500;      // signals per transaction at most
  std::chrono::milliseconds ingest_commit_wait{0};
  std::size_t ingest_writers = 2;             // concurrent group-commit transactions
  std::size_t cap_max_bytes = 1024 * 1024;    // largest CAP document
  std::size_t cap_workers = 2;                // threads of the CAP pool
  std::size_t cap_queue = 64;                 // CAP tasks waiting at most (beyond: 429)
  std::size_t ingest_stream_window = 256;     // SubmitStream read-ahead
  auth::StreamLimits stream_limits;         // SSE, WatchChanges, SubmitStream: each per partner and instance
  double ingest_rate_limit = 2000;            // signals per second per partner (0: off)
  double ingest_rate_burst = 10000;
  std::chrono::milliseconds ingest_max_future_skew{300000};
  std::chrono::milliseconds auth_refresh_interval{2000};

  // CAP feed polling (leader only; see docs/cap-feeds.md).
  std::chrono::milliseconds feeds_poll_tick{1000};       // how often due feeds are looked for
  std::chrono::milliseconds feeds_fetch_timeout{20000};  // one HTTP GET, connect to last byte
  std::size_t feeds_max_bytes = 8 * 1024 * 1024;         // largest feed index or linked CAP document
  std::size_t feeds_max_links = 50;                      // linked CAP documents fetched per feed and poll
  std::chrono::milliseconds feeds_round_budget{60000};   // the most one poll of one feed may take
  std::size_t feeds_max_link_attempts = 5;               // failed fetches of a link before it is refused

  // The risk picture (leader only; docs/risk-model.md).
  bool picture_enabled = true;                           // false: the leader keeps no picture
  std::chrono::milliseconds picture_interval{500};       // how often the keeper reads the change log
  std::chrono::milliseconds changes_retention{7 * 24 * 3600 * 1000LL};  // change feed kept this long (0: forever)

  // The exchange role and the peers this node mirrors (docs/exchange.md "Mirroring peers").
  // national: no own picture and no ingest; the node mirrors the regions. Peers come from config
  // sections [peer.NAME] with endpoint, token_file and tls (pulled), or push = true (they push to
  // us); push targets from sections [push.NAME]. Tokens are read from the files by FinalizeConfig.
  std::string role = "regional";
  struct Peer {
    std::string name;
    std::string endpoint;
    std::string token_file;
    bool tls = false;
    bool push = false;  // [peer.NAME] only: the peer pushes its feed to this node
    std::string token;  // filled by FinalizeConfig; a secret
    std::string region;  // [peer.NAME] only: the region the peer speaks for (required with push)
  };
  std::vector<Peer> peers;   // mirrored
  std::vector<Peer> pushes;  // this node's feed is pushed to these
  std::chrono::milliseconds peers_interval{250};        // between calls to a caught-up peer
  std::chrono::milliseconds peers_call_timeout{5000};   // one call to a peer
  std::chrono::milliseconds peers_max_backoff{30000};   // longest wait after failures
  std::chrono::milliseconds peers_stale_after{30000};   // a peer not reached for this long is stale
  std::size_t peers_page = 1000;                        // changes per call
  // Webhook subscriptions (leader only; docs/exchange.md, "Subscriptions") and SSE streams.
  bool subscriptions_enabled = true;                          // false: the leader sends no webhooks
  bool subscriptions_allow_private_destinations = false;     // webhooks to loopback/private addresses
  std::size_t subscriptions_max_per_partner = 20;            // more are refused (409)
  std::chrono::milliseconds subscriptions_interval{1000};     // how often the delivery job runs
  std::chrono::milliseconds subscriptions_timeout{5000};      // one POST, connect to response
  std::size_t subscriptions_concurrency = 4;                  // parallel POSTs (sender threads)
  std::size_t subscriptions_max_attempts = 10;                // then the delivery is dead
  std::chrono::milliseconds subscriptions_min_backoff{1000};  // first retry after about this
  std::chrono::milliseconds subscriptions_max_backoff{600000};
  std::size_t subscriptions_max_pending = 10000;              // per subscription; beyond: dead ("queue full")
  std::size_t subscriptions_max_deliveries = 200;             // attempts per round
  std::chrono::milliseconds subscriptions_round_budget{20000};
  std::chrono::milliseconds subscriptions_retention{7 * 24 * 3600 * 1000LL};  // delivered and dead kept

  std::chrono::milliseconds lease_ttl{3000};
  std::chrono::milliseconds lease_renew_interval{1000};

  std::size_t io_threads = 2;
  std::size_t blocking_queue = 1024;
  std::chrono::milliseconds blocking_max_queue_wait{500};  // 0: no bound (only blocking_queue)
  int blocking_nice = 5;                                     // added to the read workers' nice value
  std::size_t blocking_per_partner = 4;                      // tasks per partner in the read pool (0: no quota)
  std::size_t job_workers = 4;                               // threads (and connections) of the jobs pool
  std::chrono::milliseconds drain_timeout{10000};
  std::chrono::milliseconds readiness_interval{1000};
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
