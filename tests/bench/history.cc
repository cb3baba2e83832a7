#include "bench/history.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "bench/copy_text.h"
#include "bench/signals.h"
#include "vik/v1/signal.pb.h"

namespace vik::bench {
namespace {

constexpr std::int64_t kSecond = 1'000'000;  // microseconds
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kYear = 365 * 24 * kHour;

// Names as vikd stores them (server/domain/signal.cc), indexed by the protobuf enum number.
constexpr const char* kMsgTypes[] = {"unspecified", "alert", "update", "cancel"};
constexpr const char* kStatuses[] = {"unspecified", "actual", "exercise", "system", "test", "draft"};
constexpr const char* kKinds[] = {"unspecified", "incident", "warning", "observation", "forecast"};
constexpr const char* kCategories[] = {"unspecified", "geo", "met",       "safety", "security", "rescue", "fire",
                                       "health",      "env", "transport", "infra",  "cbrne",    "other"};
constexpr const char* kUrgencies[] = {"unspecified", "immediate", "expected", "future", "past", "unknown"};
constexpr const char* kSeverities[] = {"unspecified", "extreme", "severe", "moderate", "minor", "unknown"};
constexpr const char* kCertainties[] = {"unspecified", "observed", "likely", "possible", "unlikely", "unknown"};
constexpr const char* kStates[] = {"active", "superseded", "cancelled"};

// Weights by enum number (index 0, unspecified, never drawn).
constexpr int kKindWeights[] = {0, 40, 25, 25, 10};
constexpr int kStatusWeights[] = {0, 97, 2, 0, 1, 0};
constexpr int kMsgTypeWeights[] = {0, 88, 10, 2};
constexpr int kSeverityWeights[] = {0, 3, 22, 35, 35, 5};
constexpr int kUrgencyWeights[] = {0, 40, 30, 15, 10, 5};
constexpr int kCertaintyWeights[] = {0, 40, 35, 15, 5, 5};
constexpr int kHistoryStateWeights[] = {93, 5, 2};
constexpr int kRecentStateWeights[] = {97, 2, 1};

// Extra weight of common themes (the others weigh 1): weather, fires, traffic, health, floods.
int ThemeWeight(const std::string& code) {
  if (code == "1.3" || code == "5.3") {
    return 8;
  }
  if (code == "2.1") {
    return 6;
  }
  if (code == "1.1" || code == "1.2" || code == "6.1" || code == "7.2") {
    return 2;
  }
  return 1;
}

// splitmix64: a small, fast generator; each row seeds its own from (seed, n).
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  std::int64_t Below(std::int64_t n) {
    return n <= 0 ? 0 : static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(n));
  }
  template <std::size_t N>
  int Pick(const int (&weights)[N]) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    auto r = static_cast<int>(Below(total));
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) {
        return static_cast<int>(i);
      }
      r -= weights[i];
    }
    return static_cast<int>(N - 1);
  }

 private:
  std::uint64_t state_;
};

int CategoryNumber(const std::string& name) {
  for (int i = 1; i < static_cast<int>(std::size(kCategories)); ++i) {
    if (name == kCategories[i]) {
      return i;
    }
  }
  return 12;  // other
}

void SetTime(google::protobuf::Timestamp* out, std::int64_t us) {
  out->set_seconds(us / kSecond);
  out->set_nanos(static_cast<int>(us % kSecond) * 1000);
}

// PostgreSQL timestamptz input in UTC: "2026-11-25 09:30:00.123456+00".
void AppendTime(std::string& out, std::int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / kSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % kSecond));
  out += buf;
}

void AppendOptionalTime(std::string& out, const std::optional<std::int64_t>& us) {
  if (us) {
    AppendTime(out, *us);
  } else {
    out += "\\N";
  }
}

// bytea in COPY text: "\x<hex>" with the backslash escaped.
void AppendBytea(std::string& out, const std::string& bytes) {
  out += "\\\\x";
  out += Hex(bytes);
}

