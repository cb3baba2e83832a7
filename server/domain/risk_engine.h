#pragma once

// The risk engine (docs/risk-model.md): groups signals into risks per (theme, municipality) and keeps
// each risk's nowcast, forecast (+6 h, +24 h, +72 h), trend and priority current, incrementally.
// Pure domain code: no I/O, time comes in as arguments.
//
// One RiskBook computes one picture for one CAP status (actual or exercise); signals of any other
// status are ignored, so the pictures never mix. Cost: Apply touches only the risks of the signal's
// keys; Recompute touches only risks whose next change instant has passed; memory holds the signals
// in effect, upcoming, or ended less than the trend look-back ago.
//
// Thread-safety: not safe for concurrent use; the owner serialises calls (one strand / the leader's
// recompute task). Snapshot results are plain values.

#include <array>
#include <compare>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "domain/risk_scoring.h"

namespace vik::domain {

// A risk's identity: theme and municipality; municipality "" = region-wide.
struct RiskKey {
  std::string theme;
  std::string municipality;
  auto operator<=>(const RiskKey&) const = default;
};

// "<theme>@<municipality>", "<theme>@region" for region-wide; theme "" reads "unclassified".
std::string RiskId(const RiskKey& key);
// The inverse of RiskId; nullopt when `id` is not of that form (one '@', a theme of digits and
// dots or "unclassified", a municipality code "GM" + 4 digits or "region").
std::optional<RiskKey> ParseRiskId(std::string_view id);

enum class Trend { kFalling = -1, kStable = 0, kRising = 1 };
const char* Name(Trend t);  // "falling", "stable", "rising"

// The computed state of a risk, as of the last Apply/Recompute that touched it.
struct RiskLevels {
  int nowcast = 0;
  std::array<int, 3> forecast{0, 0, 0};  // at now + config.horizons[i]
  int past = 0;                          // level at now - trend_lookback, from the same signals
  Trend trend = Trend::kStable;
  bool operator==(const RiskLevels&) const = default;
};

// One risk as shown in the picture.
struct RiskView {
  std::string id;
  RiskKey key;
  RiskLevels levels;
  std::optional<int> analyst_level;  // overrides nowcast for priority when set
  int effective_level = 0;           // analyst_level if set, else nowcast
  int forecast_max = 0;
  Severity worst_severity = Severity::kUnspecified;  // over signals in effect now
  int sources = 0;                                   // distinct sources with a signal in effect now
  int breadth = 0;  // most municipalities named by one signal in effect (region-wide: 1000)
  int signals_in_effect = 0;
  int signals_upcoming = 0;             // start later than now
  std::vector<std::string> signal_ids;  // strongest first, at most config.listed_signals
  core::WallTime computed_at{};
};

// A change for the change feed: a risk whose levels or contributing signals changed.
struct RiskChange {
  std::string id;
  RiskKey key;
  RiskLevels old_levels;
  RiskLevels new_levels;
  std::optional<int> old_analyst_level;
  std::optional<int> new_analyst_level;
  bool created = false;
  bool removed = false;
};

// What is in effect in a picture now (for the regional status).
struct PictureCounts {
  int signals_in_effect = 0;
  int incidents = 0;  // signals of kind incident in effect
  int warnings = 0;   // signals of kind warning in effect
  bool operator==(const PictureCounts&) const = default;
};

// Total priority order: effective level, forecast max, worst severity, sources, breadth (desc), then
// theme and municipality (asc). true when a comes before b.
bool PriorityBefore(const RiskView& a, const RiskView& b);

class RiskBook {
 public:
  explicit RiskBook(SignalStatus status, RiskEngineConfig config = {});

  SignalStatus status() const { return status_; }

  // A new or changed signal (including a state change to cancelled/superseded) as of `now`.
  // Returns the risks that changed, ordered by key.
  std::vector<RiskChange> Apply(const RiskSignal& signal, core::WallTime now);

  // New freshness of a source; re-evaluates only risks holding signals of that source.
  std::vector<RiskChange> SetSourceHealth(const std::string& source, const SourceHealth& health, core::WallTime now);

  // Many source freshness updates and new or changed signals at once (a batch of the change log, a
  // warm-up): the same result as applying them one by one (health first, then signals in order),
  // but each touched risk is evaluated once. Cost: O(signals + sum of the touched risks' signals).
  std::vector<RiskChange> ApplyAll(const std::vector<std::pair<std::string, SourceHealth>>& health,
                                   const std::vector<RiskSignal>& signals, core::WallTime now);

  // The analyst's level for a risk (0..4), or nullopt to clear. Creates the risk if needed.
  // REQUIRES: level in 0..4 when set.
  std::vector<RiskChange> SetAnalystLevel(const RiskKey& key, std::optional<int> level, core::WallTime now);

  // Re-evaluates the risks whose next change instant is <= now; evicts ended signals.
  std::vector<RiskChange> Recompute(core::WallTime now);

  // Prioritised risks. REQUIRES: Recompute(now) (or Apply at now) was called, so levels are current.
  std::vector<RiskView> Snapshot() const;

  // The earliest instant at which some risk changes (for the owner's timer), if any.
  std::optional<core::WallTime> NextChange() const;

  // Counts over the signals in effect at `now`. Cost: the signals held.
  PictureCounts Counts(core::WallTime now) const;

  std::size_t signal_count() const { return signals_.size(); }
  std::size_t risk_count() const { return risks_.size(); }

 private:
  struct Held {
    RiskSignal signal;
    SignalWindow window;
    std::vector<RiskKey> keys;
  };
  struct Risk {
    std::set<std::string> signal_ids;
    std::optional<int> analyst_level;
    std::optional<core::WallTime> next_event;
    bool evaluated = false;
    RiskView view;
  };

  bool Contributes(const RiskSignal& s, const SignalWindow& w, core::WallTime now) const;
  std::vector<RiskKey> KeysOf(const RiskSignal& s) const;
  void Attach(const std::string& id, const RiskKey& key);
  // Replaces a held signal by `signal` (or drops it when it no longer contributes) without
  // evaluating; adds the keys of its old and new risks to `touched`.
  void Place(const RiskSignal& signal, core::WallTime now, std::set<RiskKey>& touched);
  // Keys of the risks holding signals of `source`.
  void KeysOfSource(const std::string& source, std::set<RiskKey>& touched) const;
  std::vector<RiskChange> EvaluateAll(const std::set<RiskKey>& touched, core::WallTime now);
  // Removes a held signal from one risk (not from Held::keys).
  void DetachKey(const Held& held, const RiskKey& key);
  // Removes a held signal from all its risks and forgets it.
  void Detach(const std::string& id);
  // Re-evaluates one risk at `now`; the change when something visible changed.
  std::optional<RiskChange> Evaluate(const RiskKey& key, core::WallTime now);
  int LevelAt(const Risk& risk, core::WallTime at, core::WallTime now) const;
  const SourceHealth* HealthOf(const std::string& source) const;

  SignalStatus status_;
  RiskEngineConfig config_;
  std::unordered_map<std::string, Held> signals_;  // by signal id (order never observed)
  std::map<RiskKey, Risk> risks_;
  std::map<std::string, SourceHealth> health_;
  std::map<std::string, std::map<RiskKey, int>> source_keys_;  // source -> keys -> signals held
  std::set<std::pair<core::WallTime, RiskKey>> events_;
};

}  // namespace vik::domain
