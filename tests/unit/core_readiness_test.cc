// core::ReadinessState: what it records, why it is not ready, and when it notifies.

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/readiness.h"

namespace vik::core {
namespace {

const WallTime kT0 = WallTime{} + std::chrono::hours(1000);

// Records every notification a listener receives.
struct Recorder {
  std::vector<bool> seen;
  int Attach(ReadinessState& state) {
    return state.Subscribe([this](bool ready) { seen.push_back(ready); });
  }
};

TEST_CASE("a new readiness state is not ready and says it is starting", "[core][readiness]") {
  const ReadinessState state(3);
  const ReadinessSnapshot s = state.Get();
  CHECK_FALSE(s.ready);
  CHECK_FALSE(s.checked);
  CHECK_FALSE(s.draining);
  CHECK(s.schema_version == 3);
  CHECK(ReadinessState::Reason(s) == "starting: the database has not been checked yet");
}

TEST_CASE("a check with database and schema good makes the state ready", "[core][readiness]") {
  ReadinessState state(1);
  state.Record(true, "", true, "", kT0);
  const ReadinessSnapshot s = state.Get();
  CHECK(s.ready);
  CHECK(s.checked);
  CHECK(s.checked_at == kT0);
  CHECK(ReadinessState::Reason(s).empty());
}

TEST_CASE("the reason names an unreachable database before a stale schema", "[core][readiness]") {
  ReadinessState state(1);
  state.Record(false, "connection refused", false, "schema is at version 0, expected 1", kT0);
  const std::string database_reason = ReadinessState::Reason(state.Get());
  CHECK_THAT(database_reason, Catch::StartsWith("database") && Catch::EndsWith(": connection refused"));

  state.Record(true, "", false, "schema is at version 0, expected 1", kT0);
  CHECK_FALSE(state.Get().ready);
  CHECK(ReadinessState::Reason(state.Get()) == "schema is at version 0, expected 1");
}

TEST_CASE("subscribing reports the current readiness once at registration", "[core][readiness]") {
  ReadinessState state(1);
  Recorder before;
  before.Attach(state);
  CHECK(before.seen == std::vector<bool>{false});

  state.Record(true, "", true, "", kT0);
  Recorder after;
  after.Attach(state);
  CHECK(after.seen == std::vector<bool>{true});
}

TEST_CASE("listeners are notified only when readiness flips", "[core][readiness]") {
  ReadinessState state(1);
  Recorder r;
  r.Attach(state);

  state.Record(false, "down", true, "", kT0);         // still not ready: no notification
  state.Record(true, "", true, "", kT0);              // flips to ready
  state.Record(true, "", true, "", kT0);              // unchanged
  state.Record(true, "", false, "behind", kT0);       // flips to not ready
  state.Record(false, "down", false, "behind", kT0);  // unchanged

  CHECK(r.seen == std::vector<bool>{false, true, false});
}

TEST_CASE("draining makes a ready state not ready and notifies once", "[core][readiness]") {
  ReadinessState state(1);
  state.Record(true, "", true, "", kT0);
  Recorder r;
  r.Attach(state);

  state.SetDraining();
  state.SetDraining();

  CHECK(r.seen == std::vector<bool>{true, false});
  const ReadinessSnapshot s = state.Get();
  CHECK_FALSE(s.ready);
  CHECK(s.draining);
  CHECK(ReadinessState::Reason(s) == "shutting down");
}

TEST_CASE("draining is sticky: later good checks never make the state ready again", "[core][readiness]") {
  ReadinessState state(1);
  Recorder r;
  r.Attach(state);

  state.SetDraining();  // not ready before and after: no notification
  state.Record(true, "", true, "", kT0);

  CHECK(r.seen == std::vector<bool>{false});
  const ReadinessSnapshot s = state.Get();
  CHECK_FALSE(s.ready);
  CHECK(s.draining);
  CHECK(s.database_ok);
  CHECK(s.schema_ok);
  CHECK(ReadinessState::Reason(s) == "shutting down");
}

TEST_CASE("an unsubscribed listener is not notified again", "[core][readiness]") {
  ReadinessState state(1);
  Recorder kept;
  Recorder dropped;
  kept.Attach(state);
  const int id = dropped.Attach(state);

  state.Unsubscribe(id);
  state.Record(true, "", true, "", kT0);

  CHECK(kept.seen == std::vector<bool>{false, true});
  CHECK(dropped.seen == std::vector<bool>{false});
}

TEST_CASE("each subscription gets its own id", "[core][readiness]") {
  ReadinessState state(1);
  Recorder a;
  Recorder b;
  CHECK(a.Attach(state) != b.Attach(state));
}

}  // namespace
}  // namespace vik::core
