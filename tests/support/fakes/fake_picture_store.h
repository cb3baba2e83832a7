#pragma once

// An in-memory store::PictureStore: a change log of signal versions and analyst levels, the risks
// and level history as the keeper wrote them, source freshness, counts and the keeper's cursor.
// Writes pass `fence` (fake_fence.h). Calls fail as `faults` says (fault_plan.h; operations
// "LoadPictureWarmup", "ReadPictureSources", "ReadPictureChanges", "WritePicture"; an After
// rule on WritePicture is an in-doubt commit: written, yet reported failed).
// The warm-up ignores its time bounds (every signal stored is returned). Header-only, no I/O.
// Thread-safety: safe for concurrent use.

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fake_fence.h"
#include "fakes/fault_plan.h"
#include "store/picture_store.h"

namespace vik::testing {

class FakePictureStore final : public store::PictureStore {
 public:
  struct LevelPoint {
    std::string picture;
    std::string id;
    int effective_level = 0;
  };

  // Appends a signal version to the change log (and to the source's freshness).
  void AddSignal(const domain::RiskSignal& signal) {
    std::lock_guard lock(mu_);
    Row row;
    row.cursor = {++xid_, 0};
    row.signal = signal;
    log_.push_back(std::move(row));
    signals_[signal.id] = signal;
    auto& seen = sources_[signal.source];
    seen.source = signal.source;
    seen.last_signal_at = std::max(seen.last_signal_at, signal.received_at);
  }
  void AddSource(const store::SourceSeen& source) {
    std::lock_guard lock(mu_);
    sources_[source.source] = source;
  }

  core::Result<store::PictureWarmup> LoadPictureWarmup(core::WallTime, core::WallTime) override {
    if (core::Status s = faults.Before("LoadPictureWarmup"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::PictureWarmup warm;
    warm.cursor = cursor_;
    for (const auto& [id, s] : signals_) {
      warm.signals.push_back(s);
    }
    for (const auto& [source, seen] : sources_) {
      warm.sources.push_back(seen);
    }
    for (const auto& [key, row] : risks_) {
      warm.risks.push_back(row);
    }
    return warm;
  }

  core::Result<std::vector<store::SourceSeen>> ReadPictureSources() override {
    if (core::Status s = faults.Before("ReadPictureSources"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    std::vector<store::SourceSeen> out;
    for (const auto& [source, seen] : sources_) {
      out.push_back(seen);
    }
    return out;
  }

  core::Result<store::PictureBatch> ReadPictureChanges(const store::ChangeCursor& after, int limit) override {
    if (core::Status s = faults.Before("ReadPictureChanges"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::PictureBatch batch;
    batch.next = after;
    std::map<std::string, store::SourceSeen> newest;
    for (const auto& row : log_) {
      if (row.cursor <= after) {
        continue;
      }
      if (batch.rows == limit) {
        batch.oldest_unread_us = 0;  // more is committed after `next`
        break;
      }
      ++batch.rows;
      batch.next = row.cursor;
      batch.signals.push_back(signals_.at(row.signal.id));  // as stored now
      auto& seen = newest[row.signal.source];
      seen.source = row.signal.source;
      seen.last_signal_at = std::max(seen.last_signal_at, row.signal.received_at);
    }
    for (auto& [source, seen] : newest) {
      batch.sources.push_back(seen);
    }
    return batch;
  }

  core::Status WritePicture(const store::Fence& writer, const store::PictureWrite& write) override {
    if (core::Status s = faults.Before("WritePicture"); !s.ok()) {
      return s;
    }
    if (core::Status s = fence.Check(writer); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      for (std::size_t i : write.level_changes) {
        const auto& row = write.rows.at(i);
        history_.push_back({row.picture, row.id, row.effective_level});
      }
      for (const auto& row : write.rows) {
        risks_[{row.picture, row.id}] = row;
      }
      for (const auto& seen : write.sources) {
        auto& stored = sources_[seen.source];
        stored.source = seen.source;
        stored.last_signal_at = std::max(stored.last_signal_at, seen.last_signal_at);
      }
      cursor_ = write.cursor;
      counts_ = write.counts;
      ++commits_;
    }
    return faults.After("WritePicture");
  }

  // What was committed.
  std::map<std::pair<std::string, std::string>, store::RiskRow> Risks() const {
    std::lock_guard lock(mu_);
    return risks_;
  }
  std::vector<LevelPoint> History() const {
    std::lock_guard lock(mu_);
    return history_;
  }
  store::ChangeCursor Cursor() const {
    std::lock_guard lock(mu_);
    return cursor_;
  }
  store::ChangeCursor LastLogged() const {
    std::lock_guard lock(mu_);
    return log_.empty() ? store::ChangeCursor{} : log_.back().cursor;
  }
  int Commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }

  FaultPlan faults;
  FakeFence fence;

 private:
  struct Row {
    store::ChangeCursor cursor;
    domain::RiskSignal signal;
  };

  mutable std::mutex mu_;
  std::uint64_t xid_ = 100;
  std::vector<Row> log_;
  std::map<std::string, domain::RiskSignal> signals_;  // newest version by id
  std::map<std::string, store::SourceSeen> sources_;
  std::map<std::pair<std::string, std::string>, store::RiskRow> risks_;
  std::vector<LevelPoint> history_;
  std::map<std::string, domain::PictureCounts> counts_;
  store::ChangeCursor cursor_;
  int commits_ = 0;
};

}  // namespace vik::testing
