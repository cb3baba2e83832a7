// domain::RiskBook and the scoring rules of docs/risk-model.md.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "domain/risk_engine.h"
#include "domain/risk_scoring.h"

namespace vik::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// 2026-11-24T12:00:00Z.
core::WallTime Noon() {
  return core::WallTime{} + std::chrono::sys_days{std::chrono::year{2026} / 11 / 24}.time_since_epoch() + hours(12);
}

RiskSignal Warning(std::string id, std::string source, std::vector<std::string> municipalities, Severity severity,
                   core::WallTime onset, core::WallTime expires) {
  RiskSignal s;
  s.id = std::move(id);
  s.source = std::move(source);
  s.theme = "1.3";
  s.municipalities = std::move(municipalities);
  s.kind = SignalKind::kWarning;
  s.severity = severity;
  s.certainty = Certainty::kLikely;
  s.urgency = Urgency::kExpected;
  s.sent_at = onset;
  s.onset_at = onset;
  s.expires_at = expires;
  s.received_at = onset;
  return s;
}

RiskSignal Incident(std::string id, std::string source, std::string theme, std::vector<std::string> municipalities,
                    Severity severity, core::WallTime sent) {
  RiskSignal s;
  s.id = std::move(id);
  s.source = std::move(source);
  s.theme = std::move(theme);
  s.municipalities = std::move(municipalities);
  s.kind = SignalKind::kIncident;
  s.severity = severity;
  s.certainty = Certainty::kObserved;
  s.urgency = Urgency::kImmediate;
  s.sent_at = sent;
  s.received_at = sent;
  return s;
}

std::set<std::string> Ids(const std::vector<RiskChange>& changes) {
  std::set<std::string> out;
  for (const auto& c : changes) {
    out.insert(c.id);
  }
  return out;
}

const RiskView* Find(const std::vector<RiskView>& views, const std::string& id) {
  for (const auto& v : views) {
    if (v.id == id) {
      return &v;
    }
  }
  return nullptr;
}

TEST_CASE("levels 0 to 4 read none, green, yellow, orange, red", "[risk]") {
  CHECK(std::string(LevelColour(0)) == "none");
  CHECK(std::string(LevelColour(1)) == "green");
  CHECK(std::string(LevelColour(2)) == "yellow");
  CHECK(std::string(LevelColour(3)) == "orange");
  CHECK(std::string(LevelColour(4)) == "red");
  CHECK(std::string(LevelColourNl(2)) == "geel");
  CHECK(std::string(LevelColourNl(3)) == "oranje");
  CHECK(std::string(LevelColour(5)) == "invalid");
}

TEST_CASE("a signal's score is severity times certainty times urgency", "[risk]") {
  const auto now = Noon();
  RiskSignal s = Warning("a", "knmi", {"GM0796"}, Severity::kSevere, now, now + hours(6));
  const SignalWindow w = WindowOf(s, RiskEngineConfig{});
  CHECK(SignalScore(s, w, now, nullptr, now) == 3000);
  s.certainty = Certainty::kPossible;
  CHECK(SignalScore(s, w, now, nullptr, now) == 2400);
  s.urgency = Urgency::kFuture;
  CHECK(SignalScore(s, w, now, nullptr, now) == 2160);
  s.severity = Severity::kExtreme;
  s.certainty = Certainty::kObserved;
  s.urgency = Urgency::kImmediate;
  CHECK(SignalScore(s, w, now, nullptr, now) == 4000);
  s.severity = Severity::kMinor;
  s.certainty = Certainty::kUnlikely;
  s.urgency = Urgency::kPast;
  CHECK(SignalScore(s, w, now, nullptr, now) == 350);
  CHECK(LevelOfScore(350) == 1);  // a signal in effect is at least green
  CHECK(LevelOfScore(0) == 0);
  CHECK(LevelOfScore(2999) == 2);
  CHECK(LevelOfScore(4000) == 4);
}

