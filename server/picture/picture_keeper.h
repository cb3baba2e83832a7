#pragma once

// The picture keeper: keeps the stored risk picture (table `risks`, docs/risk-model.md) current from
// the change log. Runs on the leader only, one round at a time; every write passes the leader's
// fence, so a deposed leader can never overwrite its successor's picture.
//
// A round: on a new term (or after any error) warm up from the database (the signals that can
// contribute now, analyst levels, source freshness, the risks as last written, the cursor); then
// read the change log after the cursor and apply each changed signal and assessment to the risk
// engine (one RiskBook per picture: actual and exercise, never mixed); recompute what time changed;
// write the risks that differ from what was written (with level history and change-log rows),
// source freshness, counts and the new cursor, in one transaction. A failover therefore loses
// nothing: the successor rebuilds the same books from the same rows (the engine is deterministic)
// and continues from the last cursor written.
//
// Thread-safety: Round and Reset must not run concurrently (the owner serialises them).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include "core/clock.h"
#include "core/status.h"
#include "domain/risk_engine.h"
#include "store/picture_store.h"

namespace vik::picture {

struct KeeperOptions {
  domain::RiskEngineConfig engine;
  int batch_rows = 5000;              // change-log rows per read
  int max_batches = 20;               // reads per round (the rest waits for the next round)
  std::chrono::seconds heartbeat{5};  // write the cursor and counts at least this often; re-read sources
  std::string node_id;
};

class PictureMetrics {
 public:
  explicit PictureMetrics(prometheus::Registry& registry);
  prometheus::Family<prometheus::Counter>& rounds;  // result
  prometheus::Histogram& round_seconds;
  prometheus::Counter& changes_read;
  prometheus::Counter& risk_writes;
  prometheus::Family<prometheus::Gauge>& risks;  // picture, level
  prometheus::Gauge& signals_held;
  prometheus::Gauge& last_write;                         // unix seconds
  prometheus::Gauge& lag;                                // seconds
  prometheus::Family<prometheus::Gauge>& source_silent;  // source
  prometheus::Family<prometheus::Gauge>& source_last;    // source
};

class PictureKeeper {
 public:
  PictureKeeper(store::PictureStore& store, const core::Clock& clock, KeeperOptions options,
                std::shared_ptr<spdlog::logger> log, PictureMetrics& metrics);

  // One round as the holder of `fence`. FAILED_PRECONDITION ("fenced", store::IsFenced) when the
  // fence no longer holds: the caller steps down. Other errors are retried by the next round
  // (after a fresh warm-up).
  // `keep_going` is asked between change-log batches (shutdown, lost lease): false ends the round
  // early; what was read so far is written.
  core::Status Round(const store::Fence& fence, const std::function<bool()>& keep_going);

  // Forgets everything (leadership lost); the next Round warms up.
  void Reset();

  bool warm() const { return warm_; }

 private:
  struct Book {
    std::string picture;
    std::unique_ptr<domain::RiskBook> book;
  };

  core::Status WarmUp(core::WallTime now);
  // Applies a round's change-log batches in order, evaluating each touched risk once.
  void ApplyBatches(const std::vector<store::PictureBatch>& batches, core::WallTime now);
  // Records a source's newer last signal; true when it advanced (the books need it).
  bool SetHealth(const store::SourceSeen& seen);
  // Applies freshness updates and signals to the book of each signal's picture, evaluating each
  // touched risk once.
  void ApplyToBooks(const std::vector<std::pair<std::string, domain::SourceHealth>>& health,
                    const std::vector<domain::RiskSignal>& signals, core::WallTime now);
  // The rows to write: every risk that differs from `written_`.
  store::PictureWrite Diff(core::WallTime now) const;
  Book* BookOf(const std::string& picture);
  void ExportSourceMetrics(core::WallTime now);
  // Picks up sources added or changed since the warm-up (expected intervals).
  core::Status RefreshSources(core::WallTime now);
  // Removes the per-source and per-level series this instance exported (a follower exports none).
  void ClearExportedMetrics();

  store::PictureStore& store_;
  const core::Clock& clock_;
  const KeeperOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  PictureMetrics& metrics_;

  bool warm_ = false;
  std::int64_t epoch_ = 0;
  Book actual_;
  Book exercise_;
  store::ChangeCursor cursor_;                                             // read up to here (in the books)
  store::ChangeCursor written_cursor_;                                     // persisted up to here
  std::map<std::pair<std::string, std::string>, store::RiskRow> written_;  // (picture, id) as persisted
  std::map<std::string, domain::PictureCounts> written_counts_;
  std::map<std::string, domain::SourceHealth> health_;
  std::map<std::string, core::WallTime> health_unwritten_;
  std::optional<core::WallTime> last_write_;
  std::vector<prometheus::Gauge*> exported_silent_;
  std::vector<prometheus::Gauge*> exported_last_;
  std::vector<prometheus::Gauge*> exported_risks_;
};

}  // namespace vik::picture
