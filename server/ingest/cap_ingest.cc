#include "ingest/cap_ingest.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "cap/mapping.h"
#include "core/logging.h"

namespace vik::ingest {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string AuditObject(const CapSubmitResult& r, std::size_t bytes) {
  nlohmann::json o{{"bytes", bytes}};
  if (!r.sender.empty()) {
    o["sender"] = r.sender;
    o["identifier"] = r.identifier;
  }
  if (!r.message_id.empty()) {
    o["message_id"] = r.message_id;
  }
  if (!r.signals.empty()) {
    o["signals"] = r.signals.size();
  }
  if (r.signals_ended > 0) {
    o["signals_ended"] = r.signals_ended;
  }
  if (r.references_pending > 0) {
    o["references_pending"] = r.references_pending;
  }
  return o.dump();
}

CapIngestOptions WithoutAreaRequirement(CapIngestOptions options) {
  options.signal_limits.require_area = false;      // CAP allows an <info> without <area>
  options.signal_limits.check_time_order = false;  // and leaves the order of its times to the sender
  return options;
}

}  // namespace

CapIngest::CapIngest(CapIngestOptions options, auth::Authenticator& auth, RateLimiter& limiter,
                     core::BlockingPool& pool, store::CapStore& store, Pipeline& pipeline, const core::Clock& clock,
                     IngestMetrics& metrics, CanonicalEncoder encode, std::string node_id)
    : options_(WithoutAreaRequirement(std::move(options))),
      auth_(auth),
      limiter_(limiter),
      pool_(pool),
      store_(store),
      pipeline_(pipeline),
      clock_(clock),
      metrics_(metrics),
      encode_(std::move(encode)),
      node_id_(std::move(node_id)) {}

CapSubmitResult CapIngest::Refuse(CapSubmitResult r, core::Status status, const char* reason) {
  metrics_.CountRejection(reason);
  r.status = std::move(status);
  return r;
}

void CapIngest::Submit(const auth::Caller& caller, std::string document, std::string via,
                       std::function<void(CapSubmitResult)> done) {
  if (core::Status s = auth::Authenticator::RequireScope(caller, "ingest"); !s.ok()) {
    metrics_.CountRejection("permission");
    CapSubmitResult r;
    r.status = s;
    done(std::move(r));
    return;
  }
  if (auto wait = limiter_.TryTake(caller.partner, 1)) {
    metrics_.rate_limited.Add({{"partner", caller.partner}}).Increment();
    const auto secs = std::max<long long>(1, (wait->count() + 999) / 1000);
    CapSubmitResult r;
    r.retry_after = std::chrono::seconds(secs);
    done(Refuse(std::move(r),
                core::ResourceExhausted("partner \"" + caller.partner + "\" is over its rate limit; retry in " +
                                        std::to_string(secs) + "s"),
                "rate_limited"));
    return;
  }
  auto shared_done = std::make_shared<std::function<void(CapSubmitResult)>>(std::move(done));
  const bool queued =
      pool_.TrySubmit([this, caller, document = std::move(document), via = std::move(via), shared_done] {
        (*shared_done)(Process(caller.partner, caller.Actor(), caller.origin, document, via));
      });
  if (!queued) {
    CapSubmitResult r;
    r.retry_after = std::chrono::seconds(1);
    (*shared_done)(Refuse(std::move(r), core::ResourceExhausted("the server is busy (work queue full); retry shortly"),
                          "queue_full"));
  }
}

