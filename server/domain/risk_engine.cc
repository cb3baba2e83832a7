#include "domain/risk_engine.h"

#include <algorithm>
#include <tuple>

namespace vik::domain {
namespace {

constexpr int kRegionBreadth = 1000;

}  // namespace

std::string RiskId(const RiskKey& key) {
  return (key.theme.empty() ? std::string("unclassified") : key.theme) + "@" +
         (key.municipality.empty() ? std::string("region") : key.municipality);
}

std::optional<RiskKey> ParseRiskId(std::string_view id) {
  const auto at = id.find('@');
  if (at == std::string_view::npos || id.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view theme = id.substr(0, at);
  const std::string_view area = id.substr(at + 1);
  RiskKey key;
  if (theme != "unclassified") {
    if (theme.empty() || theme.size() > 16 || theme.front() == '.' || theme.back() == '.' ||
        theme.find("..") != std::string_view::npos ||
        theme.find_first_not_of("0123456789.") != std::string_view::npos) {
      return std::nullopt;
    }
    key.theme = std::string(theme);
  }
  if (area != "region") {
    if (area.size() != 6 || area.substr(0, 2) != "GM" ||
        area.find_first_not_of("0123456789", 2) != std::string_view::npos) {
      return std::nullopt;
    }
    key.municipality = std::string(area);
  }
  return key;
}

const char* Name(Trend t) {
  switch (t) {
    case Trend::kFalling:
      return "falling";
    case Trend::kStable:
      return "stable";
    case Trend::kRising:
      return "rising";
  }
  return "stable";
}

bool PriorityBefore(const RiskView& a, const RiskView& b) {
  const auto rank = [](const RiskView& v) {
    return std::make_tuple(v.effective_level, v.forecast_max, SeverityRank(v.worst_severity), v.sources, v.breadth);
  };
  const auto ra = rank(a);
  const auto rb = rank(b);
  if (ra != rb) {
    return ra > rb;
  }
  return std::tie(a.key.theme, a.key.municipality) < std::tie(b.key.theme, b.key.municipality);
}

RiskBook::RiskBook(SignalStatus status, RiskEngineConfig config) : status_(status), config_(std::move(config)) {}

bool RiskBook::Contributes(const RiskSignal& s, const SignalWindow& w, core::WallTime now) const {
  return s.status == status_ && s.state == SignalState::kActive && s.msg_type != MsgType::kCancel && w.start < w.end &&
         w.end + config_.trend_lookback > now;
}

std::vector<RiskKey> RiskBook::KeysOf(const RiskSignal& s) const {
  std::set<std::string> municipalities(s.municipalities.begin(), s.municipalities.end());
  municipalities.erase(std::string());
  std::vector<RiskKey> keys;
  if (municipalities.empty()) {
    keys.push_back(RiskKey{s.theme, ""});
  }
  for (const auto& m : municipalities) {
    keys.push_back(RiskKey{s.theme, m});
  }
  return keys;
}

const SourceHealth* RiskBook::HealthOf(const std::string& source) const {
  const auto it = health_.find(source);
  return it == health_.end() ? nullptr : &it->second;
}

void RiskBook::Attach(const std::string& id, const RiskKey& key) {
  risks_[key].signal_ids.insert(id);
  ++source_keys_[signals_.at(id).signal.source][key];
}

void RiskBook::DetachKey(const Held& held, const RiskKey& key) {
  if (auto it = risks_.find(key); it != risks_.end()) {
    it->second.signal_ids.erase(held.signal.id);
  }
  auto sit = source_keys_.find(held.signal.source);
  if (sit == source_keys_.end()) {
    return;
  }
  auto kit = sit->second.find(key);
  if (kit != sit->second.end() && --kit->second <= 0) {
    sit->second.erase(kit);
  }
  if (sit->second.empty()) {
    source_keys_.erase(sit);
  }
}

void RiskBook::Detach(const std::string& id) {
  const auto it = signals_.find(id);
  if (it == signals_.end()) {
    return;
  }
  for (const auto& key : it->second.keys) {
    DetachKey(it->second, key);
  }
  signals_.erase(it);
}

int RiskBook::LevelAt(const Risk& risk, core::WallTime at, core::WallTime now) const {
  std::vector<ScoredSignal> scored;
  scored.reserve(risk.signal_ids.size());
  for (const auto& id : risk.signal_ids) {
    const Held& held = signals_.at(id);
    const int score = SignalScore(held.signal, held.window, at, HealthOf(held.signal.source), now);
    if (score > 0) {
      scored.push_back(ScoredSignal{score, &held.signal.source, &held.signal.id});
    }
  }
  return LevelOfScore(CombineScores(scored, config_));
}

std::optional<RiskChange> RiskBook::Evaluate(const RiskKey& key, core::WallTime now) {
  const auto it = risks_.find(key);
  if (it == risks_.end()) {
    return std::nullopt;
  }
  Risk& risk = it->second;
  if (risk.next_event) {
    events_.erase({*risk.next_event, key});
    risk.next_event.reset();
  }

  // Evict signals that ended longer ago than the trend looks back.
  std::vector<std::string> evict;
  for (const auto& id : risk.signal_ids) {
    if (signals_.at(id).window.end + config_.trend_lookback <= now) {
      evict.push_back(id);
    }
  }
  for (const auto& id : evict) {
    Held& held = signals_.at(id);
    DetachKey(held, key);
    held.keys.erase(std::remove(held.keys.begin(), held.keys.end(), key), held.keys.end());
    if (held.keys.empty()) {
      signals_.erase(id);
    }
  }

  RiskChange change;
  change.id = RiskId(key);
  change.key = key;
  change.old_levels = risk.view.levels;
  change.old_analyst_level = risk.view.analyst_level;
  change.created = !risk.evaluated;

  if (risk.signal_ids.empty() && !risk.analyst_level) {
    const bool was_visible = risk.evaluated;
    risks_.erase(it);
    if (!was_visible) {
      return std::nullopt;
    }
    change.removed = true;
    change.created = false;
    return change;
  }

  RiskView view;
  view.id = change.id;
  view.key = key;
  view.computed_at = now;
  view.analyst_level = risk.analyst_level;
  RiskLevels& levels = view.levels;
  levels.nowcast = LevelAt(risk, now, now);
  levels.past = LevelAt(risk, now - config_.trend_lookback, now);
  for (std::size_t i = 0; i < config_.horizons.size(); ++i) {
    levels.forecast[i] = LevelAt(risk, now + config_.horizons[i], now);
  }
  if (levels.forecast[0] != levels.nowcast) {
    levels.trend = levels.forecast[0] > levels.nowcast ? Trend::kRising : Trend::kFalling;
  } else if (levels.nowcast != levels.past) {
    levels.trend = levels.nowcast > levels.past ? Trend::kRising : Trend::kFalling;
  }
  view.effective_level = risk.analyst_level ? *risk.analyst_level : levels.nowcast;
  view.forecast_max = *std::max_element(levels.forecast.begin(), levels.forecast.end());

  // Statistics over the signals in effect now and upcoming; the next change instant.
  struct Listed {
    int score;
    core::WallTime start;
    const std::string* id;
  };
  std::vector<Listed> listed;
  std::set<std::string> sources;
  std::set<std::string> event_sources;
  std::optional<core::WallTime> next;
  const auto consider = [&](core::WallTime t) {
    if (t > now && (!next || t < *next)) {
      next = t;
    }
  };
  for (const auto& id : risk.signal_ids) {
    const Held& held = signals_.at(id);
    const RiskSignal& s = held.signal;
    event_sources.insert(s.source);
    const int score = SignalScore(s, held.window, now, HealthOf(s.source), now);
    if (score > 0) {
      ++view.signals_in_effect;
      sources.insert(s.source);
      if (view.worst_severity == Severity::kUnspecified ||
          SeverityRank(s.severity) > SeverityRank(view.worst_severity)) {
        view.worst_severity = s.severity;
      }
      const int breadth = s.municipalities.empty() ? kRegionBreadth : static_cast<int>(s.municipalities.size());
      view.breadth = std::max(view.breadth, breadth);
      listed.push_back(Listed{score, held.window.start, &s.id});
    } else if (held.window.start > now) {
      ++view.signals_upcoming;
      listed.push_back(Listed{0, held.window.start, &s.id});
    }
    for (const auto& b : StepInstants(held.window)) {
      consider(b);
      consider(b + config_.trend_lookback);
      for (const auto& h : config_.horizons) {
        consider(b - h);
      }
    }
    consider(held.window.end + config_.trend_lookback);
  }
  for (const auto& source : event_sources) {
    if (const SourceHealth* h = HealthOf(source)) {
      for (const auto& t : SilenceInstants(*h)) {
        consider(t);
      }
    }
  }
  view.sources = static_cast<int>(sources.size());
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    return std::tie(b.score, a.start, *a.id) < std::tie(a.score, b.start, *b.id);
  });
  for (std::size_t i = 0; i < listed.size() && i < config_.listed_signals; ++i) {
    view.signal_ids.push_back(*listed[i].id);
  }

