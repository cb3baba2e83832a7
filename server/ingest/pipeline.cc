#include "ingest/pipeline.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace vik::ingest {
namespace {

std::string At(std::size_t i) { return "signals[" + std::to_string(i) + "]"; }

// Everything one call needs until its last signal is answered.
struct CallState : CallStateBase {
  std::mutex mu;
  SubmitResult result;
  std::size_t remaining = 0;
  core::Status batch_error;
  std::function<void(SubmitResult)> done;
};

const char* OutcomeName(ReceiptOutcome o) {
  switch (o) {
    case ReceiptOutcome::kAccepted:
      return "accepted";
    case ReceiptOutcome::kDuplicate:
      return "duplicate";
    case ReceiptOutcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

// A whole-batch failure is worse the less the caller knows: UNKNOWN > UNAVAILABLE > the rest.
int Severity(const core::Status& s) {
  if (s.ok()) {
    return 0;
  }
  if (s.code() == core::StatusCode::kUnknown) {
    return 3;
  }
  return s.code() == core::StatusCode::kUnavailable ? 2 : 1;
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, auth::Authenticator& auth, RateLimiter& limiter, BatchWriter& writer,
                   const core::Clock& clock, IngestMetrics& metrics)
    : options_(std::move(options)), auth_(auth), limiter_(limiter), writer_(writer), clock_(clock), metrics_(metrics) {}

void Pipeline::SetReferenceData(std::shared_ptr<const domain::ReferenceData> reference) {
  std::lock_guard lock(mu_);
  reference_ = std::move(reference);
}

std::shared_ptr<const domain::ReferenceData> Pipeline::reference() const {
  std::lock_guard lock(mu_);
  return reference_;
}

bool Pipeline::has_reference_data() const { return reference() != nullptr; }

void Pipeline::Audit(const auth::Caller& caller, const std::string& action, const std::string& object_json,
                     const std::string& result) {
  writer_.EnqueueAudit({caller.Actor(), caller.origin, action, object_json, result});
}

void Pipeline::Submit(const auth::Caller& caller, std::vector<IncomingSignal> signals, const std::string& action,
                      bool audit, std::function<void(SubmitResult)> done, std::size_t index_base) {
  const std::size_t n = signals.size();
  // Answers the whole call with `status`, audited and counted.
  auto refuse = [&](core::Status status, const char* reason, std::chrono::seconds retry_after) {
    metrics_.CountRejection(reason, static_cast<double>(std::max<std::size_t>(n, 1)));
    if (audit) {
      Audit(caller, action, nlohmann::json{{"signals", n}}.dump(), std::string(core::StatusCodeName(status.code())));
    }
    SubmitResult r;
    r.status = std::move(status);
    r.retry_after = retry_after;
    done(std::move(r));
  };

  if (core::Status s = auth::Authenticator::RequireScope(caller, "ingest"); !s.ok()) {
    refuse(s, "permission", std::chrono::seconds(0));
    return;
  }
  if (n == 0) {
    refuse(core::InvalidArgument("signals: at least one signal is required"), "validation", std::chrono::seconds(0));
    return;
  }
  if (n > options_.max_batch) {
    refuse(core::InvalidArgument("signals: " + std::to_string(n) + " signals exceed the limit of " +
                                 std::to_string(options_.max_batch) + " per call"),
           "validation", std::chrono::seconds(0));
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& source = signals[i].signal.source;
    if (!source.empty() && !auth_.OwnsSource(caller, source)) {
      refuse(core::PermissionDenied(At(index_base + i) + ".source: partner \"" + caller.partner +
                                    "\" may not submit for source \"" + source + "\""),
             "foreign_source", std::chrono::seconds(0));
      return;
    }
  }
  auto reference_data = reference();
  if (!reference_data) {
    refuse(core::Unavailable("the region's reference data is not loaded (database unreachable, or no "
                             "municipalities for this region)"),
           "unavailable", std::chrono::seconds(1));
    return;
  }
  if (auto wait = limiter_.TryTake(caller.partner, static_cast<double>(n))) {
    metrics_.rate_limited.Add({{"partner", caller.partner}}).Increment();
    const auto secs = std::max<long long>(1, (wait->count() + 999) / 1000);
    refuse(core::ResourceExhausted("partner \"" + caller.partner + "\" is over its rate limit; retry in " +
                                   std::to_string(secs) + "s"),
           "rate_limited", std::chrono::seconds(secs));
    return;
  }

  auto state = std::make_shared<CallState>();
  state->result.receipts.resize(n);
  // Runs once, when the last signal of the call has its outcome: metrics, audit, answer.
  state->done = [this, caller, action, audit, n, done, state_ptr = state.get()](SubmitResult r) {
    Finalize(caller, action, audit, n, state_ptr->batch_error, r);
    done(std::move(r));
  };
  const core::WallTime now = clock_.Now();
  std::vector<WriteItem> items;
  for (std::size_t i = 0; i < n; ++i) {
    IncomingSignal& in = signals[i];
    ReceiptData& receipt = state->result.receipts[i];
    receipt.index = static_cast<int>(index_base + i);
    receipt.source = in.signal.source;
    receipt.external_id = in.signal.external_id;
    std::vector<domain::FieldViolation> violations = domain::MergeViolations(
        in.violations, domain::ValidateSignal(in.signal, *reference_data, options_.limits, now));
    if (!violations.empty()) {
      receipt.outcome = ReceiptOutcome::kRejected;
      for (auto& v : violations) {
        v.field = At(index_base + i) + "." + v.field;  // paths name the signal, as the message does
      }
      std::string message = "invalid signal: " + domain::FormatViolation(violations.front());
      if (violations.size() > 1) {
        message += " (and " + std::to_string(violations.size() - 1) + " more)";
      }
      receipt.error = core::InvalidArgument(std::move(message));
      receipt.violations = std::move(violations);
      metrics_.CountRejection("validation");
      continue;
    }
    items.push_back({std::move(in.signal), std::move(in.payload), caller.partner,
                     [state, i, index_base](const store::WriteResult& result, const core::Status& batch_status) {
                       RecordOutcome(*state, i, index_base + i, result, batch_status);
                     }});
  }
  if (items.empty()) {
    auto finish = std::move(state->done);
    finish(std::move(state->result));
    return;
  }
  state->remaining = items.size();
  if (!writer_.Enqueue(std::move(items))) {
    // Nothing was enqueued, so no callback will run: answer here.
    refuse(core::ResourceExhausted("the write queue is full; retry shortly"), "queue_full", std::chrono::seconds(1));
  }
}

void Pipeline::RecordOutcome(CallStateBase& base, std::size_t i, std::size_t position, const store::WriteResult& result,
                             const core::Status& batch_status) {
  auto& state = static_cast<CallState&>(base);
  std::function<void(SubmitResult)> finish;
  {
    std::lock_guard lock(state.mu);
    if (!batch_status.ok()) {
      if (Severity(batch_status) > Severity(state.batch_error)) {
        state.batch_error = batch_status;
      }
    } else {
      ReceiptData& r = state.result.receipts[i];
      r.signal_id = result.signal_id;
      r.received_at = result.received_at;
      r.warnings = result.warnings;
      switch (result.outcome) {
        case store::WriteOutcome::kAccepted:
          r.outcome = ReceiptOutcome::kAccepted;
          break;
        case store::WriteOutcome::kDuplicate:
          r.outcome = ReceiptOutcome::kDuplicate;
          break;
        case store::WriteOutcome::kConflict:
          r.outcome = ReceiptOutcome::kRejected;
          r.error = core::AlreadyExists(At(position) + ": (" + r.source + ", " + r.external_id +
                                        ") is already stored with different content as " + result.signal_id +
                                        "; the original is kept");
          break;
        case store::WriteOutcome::kFailed:
          r.outcome = ReceiptOutcome::kRejected;
          r.signal_id.clear();
          // The database's detail stays in the log; the client learns what failed.
          r.error = core::Status(result.error.code(), At(position) + ": the database refused this signal (" +
                                                          std::string(core::StatusCodeName(result.error.code())) +
                                                          "); it was not stored");
          break;
      }
    }
    if (--state.remaining == 0) {
      finish = std::move(state.done);
    }
  }
  if (finish) {
    finish(std::move(state.result));  // the last outcome: nobody else touches the state now
  }
}

void Pipeline::Finalize(const auth::Caller& caller, const std::string& action, bool audit, std::size_t n,
                        const core::Status& batch_error, SubmitResult& r) {
  std::size_t accepted = 0, duplicate = 0, rejected = 0;
  if (!batch_error.ok()) {
    r.receipts.clear();
    // Client messages say what happened and what to do; the database's detail is in the log.
    if (batch_error.code() == core::StatusCode::kUnknown) {
      r.status = core::Unknown(
          "the outcome of the commit is unknown (the database connection was lost during COMMIT); retrying with "
          "the same (source, external_id) keys is safe: signals that were stored come back as DUPLICATE");
      metrics_.CountRejection("in_doubt", static_cast<double>(n));
    } else if (batch_error.code() == core::StatusCode::kUnavailable) {
      r.status = core::Unavailable(
          "the database is unavailable; the signals were not acknowledged: retry later with the same keys "
          "(any that were stored come back as DUPLICATE)");
      r.retry_after = std::chrono::seconds(1);
      metrics_.CountRejection("unavailable", static_cast<double>(n));
    } else {
      r.status = core::Status(batch_error.code(), "storing the signals failed (" +
                                                      std::string(core::StatusCodeName(batch_error.code())) +
                                                      "); the signals were not acknowledged: retry later with the "
                                                      "same keys (any that were stored come back as DUPLICATE)");
      r.retry_after = std::chrono::seconds(1);
      metrics_.CountRejection("store_error", static_cast<double>(n));
    }
  } else {
    for (const auto& rc : r.receipts) {
      metrics_.CountSignal(OutcomeName(rc.outcome), rc.source);
      accepted += rc.outcome == ReceiptOutcome::kAccepted;
      duplicate += rc.outcome == ReceiptOutcome::kDuplicate;
      rejected += rc.outcome == ReceiptOutcome::kRejected;
      if (rc.outcome == ReceiptOutcome::kRejected && rc.error.code() == core::StatusCode::kAlreadyExists) {
        metrics_.CountRejection("conflict");
      }
    }
  }
  if (audit) {
    nlohmann::json object{{"signals", n}, {"accepted", accepted}, {"duplicate", duplicate}, {"rejected", rejected}};
    Audit(caller, action, object.dump(), r.status.ok() ? "ok" : std::string(core::StatusCodeName(r.status.code())));
  }
}

}  // namespace vik::ingest
