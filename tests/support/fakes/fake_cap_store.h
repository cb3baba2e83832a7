#pragma once

// An in-memory store::CapStore for the unit tests: keeps each CAP message by (source, identifier)
// with its raw bytes and signal ids, so the same document again is kDuplicate with the stored
// signals and other bytes under the same identifier kConflict (nothing written but the audit), as
// pg_cap.cc does. A message carrying a fence is refused with store::FencedStatus unless its epoch
// is the current one (SetEpoch). Faults come from a FaultPlan on "WriteCapMessage" and
// "AppendAudit": Before writes nothing (database down), After writes and reports the status anyway
// (an in-doubt commit). References and parked references are not modelled.
// Header-only, no I/O. Thread-safety: safe for concurrent use (a mutex).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "fakes/fault_plan.h"
#include "store/cap_store.h"
#include "store/fence_status.h"

namespace vik::testing {

class FakeCapStore final : public store::CapStore {
 public:
  struct StoredMessage {
    std::string id;
    std::string raw;
    std::string via;
    std::vector<store::WriteResult> signals;
    std::optional<store::FeedEntryMark> feed_entry;
  };

  explicit FakeCapStore(const core::Clock& clock) : clock_(clock) {}

  FaultPlan& faults() { return faults_; }
  // The epoch a fenced write must carry to be written.
  void SetEpoch(std::int64_t epoch) {
    std::lock_guard lock(mu_);
    epoch_ = epoch;
  }

  core::Result<store::CapWriteResult> WriteCapMessage(const store::CapMessageWrite& message,
                                                      const std::vector<store::AuditRecord>& audit,
                                                      const std::string& node_id) override {
    (void)node_id;
    if (core::Status s = faults_.Before("WriteCapMessage"); !s.ok()) {
      return s;
    }
    store::CapWriteResult r;
    {
      std::lock_guard lock(mu_);
      if (message.fence && message.fence->epoch != epoch_) {
        return store::FencedStatus(*message.fence);
      }
      const auto key = std::make_pair(message.source, message.identifier);
      if (auto it = messages_.find(key); it != messages_.end()) {
        r.message_id = it->second.id;
        r.received_at = clock_.Now();
        if (it->second.raw == message.raw) {
          r.outcome = store::WriteOutcome::kDuplicate;
          r.signals = it->second.signals;
          for (auto& s : r.signals) {
            s.outcome = store::WriteOutcome::kDuplicate;
          }
        } else {
          r.outcome = store::WriteOutcome::kConflict;
        }
      } else {
        StoredMessage m{"msg-" + std::to_string(++next_id_), message.raw, message.via, {}, message.feed_entry};
        for (std::size_t i = 0; i < message.signals.size(); ++i) {
          store::WriteResult w;
          w.outcome = store::WriteOutcome::kAccepted;
          w.signal_id = m.id + "-sig-" + std::to_string(i);
          w.received_at = clock_.Now();
          m.signals.push_back(w);
        }
        r.outcome = store::WriteOutcome::kAccepted;
        r.message_id = m.id;
        r.received_at = clock_.Now();
        r.signals = m.signals;
        messages_.emplace(key, std::move(m));
      }
      audit_.insert(audit_.end(), audit.begin(), audit.end());
    }
    if (core::Status s = faults_.After("WriteCapMessage"); !s.ok()) {
      return s;
    }
    return r;
  }

  core::Status AppendAudit(const std::vector<store::AuditRecord>& audit) override {
    if (core::Status s = faults_.Before("AppendAudit"); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      audit_.insert(audit_.end(), audit.begin(), audit.end());
    }
    return faults_.After("AppendAudit");
  }

  std::map<std::pair<std::string, std::string>, StoredMessage> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::vector<store::AuditRecord> audit() const {
    std::lock_guard lock(mu_);
    return audit_;
  }

 private:
  const core::Clock& clock_;
  FaultPlan faults_;
  mutable std::mutex mu_;
  std::int64_t epoch_ = 1;
  std::map<std::pair<std::string, std::string>, StoredMessage> messages_;
  std::vector<store::AuditRecord> audit_;
  int next_id_ = 0;
};

}  // namespace vik::testing