TEST_CASE("a signal scores only inside from onset until expiry", "[risk]") {
  const auto now = Noon();
  const RiskSignal s = Warning("a", "knmi", {"GM0796"}, Severity::kModerate, now, now + hours(2));
  const SignalWindow w = WindowOf(s, RiskEngineConfig{});
  CHECK(SignalScore(s, w, now - minutes(1), nullptr, now) == 0);
  CHECK(SignalScore(s, w, now, nullptr, now) == 2000);
  CHECK(SignalScore(s, w, now + hours(2) - minutes(1), nullptr, now) == 2000);
  CHECK(SignalScore(s, w, now + hours(2), nullptr, now) == 0);
}

TEST_CASE("a signal without expiry lasts its kind's default validity and ages in steps", "[risk]") {
  const auto now = Noon();
  const RiskSignal s = Incident("i", "p2000", "2.1", {"GM0828"}, Severity::kSevere, now);
  const SignalWindow w = WindowOf(s, RiskEngineConfig{});
  CHECK_FALSE(w.has_expiry);
  CHECK(w.end == now + hours(6));
  CHECK(SignalScore(s, w, now + hours(3) - minutes(1), nullptr, now) == 3000);
  CHECK(SignalScore(s, w, now + hours(3), nullptr, now) == 2250);
  CHECK(SignalScore(s, w, now + minutes(270), nullptr, now) == 1500);
  CHECK(SignalScore(s, w, now + hours(6), nullptr, now) == 0);
}

TEST_CASE("corroboration by other sources within one level adds 250 each, at most 500", "[risk]") {
  const RiskEngineConfig config;
  const std::string a = "a", b = "b", c = "c", d = "d", ids[] = {"1", "2", "3", "4"};
  CHECK(CombineScores({}, config) == 0);
  CHECK(CombineScores({{2400, &a, &ids[0]}}, config) == 2400);
  CHECK(CombineScores({{2400, &a, &ids[0]}, {2000, &a, &ids[1]}}, config) == 2400);  // same source
  CHECK(CombineScores({{2400, &a, &ids[0]}, {2000, &b, &ids[1]}}, config) == 2650);
  CHECK(CombineScores({{2400, &a, &ids[0]}, {1300, &b, &ids[1]}}, config) == 2400);  // more than a level below
  CHECK(CombineScores({{2400, &a, &ids[0]}, {2000, &b, &ids[1]}, {2000, &c, &ids[2]}, {1900, &d, &ids[3]}}, config) ==
        2900);
  CHECK(CombineScores({{4000, &a, &ids[0]}, {4000, &b, &ids[1]}}, config) == 4000);  // capped at red
}

