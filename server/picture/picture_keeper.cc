#include "picture/picture_keeper.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/logging.h"
#include "domain/picture.h"
#include "metrics/declare.h"
#include "store/fence_status.h"

namespace vik::picture {
namespace {

double UnixSeconds(core::WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

std::int64_t Micros(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

store::RiskRow RowOf(const std::string& picture, const domain::RiskView& v, int priority) {
  store::RiskRow row;
  row.picture = picture;
  row.id = v.id;
  row.theme = v.key.theme;
  row.municipality = v.key.municipality;
  row.in_picture = true;
  row.priority = priority;
  row.levels = v.levels;
  row.analyst_level = v.analyst_level;
  row.effective_level = v.effective_level;
  row.worst_severity = domain::Name(v.worst_severity);
  row.sources = v.sources;
  row.breadth = v.breadth;
  row.signals_in_effect = v.signals_in_effect;
  row.signals_upcoming = v.signals_upcoming;
  row.signal_ids = v.signal_ids;
  row.computed_us = Micros(v.computed_at);
  return row;
}

// A risk the engine dropped: out of the picture, levels zero.
store::RiskRow Removed(store::RiskRow row, core::WallTime now) {
  row.in_picture = false;
  row.priority = 0;
  row.levels = domain::RiskLevels{};
  row.analyst_level.reset();
  row.effective_level = 0;
  row.sources = 0;
  row.breadth = 0;
  row.signals_in_effect = 0;
  row.signals_upcoming = 0;
  row.signal_ids.clear();
  row.computed_us = Micros(now);
  return row;
}

bool LevelsDiffer(const store::RiskRow& a, const store::RiskRow& b) {
  return a.levels != b.levels || a.analyst_level != b.analyst_level || a.effective_level != b.effective_level ||
         a.in_picture != b.in_picture;
}

}  // namespace

PictureMetrics::PictureMetrics(prometheus::Registry& registry)
    : rounds(metrics::CounterFamily(registry, "vik_picture_rounds_total",
                                    "Rounds of the picture keeper (leader only), by result")),
      round_seconds(
          metrics::Histogram(registry, "vik_picture_round_seconds", "Duration of a picture keeper round",
                             metrics::Buckets{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10})),
      changes_read(
          metrics::Counter(registry, "vik_picture_changes_read_total", "Change-log rows read by the picture keeper")),
      risk_writes(
          metrics::Counter(registry, "vik_picture_risk_writes_total", "Risk rows written by the picture keeper")),
      risks(
          metrics::GaugeFamily(registry, "vik_picture_risks", "Risks in the picture by effective level (leader only)")),
      signals_held(
          metrics::Gauge(registry, "vik_picture_signals_held",
                         "Signals held by the risk engine (in effect, upcoming or within the trend look-back)")),
      last_write(metrics::Gauge(registry, "vik_picture_last_write_timestamp_seconds",
                                "When the picture keeper last committed a round (leader only)")),
      lag(metrics::Gauge(registry, "vik_picture_lag_seconds",
                         "Age of the oldest committed change the keeper has not applied (0: caught up; leader only). "
                         "Grows while a long transaction holds the change log back")),
      source_silent(metrics::GaugeFamily(registry, "vik_source_silent",
                                         "1 when a source with an expected interval has been silent for more than two "
                                         "intervals (leader only)")),
      source_last(metrics::GaugeFamily(registry, "vik_source_last_signal_timestamp_seconds",
                                       "When a source last delivered a signal, over all instances (leader only)")) {}

PictureKeeper::PictureKeeper(store::PictureStore& store, const core::Clock& clock, KeeperOptions options,
                             std::shared_ptr<spdlog::logger> log, PictureMetrics& metrics)
    : store_(store), clock_(clock), options_(std::move(options)), log_(std::move(log)), metrics_(metrics) {
  Reset();
}

void PictureKeeper::ClearExportedMetrics() {
  for (auto* g : exported_silent_) {
    metrics_.source_silent.Remove(g);
  }
  for (auto* g : exported_last_) {
    metrics_.source_last.Remove(g);
  }
  for (auto* g : exported_risks_) {
    metrics_.risks.Remove(g);
  }
  exported_silent_.clear();
  exported_last_.clear();
  exported_risks_.clear();
  metrics_.lag.Set(0);
}

void PictureKeeper::Reset() {
  ClearExportedMetrics();
  warm_ = false;
  epoch_ = 0;
  actual_ = Book{std::string(domain::PictureName(domain::Picture::kActual)),
                 std::make_unique<domain::RiskBook>(domain::SignalStatus::kActual, options_.engine)};
  exercise_ = Book{std::string(domain::PictureName(domain::Picture::kExercise)),
                   std::make_unique<domain::RiskBook>(domain::SignalStatus::kExercise, options_.engine)};
  cursor_ = {};
  written_cursor_ = {};
  written_.clear();
  written_counts_.clear();
  health_.clear();
  health_unwritten_.clear();
  last_write_.reset();
}

PictureKeeper::Book* PictureKeeper::BookOf(const std::string& picture) {
  const auto which = domain::ParsePicture(picture);
  if (!which) {
    return nullptr;
  }
  return *which == domain::Picture::kExercise ? &exercise_ : &actual_;
}

bool PictureKeeper::SetHealth(const store::SourceSeen& seen) {
  domain::SourceHealth& h = health_[seen.source];
  if (seen.last_signal_at <= h.last_seen) {
    return false;
  }
  h.last_seen = seen.last_signal_at;
  health_unwritten_[seen.source] = seen.last_signal_at;
  return true;
}

void PictureKeeper::ApplyToBooks(const std::vector<std::pair<std::string, domain::SourceHealth>>& health,
                                 const std::vector<domain::RiskSignal>& signals, core::WallTime now) {
  std::vector<domain::RiskSignal> actual;
  std::vector<domain::RiskSignal> exercise;
  for (const auto& s : signals) {
    if (s.status == domain::SignalStatus::kActual) {
      actual.push_back(s);
    } else if (s.status == domain::SignalStatus::kExercise) {
      exercise.push_back(s);
    }
  }
  actual_.book->ApplyAll(health, actual, now);
  exercise_.book->ApplyAll(health, exercise, now);
}

core::Status PictureKeeper::WarmUp(core::WallTime now) {
  const auto& c = options_.engine;
  const auto longest = *std::max_element(c.default_validity.begin(), c.default_validity.end());
  auto warm = store_.LoadPictureWarmup(now - c.trend_lookback, now - longest - c.trend_lookback);
  if (!warm.ok()) {
    return warm.status().WithContext("picture warm-up");
  }
  const std::int64_t epoch = epoch_;
  Reset();
  epoch_ = epoch;
  std::vector<std::pair<std::string, domain::SourceHealth>> health;
  for (const auto& s : warm->sources) {
    health_[s.source] = domain::SourceHealth{s.last_signal_at, s.expected_interval};
    health.emplace_back(s.source, health_[s.source]);
  }
  ApplyToBooks(health, warm->signals, now);  // each risk evaluated once
  for (const auto& l : warm->levels) {
    const auto key = domain::ParseRiskId(l.risk_id);
    Book* b = BookOf(l.picture);
    if (key && b && l.level) {
      b->book->SetAnalystLevel(*key, l.level, now);
    }
  }
  for (auto& row : warm->risks) {
    written_[{row.picture, row.id}] = std::move(row);
  }
  cursor_ = warm->cursor;
  written_cursor_ = warm->cursor;
  if (warm->cursor_reset) {
    // Restored from a dump or moved to another cluster: the stored cursor lies beyond every
    // transaction of this database and would hide every new change.
    core::LogError(*log_,
                   "the picture cursor was beyond this database's transactions (restored?); "
                   "continuing from the warm-up snapshot",
                   {{"cursor", std::to_string(cursor_.xid) + "/" + std::to_string(cursor_.seq)}});
    written_cursor_ = {};
  }
  warm_ = true;
  core::LogInfo(
      *log_, "picture keeper warmed up",
      {{"signals_held", static_cast<std::uint64_t>(actual_.book->signal_count() + exercise_.book->signal_count())},
       {"assessed_risks", static_cast<std::uint64_t>(warm->levels.size())},
       {"risks_stored", static_cast<std::uint64_t>(written_.size())},
       {"cursor", std::to_string(cursor_.xid) + "/" + std::to_string(cursor_.seq)},
       {"epoch", epoch_}});
  return core::Status::Ok();
}

void PictureKeeper::ApplyBatches(const std::vector<store::PictureBatch>& batches, core::WallTime now) {
  std::map<std::string, domain::SourceHealth> advanced;
  std::vector<domain::RiskSignal> signals;
  for (const auto& batch : batches) {
    for (const auto& seen : batch.sources) {
      if (SetHealth(seen)) {
        advanced[seen.source] = health_[seen.source];
      }
    }
    signals.insert(signals.end(), batch.signals.begin(), batch.signals.end());
  }
  // Later versions of a signal come later in `signals`: applying in order keeps the newest.
  ApplyToBooks({advanced.begin(), advanced.end()}, signals, now);  // each touched risk evaluated once
  for (const auto& batch : batches) {
    for (const auto& l : batch.levels) {
      const auto key = domain::ParseRiskId(l.risk_id);
      Book* b = BookOf(l.picture);
      if (key && b) {
        b->book->SetAnalystLevel(*key, l.level, now);
      }
    }
  }
}

store::PictureWrite PictureKeeper::Diff(core::WallTime now) const {
  store::PictureWrite write;
  write.cursor = cursor_;
  write.node_id = options_.node_id;
  for (const Book* b : {&actual_, &exercise_}) {
    std::set<std::string> present;
    int rank = 0;
    for (const auto& view : b->book->Snapshot()) {
      store::RiskRow row = RowOf(b->picture, view, ++rank);
      present.insert(row.id);
      const auto it = written_.find({b->picture, row.id});
      if (it != written_.end() && it->second.SameAs(row)) {
        continue;
      }
      if (it == written_.end() || LevelsDiffer(it->second, row)) {
        write.level_changes.push_back(write.rows.size());
      }
      write.rows.push_back(std::move(row));
    }
    for (const auto& [key, row] : written_) {
      if (key.first != b->picture || !row.in_picture || present.count(key.second) > 0) {
        continue;
      }
      write.level_changes.push_back(write.rows.size());
      write.rows.push_back(Removed(row, now));
    }
    write.counts[b->picture] = b->book->Counts(now);
  }
  for (const auto& [source, at] : health_unwritten_) {
    write.sources.push_back({source, at, std::chrono::seconds(0)});
  }
  return write;
}

void PictureKeeper::ExportSourceMetrics(core::WallTime now) {
  auto remember = [](std::vector<prometheus::Gauge*>& list, prometheus::Gauge* g) {
    if (std::find(list.begin(), list.end(), g) == list.end()) {
      list.push_back(g);
    }
  };
  for (const auto& [source, h] : health_) {
    if (h.last_seen != core::WallTime{}) {  // the epoch: never delivered
      auto& last = metrics_.source_last.Add({{"source", source}});
      last.Set(UnixSeconds(h.last_seen));
      remember(exported_last_, &last);
    }
    const bool silent = h.expected_interval.count() > 0 && now - h.last_seen > 2 * h.expected_interval;
    auto& gauge = metrics_.source_silent.Add({{"source", source}});
    gauge.Set(silent ? 1 : 0);
    remember(exported_silent_, &gauge);
  }
}

core::Status PictureKeeper::RefreshSources(core::WallTime now) {
  auto sources = store_.ReadPictureSources();
  if (!sources.ok()) {
    return sources.status().WithContext("reading sources");
  }
  for (const auto& s : *sources) {
    auto [it, added] = health_.emplace(s.source, domain::SourceHealth{s.last_signal_at, s.expected_interval});
    if (!added && it->second.expected_interval == s.expected_interval) {
      continue;
    }
    it->second.expected_interval = s.expected_interval;
    actual_.book->SetSourceHealth(s.source, it->second, now);
    exercise_.book->SetSourceHealth(s.source, it->second, now);
  }
  return core::Status::Ok();
}

core::Status PictureKeeper::Round(const store::Fence& fence, const std::function<bool()>& keep_going) {
  const auto started = clock_.Monotonic();
  const core::WallTime now = clock_.Now();
  auto fail = [&](core::Status s) {
    metrics_.rounds.Add({{"result", store::IsFenced(s) ? "fenced" : "error"}}).Increment();
    Reset();  // the next round warms up from what was committed
    return s;
  };
  if (!warm_ || fence.epoch != epoch_) {
    epoch_ = fence.epoch;
    if (core::Status s = WarmUp(now); !s.ok()) {
      return fail(s);
    }
  }
  const bool due = !last_write_ || now - *last_write_ >= options_.heartbeat;
  if (due && last_write_) {
    if (core::Status s = RefreshSources(now); !s.ok()) {
      return fail(s);
    }
  }
  // Read the round's batches first and apply them together: a risk touched by many batches is
  // evaluated once per round, not once per batch (under bulk ingest every batch touches most risks).
  double lag_seconds = 0;
  std::vector<store::PictureBatch> batches;
  for (int i = 0; i < options_.max_batches; ++i) {
    auto batch = store_.ReadPictureChanges(cursor_, options_.batch_rows);
    if (!batch.ok()) {
      return fail(batch.status().WithContext("reading the change log"));
    }
    metrics_.changes_read.Increment(batch->rows);
    cursor_ = batch->next;
    lag_seconds = batch->oldest_unread_us < 0
                      ? 0
                      : std::max(0.0, UnixSeconds(now) - static_cast<double>(batch->oldest_unread_us) / 1e6);
    const bool last = batch->rows < options_.batch_rows || !keep_going();
    batches.push_back(std::move(batch).value());
    if (last) {
      break;
    }
  }
  ApplyBatches(batches, now);
  metrics_.lag.Set(lag_seconds);
  actual_.book->Recompute(now);
  exercise_.book->Recompute(now);

  store::PictureWrite write = Diff(now);
  write.lag_seconds = lag_seconds;
  if (write.rows.empty() && write.sources.empty() && write.cursor == written_cursor_ &&
      write.counts == written_counts_ && !due) {
    metrics_.rounds.Add({{"result", "unchanged"}}).Increment();
    return core::Status::Ok();
  }
  if (core::Status s = store_.WritePicture(fence, write); !s.ok()) {
    return fail(s.WithContext("writing the picture"));
  }
  for (auto& row : write.rows) {
    written_[{row.picture, row.id}] = std::move(row);
  }
  written_cursor_ = write.cursor;
  written_counts_ = write.counts;
  health_unwritten_.clear();
  last_write_ = now;

  metrics_.risk_writes.Increment(static_cast<double>(write.rows.size()));
  metrics_.rounds.Add({{"result", "written"}}).Increment();
  metrics_.round_seconds.Observe(std::chrono::duration<double>(clock_.Monotonic() - started).count());
  metrics_.signals_held.Set(static_cast<double>(actual_.book->signal_count() + exercise_.book->signal_count()));
  metrics_.last_write.Set(UnixSeconds(now));
  for (const Book* b : {&actual_, &exercise_}) {
    std::array<int, domain::kMaxLevel + 1> by_level{};
    for (const auto& v : b->book->Snapshot()) {
      ++by_level[static_cast<std::size_t>(std::clamp(v.effective_level, 0, domain::kMaxLevel))];
    }
    for (int level = 0; level <= domain::kMaxLevel; ++level) {
      auto& gauge = metrics_.risks.Add({{"picture", b->picture}, {"level", std::to_string(level)}});
      gauge.Set(by_level[static_cast<std::size_t>(level)]);
      if (std::find(exported_risks_.begin(), exported_risks_.end(), &gauge) == exported_risks_.end()) {
        exported_risks_.push_back(&gauge);
      }
    }
  }
  ExportSourceMetrics(now);
  return core::Status::Ok();
}

}  // namespace vik::picture
