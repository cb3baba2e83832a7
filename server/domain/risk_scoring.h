#pragma once

// The per-signal rules of the risk engine (docs/risk-model.md §2-§4): the view of a stored signal the
// engine needs, a signal's window of effect, its weight (severity x certainty x urgency x decay) and
// how several weights combine into a level 0..4. Pure functions over values; safe for concurrent use.
// Scores are integers in thousandths of a level ("milli-levels") so results are exact and identical
// on every instance.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/signal.h"

namespace vik::domain {

// Lifecycle of a stored signal as the store records it. A CAP Cancel marks its references
// kCancelled; an Update marks its references kSuperseded.
enum class SignalState { kActive = 0, kCancelled = 1, kSuperseded = 2 };

// What the engine needs of a stored signal. `id` is the store's id (unique, stable).
struct RiskSignal {
  std::string id;
  std::string source;
  std::string theme;                        // crisis-type code, e.g. "1.3"; empty = unclassified
  std::vector<std::string> municipalities;  // CBS codes; empty = region-wide
  SignalStatus status = SignalStatus::kActual;
  SignalState state = SignalState::kActive;
  MsgType msg_type = MsgType::kAlert;
  SignalKind kind = SignalKind::kUnspecified;
  Severity severity = Severity::kUnknown;
  Certainty certainty = Certainty::kUnknown;
  Urgency urgency = Urgency::kUnknown;
  std::optional<core::WallTime> sent_at;
  std::optional<core::WallTime> onset_at;
  std::optional<core::WallTime> expires_at;
  core::WallTime received_at{};
};

// Freshness of one source: when it last delivered and how often it is expected to.
struct SourceHealth {
  core::WallTime last_seen{};
  std::chrono::seconds expected_interval{0};  // 0 = no expectation, never decays
};

// Levels 0..4 (docs/risk-model.md §1).
inline constexpr int kMaxLevel = 4;
// "none", "green", "yellow", "orange", "red"; "invalid" outside 0..4.
const char* LevelColour(int level);
// Dutch: "geen", "groen", "geel", "oranje", "rood".
const char* LevelColourNl(int level);

struct RiskEngineConfig {
  // Forecast horizons, in order.
  std::array<std::chrono::hours, 3> horizons{std::chrono::hours(6), std::chrono::hours(24), std::chrono::hours(72)};
  // The trend looks this far back; ended signals are kept this long for it.
  std::chrono::hours trend_lookback{6};
  // Corroboration: per independent source within one level of the strongest signal, capped.
  int corroboration_step = 250;
  int corroboration_cap = 500;
  // How many contributing signal ids a risk lists.
  std::size_t listed_signals = 10;
  // Validity of a signal without expiry, by kind (index = SignalKind value).
  std::array<std::chrono::hours, 6> default_validity{
      std::chrono::hours(6),   // unspecified
      std::chrono::hours(6),   // incident
      std::chrono::hours(24),  // warning
      std::chrono::hours(3),   // observation
      std::chrono::hours(24),  // forecast
      std::chrono::hours(24),  // assessment
  };
};

// The interval [start, end) in which a signal is in effect. start = onset, else sent, else
// received; end = expires, else start + default validity of its kind (has_expiry false).
struct SignalWindow {
  core::WallTime start{};
  core::WallTime end{};
  bool has_expiry = false;
};
SignalWindow WindowOf(const RiskSignal& s, const RiskEngineConfig& config);

// Weights in thousandths (docs/risk-model.md §3).
int SeverityBase(Severity s);      // Extreme 4000, Severe 3000, Moderate 2000, Minor/Unknown 1000
int CertaintyFactor(Certainty c);  // Observed/Likely 1000, Possible/Unknown 800, Unlikely 500
int UrgencyFactor(Urgency u);      // Immediate/Expected 1000, Future/Unknown 900, Past 700
// 1000 in the first half of a signal without expiry, 750 in the third quarter, 500 in the last;
// always 1000 for a signal with an expiry.
int AgeFactor(const SignalWindow& w, core::WallTime at);
// 1000 while the source has been silent less than 2 expected intervals, 750 up to 4, then 500.
// No health record or no expected interval: 1000.
int SilenceFactor(const SourceHealth* health, core::WallTime now);

// The score of a signal at instant `at`, with source silence judged at `now`; 0 when the signal
// is not in effect at `at`.
int SignalScore(const RiskSignal& s, const SignalWindow& w, core::WallTime at, const SourceHealth* health,
                core::WallTime now);

// One scored signal, input to Combine.
struct ScoredSignal {
  int score = 0;
  const std::string* source = nullptr;
  const std::string* id = nullptr;
};

// Max of the scores plus corroboration (distinct other sources within 1000 of the max), capped at
// 4000. 0 for none.
int CombineScores(const std::vector<ScoredSignal>& scored, const RiskEngineConfig& config);
// Level of a combined score: 0 for 0, else clamp(floor(score / 1000), 1, 4).
int LevelOfScore(int score);

// The instants at which a signal's contribution steps (start, decay steps, end).
std::vector<core::WallTime> StepInstants(const SignalWindow& w);
// The instants at which a source's silence factor steps.
std::vector<core::WallTime> SilenceInstants(const SourceHealth& health);

// Severity rank for ordering: Extreme 4, Severe 3, Moderate 2, Minor 1, otherwise 0.
int SeverityRank(Severity s);

}  // namespace vik::domain