TEST_CASE("the worked example of docs/risk-model.md", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  // S1: KNMI code yellow (Moderate, Likely, Expected) for wind, 10:00-20:00.
  RiskSignal s1 = Warning("S1", "knmi", {"GM0796"}, Severity::kModerate, now - hours(2), now + hours(8));
  // S2: a partner's observation of storm damage (Severe, Possible, Immediate), no expiry, sent 11:00.
  RiskSignal s2 = Incident("S2", "gemeente-den-bosch", "1.3", {"GM0796"}, Severity::kSevere, now - hours(1));
  s2.kind = SignalKind::kObservation;
  s2.certainty = Certainty::kPossible;
  // S3: KNMI code orange (Severe, Likely, Future) for tomorrow 06:00-18:00.
  RiskSignal s3 = Warning("S3", "knmi", {"GM0796", "GM0828"}, Severity::kSevere, now + hours(18), now + hours(30));
  s3.urgency = Urgency::kFuture;
  // The weather feed reports every 10 minutes but was last seen 25 minutes ago.
  CHECK(book.SetSourceHealth("knmi", SourceHealth{now - minutes(25), minutes(10)}, now).empty());
  book.Apply(s1, now);
  book.Apply(s2, now);
  const auto changes = book.Apply(s3, now);
  CHECK(Ids(changes) == std::set<std::string>{"1.3@GM0796", "1.3@GM0828"});

  const auto views = book.Snapshot();
  REQUIRE(views.size() == 2);
  const RiskView& bosch = views[0];
  CHECK(bosch.id == "1.3@GM0796");
  // S1: 2000 x 1.0 x 1.0 x silence 0.75 = 1500; S2: 3000 x 0.8 x 1.0 = 2400, age 1 h of 3 h -> 2400.
  // Max 2400 + 250 (knmi corroborates within one level) = 2650 -> level 2, yellow.
  CHECK(bosch.levels.nowcast == 2);
  // +6 h (18:00): S2 ended (09:00+... 11:00 + 3 h); S1 alone 1500 -> 1.
  CHECK(bosch.levels.forecast[0] == 1);
  // +24 h (tomorrow 12:00): S3 2700 x silence 0.75 = 2025 -> 2.
  CHECK(bosch.levels.forecast[1] == 2);
  CHECK(bosch.levels.forecast[2] == 0);
  CHECK(bosch.levels.past == 0);
  CHECK(bosch.levels.trend == Trend::kFalling);
  CHECK(bosch.sources == 2);
  CHECK(bosch.signals_in_effect == 2);
  CHECK(bosch.signals_upcoming == 1);
  CHECK(bosch.signal_ids == std::vector<std::string>{"S2", "S1", "S3"});
  const RiskView& oss = views[1];
  CHECK(oss.id == "1.3@GM0828");
  CHECK(oss.levels.nowcast == 0);
  CHECK(oss.levels.forecast[1] == 2);

  // The feed comes back: silence decay lifts.
  book.SetSourceHealth("knmi", SourceHealth{now, minutes(10)}, now);
  const auto fresh = book.Snapshot();
  CHECK(fresh[0].levels.nowcast == 2);             // 2400 + 250 = 2650
  CHECK(fresh[0].levels.forecast[0] == 2);         // S1 alone, 2000
  CHECK(fresh[0].levels.forecast[1] == 2);         // S3 2700
  CHECK(fresh[0].levels.trend == Trend::kRising);  // same level ahead, none 6 h ago
}

TEST_CASE("a warning for tomorrow raises tomorrow's level, not today's", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  book.Apply(Warning("w", "knmi", {"GM0796"}, Severity::kSevere, now + hours(18), now + hours(30)), now);
  const auto views = book.Snapshot();
  REQUIRE(views.size() == 1);
  CHECK(views[0].levels.nowcast == 0);
  CHECK(views[0].levels.forecast == std::array<int, 3>{0, 3, 0});
  CHECK(views[0].forecast_max == 3);
  CHECK(views[0].levels.trend == Trend::kStable);
  CHECK(views[0].signals_upcoming == 1);
}

TEST_CASE("Recompute moves a risk through onset and expiry and evicts the ended signal", "[risk]") {
  core::FakeClock clock(Noon());
  const auto t0 = clock.Now();
  RiskBook book(SignalStatus::kActual);
  book.Apply(Warning("w", "knmi", {"GM0796"}, Severity::kSevere, t0 + hours(2), t0 + hours(5)), t0);
  CHECK(book.Snapshot()[0].levels.nowcast == 0);
  CHECK(book.Snapshot()[0].levels.forecast[0] == 0);
  CHECK(book.Snapshot()[0].levels.trend == Trend::kStable);
  REQUIRE(book.NextChange());
  CHECK(*book.NextChange() == t0 + hours(2));

  clock.Advance(hours(1));
  CHECK(book.Recompute(clock.Now()).empty());

  clock.Advance(hours(1));
  auto changes = book.Recompute(clock.Now());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].old_levels.nowcast == 0);
  CHECK(changes[0].new_levels.nowcast == 3);
  CHECK(changes[0].new_levels.trend == Trend::kFalling);  // ends within 6 h

  clock.Advance(hours(3));
  changes = book.Recompute(clock.Now());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_levels.nowcast == 0);
  CHECK(changes[0].new_levels.past == 0);
  CHECK(book.signal_count() == 1);  // kept for the trend look-back

  clock.Advance(hours(6));
  changes = book.Recompute(clock.Now());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].removed);
  CHECK(book.signal_count() == 0);
  CHECK(book.risk_count() == 0);
  CHECK_FALSE(book.NextChange());
}