  if (next) {
    risk.next_event = next;
    events_.insert({*next, key});
  }

  const bool visible_change =
      !risk.evaluated || view.levels != risk.view.levels || view.analyst_level != risk.view.analyst_level ||
      view.signal_ids != risk.view.signal_ids || view.signals_in_effect != risk.view.signals_in_effect ||
      view.signals_upcoming != risk.view.signals_upcoming;
  risk.evaluated = true;
  risk.view = std::move(view);
  if (!visible_change) {
    return std::nullopt;
  }
  change.new_levels = risk.view.levels;
  change.new_analyst_level = risk.view.analyst_level;
  return change;
}

void RiskBook::Place(const RiskSignal& signal, core::WallTime now, std::set<RiskKey>& touched) {
  if (const auto it = signals_.find(signal.id); it != signals_.end()) {
    touched.insert(it->second.keys.begin(), it->second.keys.end());
    Detach(signal.id);
  }
  const SignalWindow window = WindowOf(signal, config_);
  if (Contributes(signal, window, now)) {
    std::vector<RiskKey> keys = KeysOf(signal);
    signals_[signal.id] = Held{signal, window, keys};
    for (const auto& key : keys) {
      Attach(signal.id, key);
      touched.insert(key);
    }
  }
}

void RiskBook::KeysOfSource(const std::string& source, std::set<RiskKey>& touched) const {
  if (const auto it = source_keys_.find(source); it != source_keys_.end()) {
    for (const auto& [key, count] : it->second) {
      touched.insert(key);
    }
  }
}

