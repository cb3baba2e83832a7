#pragma once

// What the ingest path writes and reads through the store. No libpqxx here.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/signal.h"
#include "store/cluster_records.h"

namespace vik::store {

// One signal to store. `payload` is the canonical serialized vik.v1.Signal; the store records its
// SHA-256 as the content hash that decides DUPLICATE (same hash) versus conflict (different hash).
struct SignalWrite {
  const domain::Signal* signal = nullptr;
  std::string payload;
  std::string partner;
  int cap_info_index = -1;  // >= 0 for a signal made from a CAP message's info block
};

enum class WriteOutcome { kAccepted, kDuplicate, kConflict, kFailed };

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kFailed;
  std::string signal_id;              // accepted: the new id; duplicate/conflict: the original's
  core::WallTime received_at;         // when the stored row was first received
  core::Status error;                 // kFailed only: why this row alone could not be stored
  std::vector<std::string> warnings;  // accepted, but not as written (references dropped by the quota)
};

// A CAP message and the signals made from it, stored in one transaction (Store::WriteCapMessage).
struct CapReferenceRecord {
  std::string sender;
  std::string identifier;
  std::string sent;
};

// One version of a feed entry (CAP feeds, pg_feeds.cc), marked as handled so that it is neither
// fetched nor ingested again, by this leader or the next.
struct FeedEntryMark {
  std::string feed;
  std::string entry_key;  // cap::FeedEntry::Key()
  std::string entry_id;
  std::string outcome;  // "accepted", "duplicate" or "refused"
  std::string detail;   // refused: why
};

struct CapMessageWrite {
  std::string source;  // the CAP <sender>, a registered source
  std::string identifier;
  std::string sent;  // as written
  core::WallTime sent_at;
  std::string status;  // lower-case CAP names: "actual", "update", "public", ...
  std::string msg_type;
  std::string scope;
  std::string cap_version;
  std::vector<CapReferenceRecord> references;
  std::string raw;  // the document, byte for byte
  int info_count = 0;
  std::string via;  // "http", "grpc", "feed:<name>"
  std::string partner;
  std::vector<SignalWrite> signals;  // cap_info_index set
  // Feed polling: the entry this message came from, marked in the same transaction (outcome set by
  // the store), and the leader's fence checked in it: a fenced-out leader writes nothing.
  std::optional<FeedEntryMark> feed_entry;
  std::optional<Fence> fence;
};

struct CapWriteResult {
  WriteOutcome outcome = WriteOutcome::kFailed;  // kAccepted, kDuplicate (same bytes) or kConflict
  std::string message_id;                        // the stored message (the original's for duplicates and conflicts)
  core::WallTime received_at;
  std::vector<WriteResult> signals;   // accepted and duplicate: one per CapMessageWrite::signals
  int signals_ended = 0;              // signals this message cancelled or superseded (now or parked ones)
  int references_pending = 0;         // references to messages not stored yet, parked
  std::vector<std::string> warnings;  // references dropped by the partner's parked-reference quota
};

struct FeedConfig {
  std::string name;
  std::string url;
  std::string partner;
  std::int64_t interval_s = 60;
  // Hosts whose entry links are fetched besides the feed's own origin: "host" or "*.domain".
  std::vector<std::string> allow_hosts;
};

// A CAP feed and its polling state.
struct FeedRecord {
  FeedConfig config;
  bool enabled = true;
  core::WallTime created_at{};
  std::string etag;           // "" when none
  std::string last_modified;  // "" when none
  std::optional<core::WallTime> last_attempt_at;
  std::optional<core::WallTime> last_success_at;
  std::string last_error;
  int consecutive_errors = 0;
  core::WallTime next_poll_at{};
  std::int64_t entries_seen = 0;
};

// The outcome of one poll of a feed (written fenced, after its entries).
struct FeedPollRecord {
  std::string feed;
  bool ok = false;
  std::string etag;  // ok: validators to send next time ("" for none)
  std::string last_modified;
  std::string error;  // !ok
  std::chrono::milliseconds next_poll_in{0};
};

struct CapMessageRecord {
  std::string id;
  std::string source;
  std::string identifier;
  std::string status;
  std::string msg_type;
  std::string raw;
};

// A stored signal as the read paths need it.
struct SignalRecord {
  std::string id;
  std::string source;
  std::string external_id;
  std::string payload;         // canonical vik.v1.Signal
  std::string cap_message_id;  // empty unless it came in as CAP
  std::string status;
  std::string state;  // active, cancelled, superseded
  core::WallTime received_at;
};

// One version of the region's crisis state.
struct RegionState {
  int version = 0;         // 0: never set
  std::string grip_level;  // "0".."5", "RIJK", or empty
  std::string phase;       // koud, lauw, warm, nafase
  std::string reason;
  std::string set_by;
  std::int64_t set_us = 0;  // microseconds since the epoch
};

// GET /v1/signals: filters (empty = any) and a keyset cursor, newest first.
struct SignalQuery {
  std::string status = "actual";
  std::string state;
  std::string theme;         // the code and its sub-themes
  std::string municipality;  // GMnnnn
  std::string source;
  std::int64_t after_received_us = -1;  // cursor: strictly older than (received_at, id)
  std::string after_id = "00000000-0000-0000-0000-000000000000";
  int limit = 100;
};

struct ListedSignal {
  SignalRecord record;
  std::int64_t received_us = 0;
  std::string ended_by;
  std::int64_t ended_us = 0;  // 0: not ended
};

// One line of the CAP index (GET /cap/alerts.atom).
struct AlertIndexRow {
  std::string signal_id;
  std::string source;
  std::string headline;
  std::vector<std::string> categories;
  core::WallTime sent_at;
  core::WallTime received_at;
  std::optional<core::WallTime> expires_at;
  std::string severity;
};

// An append-only audit record. `object_json` is a JSON object (counts, ids); never secrets.
struct AuditRecord {
  std::string actor;
  std::string origin;
  std::string action;
  std::string object_json;
  std::string result;
};

// A bearer token as the authenticator needs it (the digest, never the secret).
struct TokenRecord {
  std::string id;
  std::string partner;
  std::string digest;  // raw SHA-256 bytes
  std::set<std::string> scopes;
  bool revoked = false;
  core::WallTime created_at;
  std::optional<core::WallTime> revoked_at;
};

struct SourceRecord {
  std::string id;
  std::string partner;
  std::optional<std::int64_t> expected_interval_s;
};

struct Credentials {
  std::vector<TokenRecord> tokens;    // active ones only
  std::vector<SourceRecord> sources;  // all
};

}  // namespace vik::store