TEST_CASE("cancelling or superseding a signal removes its contribution", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  RiskSignal s = Warning("w", "knmi", {"GM0796"}, Severity::kSevere, now, now + hours(6));
  book.Apply(s, now);
  book.Apply(Warning("v", "rws", {"GM0796"}, Severity::kModerate, now, now + hours(6)), now);
  CHECK(book.Snapshot()[0].levels.nowcast == 3);

  s.state = SignalState::kCancelled;
  auto changes = book.Apply(s, now);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].old_levels.nowcast == 3);
  CHECK(changes[0].new_levels.nowcast == 2);
  CHECK(book.signal_count() == 1);

  RiskSignal v = Warning("v", "rws", {"GM0796"}, Severity::kModerate, now, now + hours(6));
  v.state = SignalState::kSuperseded;
  changes = book.Apply(v, now);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].removed);
  CHECK(book.risk_count() == 0);

  // A CAP Cancel message itself never contributes.
  RiskSignal cancel = Warning("c", "knmi", {"GM0796"}, Severity::kExtreme, now, now + hours(6));
  cancel.msg_type = MsgType::kCancel;
  CHECK(book.Apply(cancel, now).empty());
  CHECK(book.risk_count() == 0);
}

TEST_CASE("exercise signals never mix into the actual picture", "[risk]") {
  const auto now = Noon();
  RiskBook actual(SignalStatus::kActual);
  RiskBook exercise(SignalStatus::kExercise);
  RiskSignal real = Warning("r", "knmi", {"GM0796"}, Severity::kModerate, now, now + hours(6));
  RiskSignal drill = Warning("x", "oefening", {"GM0796"}, Severity::kExtreme, now, now + hours(6));
  drill.status = SignalStatus::kExercise;
  for (RiskBook* book : {&actual, &exercise}) {
    book->Apply(real, now);
    book->Apply(drill, now);
  }
  REQUIRE(actual.Snapshot().size() == 1);
  CHECK(actual.Snapshot()[0].levels.nowcast == 2);
  CHECK(actual.Snapshot()[0].signal_ids == std::vector<std::string>{"r"});
  REQUIRE(exercise.Snapshot().size() == 1);
  CHECK(exercise.Snapshot()[0].levels.nowcast == 4);
  CHECK(exercise.Snapshot()[0].signal_ids == std::vector<std::string>{"x"});
  RiskSignal test = real;
  test.id = "t";
  test.status = SignalStatus::kTest;
  CHECK(actual.Apply(test, now).empty());
}

TEST_CASE("signals of a silent source decay in steps and recover when it reports again", "[risk]") {
  core::FakeClock clock(Noon());
  RiskBook book(SignalStatus::kActual);
  book.SetSourceHealth("knmi", SourceHealth{clock.Now(), hours(1)}, clock.Now());
  book.Apply(Warning("w", "knmi", {"GM0796"}, Severity::kSevere, clock.Now(), clock.Now() + hours(48)), clock.Now());
  CHECK(book.Snapshot()[0].levels.nowcast == 3);

  clock.Advance(hours(2) - minutes(1));
  CHECK(book.Recompute(clock.Now()).empty());
  clock.Advance(minutes(1));
  auto changes = book.Recompute(clock.Now());  // silent for 2 expected intervals: x0.75
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_levels.nowcast == 2);
  clock.Advance(hours(2));
  changes = book.Recompute(clock.Now());  // 4 intervals: x0.5
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_levels.nowcast == 1);

  changes = book.SetSourceHealth("knmi", SourceHealth{clock.Now(), hours(1)}, clock.Now());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_levels.nowcast == 3);
}