std::vector<RiskChange> RiskBook::EvaluateAll(const std::set<RiskKey>& touched, core::WallTime now) {
  std::vector<RiskChange> changes;
  for (const auto& key : touched) {
    if (auto c = Evaluate(key, now)) {
      changes.push_back(std::move(*c));
    }
  }
  return changes;
}

std::vector<RiskChange> RiskBook::Apply(const RiskSignal& signal, core::WallTime now) {
  std::set<RiskKey> touched;
  Place(signal, now, touched);
  return EvaluateAll(touched, now);
}

std::vector<RiskChange> RiskBook::SetSourceHealth(const std::string& source, const SourceHealth& health,
                                                  core::WallTime now) {
  health_[source] = health;
  std::set<RiskKey> touched;
  KeysOfSource(source, touched);
  return EvaluateAll(touched, now);
}

std::vector<RiskChange> RiskBook::ApplyAll(const std::vector<std::pair<std::string, SourceHealth>>& health,
                                           const std::vector<RiskSignal>& signals, core::WallTime now) {
  std::set<RiskKey> touched;
  for (const auto& [source, h] : health) {
    health_[source] = h;
    KeysOfSource(source, touched);
  }
  for (const auto& signal : signals) {
    Place(signal, now, touched);
  }
  return EvaluateAll(touched, now);
}

std::vector<RiskChange> RiskBook::SetAnalystLevel(const RiskKey& key, std::optional<int> level, core::WallTime now) {
  if (level) {
    risks_[key].analyst_level = std::clamp(*level, 0, kMaxLevel);
  } else if (auto it = risks_.find(key); it != risks_.end()) {
    it->second.analyst_level.reset();
  } else {
    return {};
  }
  std::vector<RiskChange> changes;
  if (auto c = Evaluate(key, now)) {
    changes.push_back(std::move(*c));
  }
  return changes;
}

std::vector<RiskChange> RiskBook::Recompute(core::WallTime now) {
  std::vector<RiskChange> changes;
  while (!events_.empty() && events_.begin()->first <= now) {
    const RiskKey key = events_.begin()->second;
    if (risks_.find(key) == risks_.end()) {
      events_.erase(events_.begin());
      continue;
    }
    if (auto c = Evaluate(key, now)) {
      changes.push_back(std::move(*c));
    }
  }
  std::sort(changes.begin(), changes.end(), [](const RiskChange& a, const RiskChange& b) { return a.key < b.key; });
  return changes;
}

std::vector<RiskView> RiskBook::Snapshot() const {
  std::vector<RiskView> out;
  out.reserve(risks_.size());
  for (const auto& [key, risk] : risks_) {
    if (risk.evaluated) {
      out.push_back(risk.view);
    }
  }
  std::sort(out.begin(), out.end(), PriorityBefore);
  return out;
}

PictureCounts RiskBook::Counts(core::WallTime now) const {
  PictureCounts counts;
  for (const auto& [id, held] : signals_) {
    if (SignalScore(held.signal, held.window, now, HealthOf(held.signal.source), now) <= 0) {
      continue;
    }
    ++counts.signals_in_effect;
    counts.incidents += held.signal.kind == SignalKind::kIncident ? 1 : 0;
    counts.warnings += held.signal.kind == SignalKind::kWarning ? 1 : 0;
  }
  return counts;
}

std::optional<core::WallTime> RiskBook::NextChange() const {
  if (events_.empty()) {
    return std::nullopt;
  }
  return events_.begin()->first;
}

}  // namespace vik::domain