CapSubmitResult CapIngest::Process(const std::string& partner, const std::string& actor, const std::string& origin,
                                   const std::string& document, const std::string& via, const FeedEntryContext* feed) {
  CapSubmitResult r;
  auto audit = [&](const CapSubmitResult& result) {
    return store::AuditRecord{actor, origin, "ingest.cap", AuditObject(result, document.size()),
                              result.status.ok() ? "ok" : std::string(core::StatusCodeName(result.status.code()))};
  };
  auto finish = [&](CapSubmitResult result, const char* reason) {
    if (!result.status.ok()) {
      metrics_.CountRejection(reason);
      // A refused document is audited too (best effort: the answer does not wait for it).
      if (core::Status s = store_.AppendAudit({audit(result)}); !s.ok()) {
        metrics_.audit_dropped.Increment();
      }
    }
    return result;
  };

  auto parsed = cap::ParseAlert(document, options_.limits);
  if (!parsed.ok()) {
    r.status = parsed.status();
    r.document_too_large = r.status.code() == core::StatusCode::kResourceExhausted;
    return finish(std::move(r), "cap_parse");
  }
  const cap::Alert& alert = *parsed;
  r.sender = alert.sender;
  r.identifier = alert.identifier;
  r.cap_status = alert.status;
  r.msg_type = alert.msg_type;
  if (auto violations = cap::Validate(alert); !violations.empty()) {
    for (const auto& v : violations) {
      r.violations.push_back({v.path, v.message});
    }
    r.status = core::InvalidArgument(
        "invalid CAP " + std::string(cap::Name(alert.version)) + " alert: " + cap::Format(violations.front()) +
        (violations.size() > 1 ? " (and " + std::to_string(violations.size() - 1) + " more)" : ""));
    return finish(std::move(r), "cap_invalid");
  }
  auth::Caller owner;
  owner.partner = partner;
  if (!auth_.OwnsSource(owner, alert.sender)) {
    r.status = core::PermissionDenied("alert/sender: partner \"" + partner + "\" may not submit CAP for sender \"" +
                                      alert.sender + "\" (register it as one of the partner's sources)");
    return finish(std::move(r), "foreign_source");
  }
  auto reference = pipeline_.reference_data();
  if (!reference) {
    r.status = core::Unavailable("the region's reference data is not loaded");
    r.retry_after = std::chrono::seconds(1);
    return finish(std::move(r), "unavailable");
  }

  cap::MappedAlert mapped = cap::MapAlert(alert, *reference, options_.signal_limits);
  r.warnings = mapped.warnings;
  store::CapMessageWrite write;
  write.source = alert.sender;
  write.identifier = alert.identifier;
  write.sent = alert.sent;
  write.sent_at = mapped.sent_at;
  write.status = Lower(alert.status);
  write.msg_type = Lower(alert.msg_type);
  write.scope = Lower(alert.scope);
  write.cap_version = cap::Name(alert.version);
  for (const auto& ref : mapped.references) {
    write.references.push_back({ref.sender, ref.identifier, ref.sent});
  }
  write.raw = document;
  write.info_count = static_cast<int>(alert.infos.size());
  write.via = via;
  write.partner = partner;
  if (feed != nullptr) {
    write.feed_entry = feed->mark;
    write.fence = feed->fence;
  }
  const core::WallTime now = clock_.Now();
  for (std::size_t i = 0; i < mapped.signals.size(); ++i) {
    const auto& m = mapped.signals[i];
    auto violations = domain::ValidateSignal(m.signal, *reference, options_.signal_limits, now);
    if (!violations.empty()) {
      const std::string prefix = "alert/info[" + std::to_string(m.info_index) + "] as signal";
      for (const auto& v : violations) {
        r.violations.push_back({prefix + "." + v.field, v.description});
      }
      r.status =
          core::InvalidArgument("the alert's info[" + std::to_string(m.info_index) +
                                "] does not make a valid signal: " + domain::FormatViolation(violations.front()));
      return finish(std::move(r), "validation");
    }
  }
  for (const auto& m : mapped.signals) {
    write.signals.push_back({&m.signal, encode_(m.signal), partner, m.info_index});
  }

  CapSubmitResult pending = r;
  pending.status = core::Status::Ok();
  auto stored = store_.WriteCapMessage(write, {audit(pending)}, node_id_);
  if (!stored.ok()) {
    r.status = stored.status();
    if (r.status.code() == core::StatusCode::kUnavailable || r.status.code() == core::StatusCode::kResourceExhausted) {
      r.retry_after = std::chrono::seconds(1);
    }
    if (r.status.code() == core::StatusCode::kUnknown) {
      r.status = core::Unknown("the outcome of storing the CAP message is unknown: " + r.status.message() +
                               "; resubmitting the same document is safe");
    }
    return finish(std::move(r), "store");
  }
  r.message_id = stored->message_id;
  r.received_at = stored->received_at;
  if (stored->outcome == store::WriteOutcome::kConflict) {
    r.status = core::AlreadyExists("alert/identifier: sender \"" + alert.sender + "\" already used identifier \"" +
                                   alert.identifier + "\" for a different document (message " + stored->message_id +
                                   "); a new or corrected alert needs a new identifier");
    metrics_.CountRejection("conflict");
    return r;
  }
  r.outcome =
      stored->outcome == store::WriteOutcome::kDuplicate ? ReceiptOutcome::kDuplicate : ReceiptOutcome::kAccepted;
  r.signals_ended = stored->signals_ended;
  r.references_pending = stored->references_pending;
  r.warnings.insert(r.warnings.end(), stored->warnings.begin(), stored->warnings.end());
  for (std::size_t i = 0; i < mapped.signals.size(); ++i) {
    const auto& m = mapped.signals[i];
    const auto& w = stored->signals[i];
    CapSignalReceipt receipt{m.info_index,
                             m.signal.source,
                             m.signal.external_id,
                             w.outcome == store::WriteOutcome::kAccepted    ? ReceiptOutcome::kAccepted
                             : w.outcome == store::WriteOutcome::kDuplicate ? ReceiptOutcome::kDuplicate
                                                                            : ReceiptOutcome::kRejected,
                             w.signal_id,
                             w.received_at};
    metrics_.CountSignal(receipt.outcome == ReceiptOutcome::kAccepted    ? "accepted"
                         : receipt.outcome == ReceiptOutcome::kDuplicate ? "duplicate"
                                                                         : "rejected",
                         m.signal.source);
    r.signals.push_back(std::move(receipt));
  }
  return r;
}

}  // namespace vik::ingest