TEST_CASE("a source without an expected interval never decays", "[risk]") {
  const auto now = Noon();
  CHECK(SilenceFactor(nullptr, now) == 1000);
  CHECK(SilenceFactor(nullptr, now + hours(1000)) == 1000);
  const SourceHealth h{now, std::chrono::seconds(0)};
  CHECK(SilenceFactor(&h, now + hours(1000)) == 1000);
}

TEST_CASE("the trend rises when the level went up in the last 6 hours", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  book.Apply(Warning("w", "knmi", {"GM0796"}, Severity::kModerate, now - hours(1), now + hours(24)), now);
  const auto v = book.Snapshot()[0];
  CHECK(v.levels.past == 0);
  CHECK(v.levels.nowcast == 2);
  CHECK(v.levels.forecast[0] == 2);
  CHECK(v.levels.trend == Trend::kRising);
  // Seven hours later nothing changed within the look-back: stable.
  book.Recompute(now + hours(7));
  CHECK(book.Snapshot()[0].levels.trend == Trend::kStable);
}

TEST_CASE("partners reporting the same event merge into one risk, a region-wide signal has its own key", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  book.Apply(Incident("a", "brandweer", "1.2", {"GM1982"}, Severity::kSevere, now), now);
  book.Apply(Incident("b", "politie", "1.2", {"GM1982"}, Severity::kModerate, now), now);
  book.Apply(Incident("c", "knmi", "1.3", {}, Severity::kMinor, now), now);
  const auto views = book.Snapshot();
  REQUIRE(views.size() == 2);
  CHECK(views[0].id == "1.2@GM1982");
  CHECK(views[0].sources == 2);
  CHECK(views[0].signals_in_effect == 2);
  CHECK(views[0].levels.nowcast == 3);  // 3000 + 250 = 3250
  CHECK(views[1].id == "1.3@region");
  CHECK(views[1].key.municipality.empty());
  CHECK(views[1].breadth == 1000);
}

TEST_CASE("risks are ordered by level, forecast, severity, sources, breadth, then theme", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  // Level 2 today, nothing ahead.
  book.Apply(Warning("a", "knmi", {"GM0001"}, Severity::kModerate, now, now + hours(2)), now);
  // Level 2 today and tomorrow 4.
  book.Apply(Warning("b", "knmi", {"GM0002"}, Severity::kModerate, now, now + hours(2)), now);
  book.Apply(Warning("b2", "knmi", {"GM0002"}, Severity::kExtreme, now + hours(20), now + hours(30)), now);
  // Level 3 today.
  book.Apply(Warning("c", "knmi", {"GM0003"}, Severity::kSevere, now, now + hours(2)), now);
  // Level 2 today, two sources (2000 + 250 still 2).
  book.Apply(Warning("d", "knmi", {"GM0004"}, Severity::kModerate, now, now + hours(2)), now);
  book.Apply(Warning("d2", "rws", {"GM0004"}, Severity::kModerate, now, now + hours(2)), now);
  // Same as "a" but a different theme code that sorts later.
  RiskSignal e = Warning("e", "knmi", {"GM0001"}, Severity::kModerate, now, now + hours(2));
  e.theme = "4.1";
  book.Apply(e, now);

  auto order = [&book] {
    std::vector<std::string> ids;
    for (const auto& v : book.Snapshot()) {
      ids.push_back(v.id);
    }
    return ids;
  };
  CHECK(order() == std::vector<std::string>{"1.3@GM0003", "1.3@GM0002", "1.3@GM0004", "1.3@GM0001", "4.1@GM0001"});

  // The analyst raises 4.1@GM0001 to red: it goes first; the computed nowcast is kept.
  const auto changes = book.SetAnalystLevel(RiskKey{"4.1", "GM0001"}, 4, now);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_analyst_level == 4);
  CHECK(order().front() == "4.1@GM0001");
  const RiskView* v = Find(book.Snapshot(), "4.1@GM0001");
  REQUIRE(v != nullptr);
  CHECK(v->levels.nowcast == 2);
  CHECK(v->analyst_level == 4);
  CHECK(v->effective_level == 4);
  book.SetAnalystLevel(RiskKey{"4.1", "GM0001"}, std::nullopt, now);
  CHECK(order().back() == "4.1@GM0001");
}

