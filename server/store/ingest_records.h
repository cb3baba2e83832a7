#pragma once

// What the ingest path writes and reads through the store. No libpqxx here.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/signal.h"

namespace vik::store {

// One signal to store. `payload` is the canonical serialized vik.v1.Signal; the store records its
// SHA-256 as the content hash that decides DUPLICATE (same hash) versus conflict (different hash).
struct SignalWrite {
  const domain::Signal* signal = nullptr;
  std::string payload;
  std::string partner;
};

enum class WriteOutcome { kAccepted, kDuplicate, kConflict, kFailed };

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kFailed;
  std::string signal_id;       // accepted: the new id; duplicate/conflict: the original's
  core::WallTime received_at;  // when the stored row was first received
  core::Status error;          // kFailed only: why this row alone could not be stored
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
