#include "domain/risk_scoring.h"

#include <algorithm>
#include <set>

namespace vik::domain {

const char* LevelColour(int level) {
  switch (level) {
    case 0:
      return "none";
    case 1:
      return "green";
    case 2:
      return "yellow";
    case 3:
      return "orange";
    case 4:
      return "red";
    default:
      return "invalid";
  }
}

const char* LevelColourNl(int level) {
  switch (level) {
    case 0:
      return "geen";
    case 1:
      return "groen";
    case 2:
      return "geel";
    case 3:
      return "oranje";
    case 4:
      return "rood";
    default:
      return "ongeldig";
  }
}

SignalWindow WindowOf(const RiskSignal& s, const RiskEngineConfig& config) {
  SignalWindow w;
  w.start = s.onset_at ? *s.onset_at : (s.sent_at ? *s.sent_at : s.received_at);
  if (s.expires_at) {
    w.has_expiry = true;
    w.end = *s.expires_at;
  } else {
    auto kind = static_cast<std::size_t>(s.kind);
    if (kind >= config.default_validity.size()) {
      kind = 0;
    }
    w.end = w.start + config.default_validity[kind];
  }
  return w;
}

int SeverityBase(Severity s) {
  switch (s) {
    case Severity::kExtreme:
      return 4000;
    case Severity::kSevere:
      return 3000;
    case Severity::kModerate:
      return 2000;
    default:
      return 1000;
  }
}

int CertaintyFactor(Certainty c) {
  switch (c) {
    case Certainty::kObserved:
    case Certainty::kLikely:
      return 1000;
    case Certainty::kUnlikely:
      return 500;
    default:
      return 800;
  }
}

int UrgencyFactor(Urgency u) {
  switch (u) {
    case Urgency::kImmediate:
    case Urgency::kExpected:
      return 1000;
    case Urgency::kPast:
      return 700;
    default:
      return 900;
  }
}

int AgeFactor(const SignalWindow& w, core::WallTime at) {
  if (w.has_expiry) {
    return 1000;
  }
  const auto validity = w.end - w.start;
  if (at < w.start + validity / 2) {
    return 1000;
  }
  if (at < w.start + validity * 3 / 4) {
    return 750;
  }
  return 500;
}

int SilenceFactor(const SourceHealth* health, core::WallTime now) {
  if (health == nullptr || health->expected_interval <= std::chrono::seconds(0)) {
    return 1000;
  }
  const auto silence = now - health->last_seen;
  if (silence < 2 * health->expected_interval) {
    return 1000;
  }
  if (silence < 4 * health->expected_interval) {
    return 750;
  }
  return 500;
}

int SignalScore(const RiskSignal& s, const SignalWindow& w, core::WallTime at, const SourceHealth* health,
                core::WallTime now) {
  if (at < w.start || at >= w.end) {
    return 0;
  }
  std::int64_t score = SeverityBase(s.severity);
  score = score * CertaintyFactor(s.certainty) / 1000;
  score = score * UrgencyFactor(s.urgency) / 1000;
  score = score * AgeFactor(w, at) / 1000;
  score = score * SilenceFactor(health, now) / 1000;
  return static_cast<int>(std::max<std::int64_t>(score, 1));
}

int CombineScores(const std::vector<ScoredSignal>& scored, const RiskEngineConfig& config) {
  const ScoredSignal* top = nullptr;
  for (const auto& s : scored) {
    if (s.score <= 0) {
      continue;
    }
    if (top == nullptr || s.score > top->score || (s.score == top->score && *s.id < *top->id)) {
      top = &s;
    }
  }
  if (top == nullptr) {
    return 0;
  }
  std::set<std::string> corroborating;
  for (const auto& s : scored) {
    if (s.score > 0 && s.score >= top->score - 1000 && *s.source != *top->source) {
      corroborating.insert(*s.source);
    }
  }
  const int boost =
      std::min(config.corroboration_cap, config.corroboration_step * static_cast<int>(corroborating.size()));
  return std::min(kMaxLevel * 1000, top->score + boost);
}

int LevelOfScore(int score) {
  if (score <= 0) {
    return 0;
  }
  return std::clamp(score / 1000, 1, kMaxLevel);
}

std::vector<core::WallTime> StepInstants(const SignalWindow& w) {
  std::vector<core::WallTime> out{w.start, w.end};
  if (!w.has_expiry) {
    const auto validity = w.end - w.start;
    out.push_back(w.start + validity / 2);
    out.push_back(w.start + validity * 3 / 4);
  }
  return out;
}

std::vector<core::WallTime> SilenceInstants(const SourceHealth& health) {
  if (health.expected_interval <= std::chrono::seconds(0)) {
    return {};
  }
  return {health.last_seen + 2 * health.expected_interval, health.last_seen + 4 * health.expected_interval};
}

int SeverityRank(Severity s) {
  switch (s) {
    case Severity::kExtreme:
      return 4;
    case Severity::kSevere:
      return 3;
    case Severity::kModerate:
      return 2;
    case Severity::kMinor:
      return 1;
    default:
      return 0;
  }
}

}  // namespace vik::domain