TEST_CASE("Apply touches only the risks of the signal's keys", "[risk]") {
  const auto now = Noon();
  RiskBook book(SignalStatus::kActual);
  book.Apply(Incident("x", "p2000", "2.1", {"GM0796"}, Severity::kSevere, now), now);
  book.Apply(Incident("y", "p2000", "1.3", {"GM0828"}, Severity::kMinor, now), now);
  book.Apply(Incident("z", "p2000", "1.3", {"GM0865"}, Severity::kMinor, now), now);
  const auto before = book.Snapshot();

  const auto later = now + minutes(5);
  RiskSignal s = Incident("n", "rws", "1.3", {"GM0828", "GM1991"}, Severity::kSevere, later);
  auto changes = book.Apply(s, later);
  CHECK(Ids(changes) == std::set<std::string>{"1.3@GM0828", "1.3@GM1991"});
  for (const auto& c : changes) {
    CHECK(c.new_levels.nowcast == 3);
  }
  CHECK(changes[1].created);
  const auto after = book.Snapshot();
  CHECK(Find(after, "2.1@GM0796")->computed_at == now);
  CHECK(Find(after, "1.3@GM0865")->computed_at == now);

  // The same signal moved to another municipality touches old and new keys only.
  s.municipalities = {"GM0845"};
  changes = book.Apply(s, later);
  CHECK(Ids(changes) == std::set<std::string>{"1.3@GM0828", "1.3@GM1991", "1.3@GM0845"});
  // Re-applying an unchanged signal changes nothing.
  CHECK(book.Apply(s, later).empty());
}

TEST_CASE("eviction keeps the book bounded by signals in effect, upcoming or recently ended", "[risk]") {
  core::FakeClock clock(Noon());
  RiskBook book(SignalStatus::kActual);
  std::size_t most_signals = 0;
  std::size_t most_risks = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto now = clock.Now();
    const std::string m = "GM" + std::to_string(1000 + i % 50);
    book.Apply(Warning("s" + std::to_string(i), "knmi", {m}, Severity::kModerate, now, now + minutes(30)), now);
    book.Recompute(now);
    most_signals = std::max(most_signals, book.signal_count());
    most_risks = std::max(most_risks, book.risk_count());
    clock.Advance(minutes(10));
  }
  // 30 min in effect + 6 h look-back at one signal per 10 minutes: at most ~40 held.
  CHECK(most_signals <= 40);
  CHECK(most_risks <= 40);
  book.Recompute(clock.Now() + hours(7));
  CHECK(book.signal_count() == 0);
  CHECK(book.risk_count() == 0);
}

}  // namespace
}  // namespace vik::domain