std::string FakeUuid(Draw& d) {
  std::string hex = Hex(std::to_string(d.Next()) + std::to_string(d.Next())).substr(0, 32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

}  // namespace

HistoryGenerator::HistoryGenerator(HistoryReference reference, HistorySpec spec)
    : reference_(std::move(reference)), spec_(std::move(spec)) {
  if (reference_.sources.empty() || reference_.themes.empty() || reference_.municipalities.empty()) {
    throw std::invalid_argument("history needs at least one source, theme and municipality");
  }
  if (spec_.current > spec_.total) {
    throw std::invalid_argument("history: more recent rows than rows");
  }
  for (std::size_t i = 0; i < reference_.themes.size(); ++i) {
    const std::string& code = reference_.themes[i].code;
    theme_draw_.insert(theme_draw_.end(), static_cast<std::size_t>(ThemeWeight(code)), i);
    if (code == "1.3" || code == "1.1") {
      weather_.push_back(i);
    }
  }
}

void HistoryGenerator::AppendCopyLine(std::uint64_t n, std::string& out) const {
  Draw d(spec_.seed * 0xD1B54A32D192ED03ULL + n);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(spec_.now.time_since_epoch()).count();
  const std::uint64_t history = spec_.total - spec_.current;
  const bool recent = n >= history;

  std::int64_t received = 0;
  if (recent) {
    received = now - d.Below(5 * kHour);
  } else {
    received = now - kYear + static_cast<std::int64_t>((static_cast<long double>(n) / history) * kYear) -
               d.Below(30 * kMinute);
    received = std::min(received, now - kSecond);
  }
  const std::int64_t sent = received - d.Below(2 * kMinute);

  const int kind = d.Pick(kKindWeights);
  const bool ahead = kind == vik::v1::SIGNAL_KIND_WARNING || kind == vik::v1::SIGNAL_KIND_FORECAST;
  const std::size_t theme_index =
      ahead && !weather_.empty() && d.Unit() < 0.75
          ? weather_[static_cast<std::size_t>(d.Below(static_cast<std::int64_t>(weather_.size())))]
          : theme_draw_[static_cast<std::size_t>(d.Below(static_cast<std::int64_t>(theme_draw_.size())))];
  const HistoryTheme& theme = reference_.themes[theme_index];

  // Municipalities: warnings and forecasts are often region-wide (all, or none named); others local.
  const auto& all = reference_.municipalities;
  std::vector<std::string> municipalities;
  const double spread = d.Unit();
  if (ahead && spread < 0.4) {
    municipalities = all;
  } else if (spread < (ahead ? 0.5 : 0.03)) {
    // none named: the region-wide risk
  } else {
    const std::int64_t count =
        std::min<std::int64_t>(static_cast<std::int64_t>(all.size()), spread < 0.8 ? 1 : 2 + d.Below(2));
    const auto first = static_cast<std::size_t>(d.Below(static_cast<std::int64_t>(all.size())));
    for (std::int64_t i = 0; i < count; ++i) {
      municipalities.push_back(all[(first + static_cast<std::size_t>(i) * 3) % all.size()]);
    }
    std::sort(municipalities.begin(), municipalities.end());
    municipalities.erase(std::unique(municipalities.begin(), municipalities.end()), municipalities.end());
  }

  // A few busy sources and many quiet ones.
  const double u = d.Unit();
  const auto source_index = std::min(reference_.sources.size() - 1,
                                     static_cast<std::size_t>(u * u * static_cast<double>(reference_.sources.size())));
  const HistorySource& source = reference_.sources[source_index];

  const int status = d.Pick(kStatusWeights);
  const int msg_type = d.Pick(kMsgTypeWeights);
  const int severity = d.Pick(kSeverityWeights);
  const int urgency = d.Pick(kUrgencyWeights);
  const int certainty = d.Pick(kCertaintyWeights);
  const int category = CategoryNumber(theme.cap_category);

  std::optional<std::int64_t> onset;
  std::optional<std::int64_t> expires;
  switch (kind) {
    case vik::v1::SIGNAL_KIND_INCIDENT:
      if (d.Unit() >= 0.5) {
        expires = sent + kHour + d.Below(11 * kHour);
      }
      break;
    case vik::v1::SIGNAL_KIND_OBSERVATION:
      if (d.Unit() >= 0.7) {
        expires = sent + kHour + d.Below(5 * kHour);
      }
      break;
    case vik::v1::SIGNAL_KIND_WARNING:
      onset = sent + d.Below((recent ? 12 : 24) * kHour);
      expires = *onset + 6 * kHour + d.Below(18 * kHour);
      break;
    default:  // forecast
      onset = sent + 6 * kHour + d.Below(42 * kHour);
      expires = *onset + 24 * kHour;
      break;
  }

  const int state = recent ? d.Pick(kRecentStateWeights) : d.Pick(kHistoryStateWeights);
  std::optional<std::int64_t> ended_at;
  std::string ended_by;
  if (state != 0) {
    ended_at = std::min(now, sent + 10 * kMinute + d.Below(2 * kHour));
    ended_by = "signal:" + FakeUuid(d);
  }

  const std::string external_id = spec_.prefix + "-" + std::to_string(n);
  std::string headline = theme.label + " in " + (municipalities.empty() ? std::string("de regio") : municipalities[0]) +
                         ", melding " + std::to_string(n);

  vik::v1::Signal signal;
  signal.set_source(source.id);
  signal.set_external_id(external_id);
  signal.set_msg_type(static_cast<vik::v1::MsgType>(msg_type));
  signal.set_status(static_cast<vik::v1::SignalStatus>(status));
  signal.set_kind(static_cast<vik::v1::SignalKind>(kind));
  signal.add_categories(static_cast<vik::v1::Category>(category));
  signal.set_theme(theme.code);
  signal.set_urgency(static_cast<vik::v1::Urgency>(urgency));
  signal.set_severity(static_cast<vik::v1::Severity>(severity));
  signal.set_certainty(static_cast<vik::v1::Certainty>(certainty));
  SetTime(signal.mutable_sent_at(), sent);
  if (onset) {
    SetTime(signal.mutable_onset_at(), *onset);
  }
  if (expires) {
    SetTime(signal.mutable_expires_at(), *expires);
  }
  for (const auto& m : municipalities) {
    signal.mutable_area()->add_municipalities(m);
  }
  signal.set_headline(headline);
  const std::string payload = CanonicalPayload(signal);

  // Columns in the order of kHistoryColumns.
  AppendCopyText(out, source.id);
  out += '\t';
  AppendCopyText(out, external_id);
  out += '\t';
  AppendBytea(out, Sha256(payload));
  out += '\t';
  out += kMsgTypes[msg_type];
  out += '\t';
  out += kStatuses[status];
  out += '\t';
  out += kKinds[kind];
  out += "\t{";
  out += kCategories[category];
  out += "}\t";
  AppendCopyText(out, theme.code);
  out += '\t';
  out += kUrgencies[urgency];
  out += '\t';
  out += kSeverities[severity];
  out += '\t';
  out += kCertainties[certainty];
  out += '\t';
  AppendTime(out, sent);
  out += '\t';
  AppendOptionalTime(out, onset);
  out += '\t';
  AppendOptionalTime(out, expires);
  out += "\t{";
  for (std::size_t i = 0; i < municipalities.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += municipalities[i];
  }
  out += "}\t";
  AppendCopyText(out, headline);
  out += "\t[]\t";
  AppendBytea(out, payload);
  out += '\t';
  AppendTime(out, received);
  out += '\t';
  AppendCopyText(out, spec_.received_by);
  out += '\t';
  AppendCopyText(out, source.partner);
  out += '\t';
  out += kStates[state];
  out += '\t';
  AppendOptionalTime(out, ended_at);
  out += '\t';
  if (ended_by.empty()) {
    out += "\\N";
  } else {
    AppendCopyText(out, ended_by);
  }
  out += '\n';
}

}  // namespace vik::bench
