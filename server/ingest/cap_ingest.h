#pragma once

// CAP ingest, independent of the transport: POST /v1/cap, IngestService.SubmitCap and the feed
// poller all come here. One call = one CAP document:
//   parse safely (cap/parser.h) -> validate (cap/validator.h) -> check the sender is one of the
//   caller's sources -> map to signals (cap/mapping.h) -> validate the signals -> store the
//   document verbatim with its signals and references in one transaction -> answer.
// Whole-call errors: UNAUTHENTICATED/PERMISSION_DENIED (scope; sender not a source of the caller's
// partner), INVALID_ARGUMENT (unparseable, not CAP 1.2/1.1, spec violations with element paths,
// or a signal that fails vik's own rules), RESOURCE_EXHAUSTED (size limits, rate limit, full
// queue; with retry_after), ALREADY_EXISTS (same sender and identifier with different bytes),
// UNAVAILABLE, UNKNOWN (commit outcome unknown: resubmitting the same document is safe).
// Thread-safety: safe for concurrent use. Submit never blocks (work runs on the blocking pool);
// Process blocks and is for callers already on a blocking thread (the feed poller).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "cap/parser.h"
#include "cap/validator.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/status.h"
#include "domain/signal.h"
#include "ingest/ingest_metrics.h"
#include "ingest/pipeline.h"
#include "ingest/rate_limiter.h"
#include "store/cap_store.h"

namespace vik::ingest {

struct CapSignalReceipt {
  int info_index = 0;
  std::string source;
  std::string external_id;
  ReceiptOutcome outcome = ReceiptOutcome::kAccepted;
  std::string signal_id;
  core::WallTime received_at{};
};

struct CapSubmitResult {
  core::Status status;
  std::vector<domain::FieldViolation> violations;  // INVALID_ARGUMENT: "alert/info[0]/urgency", ...
  std::chrono::seconds retry_after{0};
  bool document_too_large = false;  // RESOURCE_EXHAUSTED from the document's own size or shape (413)
  std::string message_id;
  ReceiptOutcome outcome = ReceiptOutcome::kAccepted;  // kAccepted or kDuplicate when status is OK
  core::WallTime received_at{};
  std::string sender;
  std::string identifier;
  std::string cap_status;  // "Actual", "Exercise", ...
  std::string msg_type;    // "Alert", "Update", "Cancel", "Ack", "Error"
  std::vector<CapSignalReceipt> signals;
  int signals_ended = 0;       // signals this message cancelled or superseded
  int references_pending = 0;  // references to alerts not received yet (applied when they arrive)
  // Accepted, but not as written: a reference to the message itself ignored, a reference over the
  // partner's parked-reference quota dropped (docs/cap.md).
  std::vector<std::string> warnings;
};

// Turns a signal into its canonical payload (the deterministic vik.v1.Signal bytes; injected by
// the app so that ingest/ needs no protobuf).
using CanonicalEncoder = std::function<std::string(const domain::Signal&)>;

// Feed polling: the feed entry a document came from and the leader's fence. The store marks the
// entry in the message's transaction and writes nothing when the fence no longer holds
// (FAILED_PRECONDITION).
struct FeedEntryContext {
  store::FeedEntryMark mark;
  store::Fence fence;
};

struct CapIngestOptions {
  cap::ParseLimits limits;
  domain::SignalLimits signal_limits;
};

class CapIngest {
 public:
  CapIngest(CapIngestOptions options, auth::Authenticator& auth, RateLimiter& limiter, core::BlockingPool& pool,
            store::CapStore& store, Pipeline& pipeline, const core::Clock& clock, IngestMetrics& metrics,
            CanonicalEncoder encode, std::string node_id);

  // `via` names the transport in the stored message and the audit log ("http", "grpc").
  void Submit(const auth::Caller& caller, std::string document, std::string via,
              std::function<void(CapSubmitResult)> done);

  // Blocking form. `partner` is the partner the document is submitted for; `actor`/`origin` go to
  // the audit record. Checks no token scope (the caller did). `feed` (may be null): see
  // FeedEntryContext.
  CapSubmitResult Process(const std::string& partner, const std::string& actor, const std::string& origin,
                          const std::string& document, const std::string& via, const FeedEntryContext* feed = nullptr);

 private:
  CapSubmitResult Refuse(CapSubmitResult r, core::Status status, const char* reason);

  const CapIngestOptions options_;
  auth::Authenticator& auth_;
  RateLimiter& limiter_;
  core::BlockingPool& pool_;
  store::CapStore& store_;
  Pipeline& pipeline_;
  const core::Clock& clock_;
  IngestMetrics& metrics_;
  const CanonicalEncoder encode_;
  const std::string node_id_;
};

}  // namespace vik::ingest