namespace vik::domain {

TEST_CASE("risk ids round-trip and malformed ids are refused", "[unit][risk]") {
  for (const RiskKey& key : {RiskKey{"1.3", "GM0796"}, RiskKey{"2", ""}, RiskKey{"", "GM0828"}, RiskKey{"", ""}}) {
    const auto parsed = ParseRiskId(RiskId(key));
    REQUIRE(parsed);
    CHECK(*parsed == key);
  }
  CHECK(RiskId(RiskKey{"", ""}) == "unclassified@region");
  for (const char* bad : {"", "@", "1.3", "1.3@", "@GM0796", "1.3@GM079", "1.3@gm0796", "1..3@region", ".1@region",
                          "1.3@GM0796@region", "x@region", "1.3@GM07960", "../etc@region"}) {
    INFO(bad);
    CHECK_FALSE(ParseRiskId(bad));
  }
}

TEST_CASE("enumeration names read back as their values and unknown names do not", "[unit][risk]") {
  CHECK(FromName<Severity>("extreme") == Severity::kExtreme);
  CHECK(FromName<Certainty>("unlikely") == Certainty::kUnlikely);
  CHECK(FromName<SignalStatus>("exercise") == SignalStatus::kExercise);
  CHECK(FromName<SignalKind>("assessment") == SignalKind::kAssessment);
  CHECK(FromName<Urgency>("past") == Urgency::kPast);
  CHECK(FromName<MsgType>("cancel") == MsgType::kCancel);
  CHECK_FALSE(FromName<Severity>("unspecified"));
  CHECK_FALSE(FromName<Severity>("Extreme"));
  CHECK_FALSE(FromName<Severity>(""));
}

TEST_CASE("picture counts cover signals in effect now, by kind", "[unit][risk]") {
  RiskBook book(SignalStatus::kActual);
  const core::WallTime now = Noon();
  book.Apply(Incident("i1", "brandweer", "2.1", {"GM0796"}, Severity::kSevere, now - minutes(10)), now);
  book.Apply(Incident("i2", "politie", "2.1", {"GM0828"}, Severity::kModerate, now - minutes(5)), now);
  book.Apply(Warning("w-now", "knmi", {"GM0796"}, Severity::kSevere, now - hours(1), now + hours(3)), now);
  book.Apply(Warning("w-tomorrow", "knmi", {"GM0796"}, Severity::kExtreme, now + hours(20), now + hours(30)), now);
  const PictureCounts counts = book.Counts(now);
  CHECK(counts.signals_in_effect == 3);
  CHECK(counts.incidents == 2);
  CHECK(counts.warnings == 1);  // tomorrow's warning is not in effect yet
  // An incident without expiry lapses after its kind's default validity (6 h).
  CHECK(book.Counts(now + hours(7)).incidents == 0);
  CHECK(book.Counts(now + hours(21)).warnings == 1);
}

}  // namespace vik::domain

namespace vik::domain {

TEST_CASE("applying a batch gives the same picture as applying its signals one by one", "[unit][risk]") {
  const core::WallTime now = Noon();
  std::vector<RiskSignal> signals;
  for (int i = 0; i < 60; ++i) {
    const std::vector<std::string> places = {i % 3 == 0 ? "GM0796" : "GM0828"};
    if (i % 4 == 0) {
      signals.push_back(Warning("w" + std::to_string(i), "knmi", places,
                                i % 8 == 0 ? Severity::kSevere : Severity::kModerate, now + hours(i % 30) - hours(5),
                                now + hours(i % 30 + 2)));
    } else {
      signals.push_back(Incident("i" + std::to_string(i), i % 2 == 0 ? "brandweer" : "politie",
                                 i % 5 == 0 ? "2.1" : "5.3", places, i % 6 == 0 ? Severity::kExtreme : Severity::kMinor,
                                 now - minutes(i * 7)));
    }
  }
  // Some are ended later in the same batch.
  RiskSignal cancelled = signals[5];
  cancelled.state = SignalState::kCancelled;
  signals.push_back(cancelled);
  const std::vector<std::pair<std::string, SourceHealth>> health = {
      {"knmi", SourceHealth{now - minutes(50), std::chrono::minutes(10)}}};

  RiskBook one_by_one(SignalStatus::kActual);
  for (const auto& [source, h] : health) {
    one_by_one.SetSourceHealth(source, h, now);
  }
  for (const auto& s : signals) {
    one_by_one.Apply(s, now);
  }
  RiskBook batched(SignalStatus::kActual);
  const auto changes = batched.ApplyAll(health, signals, now);
  CHECK(changes.size() == batched.risk_count());  // every risk created once
  const auto a = one_by_one.Snapshot();
  const auto b = batched.Snapshot();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].id);
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].levels == b[i].levels);
    CHECK(a[i].signal_ids == b[i].signal_ids);
    CHECK(a[i].signals_in_effect == b[i].signals_in_effect);
  }
  CHECK(one_by_one.Counts(now) == batched.Counts(now));
  CHECK(one_by_one.NextChange() == batched.NextChange());
}

}  // namespace vik::domain
