// picture::PictureKeeper against an in-memory picture store (fakes/fake_picture_store.h) and a
// fake clock: a round writes what changed, and its degraded paths (database down, a fenced write,
// an in-doubt commit) end the round without a partial picture; the next round converges.

#include <chrono>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/logging.h"
#include "fakes/fake_picture_store.h"
#include "picture/picture_keeper.h"
#include "store/fence_status.h"

namespace vik::picture {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// 2026-11-24T12:00:00Z.
core::WallTime Noon() {
  return core::WallTime{} + std::chrono::sys_days{std::chrono::year{2026} / 11 / 24}.time_since_epoch() + hours(12);
}

domain::RiskSignal Warning(std::string id, std::string municipality, domain::Severity severity, core::WallTime at) {
  domain::RiskSignal s;
  s.id = std::move(id);
  s.source = "knmi";
  s.theme = "1.3";
  s.municipalities = {std::move(municipality)};
  s.kind = domain::SignalKind::kWarning;
  s.severity = severity;
  s.certainty = domain::Certainty::kLikely;
  s.urgency = domain::Urgency::kExpected;
  s.sent_at = at;
  s.onset_at = at;
  s.expires_at = at + hours(6);
  s.received_at = at;
  return s;
}

struct Fixture {
  Fixture() : keeper(store, clock, Options(), core::ModuleLogger("picture"), metrics) { store.fence.Grant(fence); }

  static KeeperOptions Options() {
    KeeperOptions o;
    o.node_id = "node-a";
    o.batch_rows = 2;
    o.max_batches = 3;
    return o;
  }
  core::Status Round() {
    return keeper.Round(fence, [] { return true; });
  }
  int RisksInPicture() const {
    int n = 0;
    for (const auto& [key, row] : store.Risks()) {
      n += row.in_picture ? 1 : 0;
    }
    return n;
  }

