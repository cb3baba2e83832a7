#pragma once

// The ingest pipeline, independent of the transport: checks the caller, the batch and the rate
// limit, validates every signal, hands the valid ones to the group-commit writer, and answers once
// every signal of the call has its outcome. gRPC (rpc/) and HTTP (http/) both call Submit.
//
// Whole-call failures (no receipts): UNAUTHENTICATED/PERMISSION_DENIED (scope, or a source the
// partner does not own), INVALID_ARGUMENT (empty or oversized batch), RESOURCE_EXHAUSTED (rate
// limit, full queue; with retry_after), UNAVAILABLE (database or reference data unavailable; with
// retry_after), UNKNOWN (a commit's outcome is unknown: retrying with the same keys is safe).
// Otherwise OK with one receipt per signal: ACCEPTED, DUPLICATE or REJECTED (validation, or the
// same key with different content: ALREADY_EXISTS).
// Thread-safety: safe for concurrent use; never blocks; `done` runs on a writer thread or inline.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/status.h"
#include "domain/reference_data.h"
#include "domain/signal.h"
#include "domain/signal_validation.h"
#include "ingest/batch_writer.h"
#include "ingest/ingest_metrics.h"
#include "ingest/rate_limiter.h"

namespace vik::ingest {

struct IncomingSignal {
  domain::Signal signal;
  std::vector<domain::FieldViolation> violations;  // found while decoding (bad enum values, ...)
  std::string payload;                             // canonical serialized vik.v1.Signal
};

enum class ReceiptOutcome { kAccepted, kDuplicate, kRejected };

struct ReceiptData {
  int index = 0;
  std::string source;
  std::string external_id;
  ReceiptOutcome outcome = ReceiptOutcome::kRejected;
  std::string signal_id;
  core::WallTime received_at{};
  core::Status error;  // kRejected only
  std::vector<domain::FieldViolation> violations;
  std::vector<std::string> warnings;  // accepted, but not as written (store::WriteResult::warnings)
};

struct SubmitResult {
  core::Status status;
  std::vector<ReceiptData> receipts;
  std::chrono::seconds retry_after{0};  // for RESOURCE_EXHAUSTED / UNAVAILABLE
};

struct PipelineOptions {
  std::size_t max_batch = 1000;
  domain::SignalLimits limits;
};

// Per-call bookkeeping (defined in pipeline.cc).
struct CallStateBase {
  virtual ~CallStateBase() = default;
};

class Pipeline {
 public:
  Pipeline(PipelineOptions options, auth::Authenticator& auth, RateLimiter& limiter, BatchWriter& writer,
           const core::Clock& clock, IngestMetrics& metrics);

  // The region's reference data; until it is set, Submit answers UNAVAILABLE.
  void SetReferenceData(std::shared_ptr<const domain::ReferenceData> reference);
  bool has_reference_data() const;
  // The current reference data (null until loaded).
  std::shared_ptr<const domain::ReferenceData> reference_data() const { return reference(); }

  // `action` names the call in the audit log ("ingest.submit", "ingest.http").
  // With `audit` false the caller writes its own audit record (streams: one per stream).
  // `index_base` numbers the signals in receipts and messages (a stream passes its position).
  void Submit(const auth::Caller& caller, std::vector<IncomingSignal> signals, const std::string& action, bool audit,
              std::function<void(SubmitResult)> done, std::size_t index_base = 0);

  void Audit(const auth::Caller& caller, const std::string& action, const std::string& object_json,
             const std::string& result);

  const PipelineOptions& options() const { return options_; }

 private:
  std::shared_ptr<const domain::ReferenceData> reference() const;
  // `i` is the signal's slot in this call, `position` its number in receipts and messages.
  static void RecordOutcome(CallStateBase& state, std::size_t i, std::size_t position, const store::WriteResult& result,
                            const core::Status& batch_status);
  void Finalize(const auth::Caller& caller, const std::string& action, bool audit, std::size_t n,
                const core::Status& batch_error, SubmitResult& r);

  const PipelineOptions options_;
  auth::Authenticator& auth_;
  RateLimiter& limiter_;
  BatchWriter& writer_;
  const core::Clock& clock_;
  IngestMetrics& metrics_;
  mutable std::mutex mu_;
  std::shared_ptr<const domain::ReferenceData> reference_;
};

}  // namespace vik::ingest
