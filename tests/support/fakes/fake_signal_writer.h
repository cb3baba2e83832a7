#pragma once

// An in-memory store::SignalWriter for the unit tests: keeps one row per (source, external_id) with
// the payload it was first stored with, so a resubmission is kDuplicate and a different payload
// under the same key is kConflict, as pg_ingest.cc does. Faults come from a FaultPlan on the
// operation "WriteSignals": a Before-failure writes nothing (database down), an After-failure
// writes the batch and reports the status anyway (an in-doubt commit). Refuse() makes one key fail
// alone (kFailed with that status) while its neighbours are stored.
// Header-only, no I/O. Thread-safety: safe for concurrent use (a mutex).

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "fakes/fault_plan.h"
#include "store/signal_writer.h"

namespace vik::testing {

class FakeSignalWriter final : public store::SignalWriter {
 public:
  struct StoredSignal {
    std::string id;
    std::string payload;
    std::string partner;
    core::WallTime received_at;
  };

  explicit FakeSignalWriter(const core::Clock& clock) : clock_(clock) {}

  FaultPlan& faults() { return faults_; }

  // Rows with this external id fail alone with `status` (the database refused the row).
  void Refuse(const std::string& external_id, core::Status status) {
    std::lock_guard lock(mu_);
    refused_[external_id] = std::move(status);
  }

  core::Result<std::vector<store::WriteResult>> WriteSignals(const std::vector<store::SignalWrite>& rows,
                                                             const std::vector<store::AuditRecord>& audit,
                                                             const std::string& node_id) override {
    if (core::Status s = faults_.Before("WriteSignals"); !s.ok()) {
      return s;
    }
    std::vector<store::WriteResult> results;
    {
      std::lock_guard lock(mu_);
      batch_sizes_.push_back(rows.size());
      nodes_.push_back(node_id);
      for (const auto& row : rows) {
        results.push_back(WriteRow(row));
      }
      audit_.insert(audit_.end(), audit.begin(), audit.end());
    }
    if (core::Status s = faults_.After("WriteSignals"); !s.ok()) {
      return s;
    }
    return results;
  }

  // What is stored: (source, external_id) -> row.
  std::map<std::pair<std::string, std::string>, StoredSignal> stored() const {
    std::lock_guard lock(mu_);
    return stored_;
  }
  std::size_t stored_count() const {
    std::lock_guard lock(mu_);
    return stored_.size();
  }
  // The number of rows of each batch that reached the store (failed-before batches excluded).
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }
  std::vector<store::AuditRecord> audit() const {
    std::lock_guard lock(mu_);
    return audit_;
  }
  std::vector<std::string> nodes() const {
    std::lock_guard lock(mu_);
    return nodes_;
  }

 private:
  store::WriteResult WriteRow(const store::SignalWrite& row) {
    store::WriteResult r;
    if (auto it = refused_.find(row.signal->external_id); it != refused_.end()) {
      r.outcome = store::WriteOutcome::kFailed;
      r.error = it->second;
      return r;
    }
    const auto key = std::make_pair(row.signal->source, row.signal->external_id);
    if (auto it = stored_.find(key); it != stored_.end()) {
      r.outcome = it->second.payload == row.payload ? store::WriteOutcome::kDuplicate : store::WriteOutcome::kConflict;
      r.signal_id = it->second.id;
      r.received_at = it->second.received_at;
      return r;
    }
    StoredSignal s{"sig-" + std::to_string(++next_id_), row.payload, row.partner, clock_.Now()};
    r.outcome = store::WriteOutcome::kAccepted;
    r.signal_id = s.id;
    r.received_at = s.received_at;
    stored_.emplace(key, std::move(s));
    return r;
  }

  const core::Clock& clock_;
  FaultPlan faults_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, StoredSignal> stored_;
  std::map<std::string, core::Status> refused_;
  std::vector<std::size_t> batch_sizes_;
  std::vector<store::AuditRecord> audit_;
  std::vector<std::string> nodes_;
  int next_id_ = 0;
};

}  // namespace vik::testing