  core::FakeClock clock{Noon()};
  testing::FakePictureStore store;
  prometheus::Registry registry;
  PictureMetrics metrics{registry};
  store::Fence fence{"vik-leader", "node-a", 7};
  PictureKeeper keeper;
};

TEST_CASE("A round writes the risks of new signals with their level history and the cursor", "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  f.store.AddSignal(Warning("s2", "GM0797", domain::Severity::kModerate, Noon()));
  REQUIRE(f.Round().ok());
  CHECK(f.keeper.warm());
  CHECK(f.RisksInPicture() == 2);
  CHECK(f.store.History().size() == 2);
  CHECK(f.store.Cursor() == f.store.LastLogged());
  CHECK(f.store.Commits() == 1);
}

TEST_CASE("A round with nothing new before the heartbeat writes nothing, after it, the cursor and counts again",
          "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  REQUIRE(f.Round().ok());
  f.clock.Advance(seconds(1));
  REQUIRE(f.Round().ok());
  CHECK(f.store.Commits() == 1);
  f.clock.Advance(seconds(5));
  REQUIRE(f.Round().ok());
  CHECK(f.store.Commits() == 2);
  CHECK(f.store.History().size() == 1);  // the heartbeat changes no level
}

TEST_CASE("A round reads the change log in batches and carries the rest over to the next round", "[unit][picture]") {
  Fixture f;  // 2 rows per batch, 3 batches per round
  for (int i = 0; i < 8; ++i) {
    f.store.AddSignal(
        Warning("s" + std::to_string(i), "GM07" + std::to_string(10 + i), domain::Severity::kSevere, Noon()));
  }
  REQUIRE(f.Round().ok());  // warm-up holds all eight; the cursor advances by six rows
  CHECK(f.store.Cursor() < f.store.LastLogged());
  CHECK(f.store.faults.Calls("ReadPictureChanges") == 3);
  REQUIRE(f.Round().ok());
  CHECK(f.store.Cursor() == f.store.LastLogged());
  CHECK(f.RisksInPicture() == 8);
  CHECK(f.store.History().size() == 8);
}

TEST_CASE("With the database down a round fails, writes nothing, and the next round warms up and converges",
          "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  REQUIRE(f.Round().ok());
  f.store.AddSignal(Warning("s2", "GM0797", domain::Severity::kSevere, Noon()));
  f.store.faults.FailEverything(core::Unavailable("database down"));
  const core::Status down = f.Round();
  CHECK(down.code() == core::StatusCode::kUnavailable);
  CHECK_FALSE(store::IsFenced(down));
  CHECK_FALSE(f.keeper.warm());
  CHECK(f.store.Commits() == 1);
  CHECK(f.metrics.rounds.Add({{"result", "error"}}).Value() == 1);
  f.store.faults.Heal();
  const int warmups = f.store.faults.Calls("LoadPictureWarmup");
  REQUIRE(f.Round().ok());
  CHECK(f.store.faults.Calls("LoadPictureWarmup") == warmups + 1);
  CHECK(f.RisksInPicture() == 2);
  CHECK(f.store.History().size() == 2);
  CHECK(f.store.Cursor() == f.store.LastLogged());
}

TEST_CASE("The database failing mid-round (the write) leaves the picture as it was", "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  f.store.faults.FailCall("WritePicture", 1, core::Unavailable("connection reset"));
  CHECK(f.Round().code() == core::StatusCode::kUnavailable);
  CHECK(f.store.Risks().empty());
  CHECK(f.store.Cursor() == store::ChangeCursor{});
  REQUIRE(f.Round().ok());
  CHECK(f.RisksInPicture() == 1);
}

TEST_CASE("A fenced write ends the round reporting fenced, and nothing is written", "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  f.store.fence.Revoke();  // another instance took the lease
  const core::Status s = f.Round();
  CHECK(store::IsFenced(s));
  CHECK(s.code() == core::StatusCode::kFailedPrecondition);
  CHECK(f.store.Commits() == 0);
  CHECK(f.store.Risks().empty());
  CHECK_FALSE(f.keeper.warm());
  CHECK(f.metrics.rounds.Add({{"result", "fenced"}}).Value() == 1);
}

TEST_CASE("After an in-doubt commit of a round the next round converges without doubling anything", "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  f.store.AddSignal(Warning("s2", "GM0797", domain::Severity::kModerate, Noon()));
  f.store.faults.FailCall("WritePicture", 1, core::Unknown("connection lost during commit"),
                          testing::FaultPlan::When::kAfter);
  CHECK(f.Round().code() == core::StatusCode::kUnknown);  // committed, but the keeper cannot know
  CHECK_FALSE(f.keeper.warm());
  const auto committed = f.store.Risks();
  REQUIRE(committed.size() == 2);
  f.clock.Advance(seconds(1));
  REQUIRE(f.Round().ok());               // warms up from what was committed
  CHECK(f.store.History().size() == 2);  // no level change written twice
  const auto now = f.store.Risks();
  REQUIRE(now.size() == committed.size());
  for (const auto& [key, row] : committed) {
    CHECK(now.at(key).SameAs(row));
  }
  CHECK(f.store.Cursor() == f.store.LastLogged());
}

TEST_CASE("A new term (another epoch) warms up again before its first write", "[unit][picture]") {
  Fixture f;
  f.store.AddSignal(Warning("s1", "GM0796", domain::Severity::kSevere, Noon()));
  REQUIRE(f.Round().ok());
  f.fence.epoch = 8;
  f.store.fence.Grant(f.fence);
  const int warmups = f.store.faults.Calls("LoadPictureWarmup");
  REQUIRE(f.Round().ok());
  CHECK(f.store.faults.Calls("LoadPictureWarmup") == warmups + 1);
  CHECK(f.store.History().size() == 1);
}

TEST_CASE("A round that may not go on stops after its first batch and writes what it read", "[unit][picture]") {
  Fixture f;
  for (int i = 0; i < 6; ++i) {
    f.store.AddSignal(
        Warning("s" + std::to_string(i), "GM07" + std::to_string(10 + i), domain::Severity::kSevere, Noon()));
  }
  REQUIRE(f.keeper.Round(f.fence, [] { return false; }).ok());
  CHECK(f.store.faults.Calls("ReadPictureChanges") == 1);
  CHECK(f.store.Commits() == 1);
  CHECK(f.store.Cursor() < f.store.LastLogged());
}

}  // namespace
}  // namespace vik::picture
