// The mirror of peers (store/pg_mirror.cc, migration 0012) against a real PostgreSQL: a page is
// applied only while the stored cursor is the one it was read after (moved with it, counted once),
// snapshots replace a peer's risks and may be cursor-checked too, one region per peer, and fenced
// writes of a deposed leader write nothing.

#include <chrono>
#include <thread>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "integration/migrated_store.h"
#include "store/store.h"
#include "support/postgres.h"

namespace {

using std::chrono::milliseconds;
using vik::store::MirrorApply;
using vik::store::MirrorRiskRow;
using vik::store::MirrorSnapshot;
using vik::testing::FreshDatabase;

struct MirrorFixture {
  MirrorFixture() { store = vik::testing::OpenMigratedStore(db.dsn(), registry); }

  vik::store::PeerRecord Peer(const std::string& name) {
    auto peers = store->ReadPeers({name});
    REQUIRE(peers.ok());
    REQUIRE(peers->size() == 1);
    return peers->front();
  }

  int RisksOf(const std::string& peer) {
    auto overview = store->ReadMirrorOverview({peer}, "actual", 10, 1);
    REQUIRE(overview.ok());
    REQUIRE(overview->peers.size() == 1);
    int n = 0;
    for (int c : overview->peers[0].risks_by_level) {
      n += c;
    }
    return n;
  }

  prometheus::Registry registry;
  FreshDatabase db;
  std::unique_ptr<vik::store::Store> store;
};

MirrorRiskRow Risk(const std::string& id, int level) {
  return {"actual", id, "2.1", "GM0826", level, 1, true, "body-" + id};
}

MirrorSnapshot Snapshot(const std::string& peer, const std::string& region, const std::string& cursor) {
  MirrorSnapshot s;
  s.peer = peer;
  s.region = region;
  s.region_name = "test";
  s.cursor = cursor;
  s.risks = {Risk("2.1@GM0826", 3)};
  return s;
}

MirrorApply Page(const std::string& peer, const std::string& from, const std::string& next, int changes) {
  MirrorApply a;
  a.peer = peer;
  a.from_cursor = from;
  a.next_cursor = next;
  a.changes = changes;
  a.signals = {{"s-" + next, "actual", "active", 1'800'000'000'000'000, 0, "signal-body"}};
  a.risks = {Risk("1.1@GM0826", 2)};
  return a;
}

}  // namespace

TEST_CASE("a mirrored page applies only after the stored cursor and moves it with its count once",
          "[integration][mirror]") {
  MirrorFixture f;
  REQUIRE(f.store->ApplyMirrorSnapshot(std::nullopt, "(test)", Snapshot("vr20", "VR20", "10.0")).ok());
  CHECK(f.Peer("vr20").cursor == "10.0");
  CHECK(f.Peer("vr20").snapshots == 1);

  REQUIRE(f.store->ApplyMirrorChanges(std::nullopt, "(test)", Page("vr20", "10.0", "12.3", 5)).ok());
  CHECK(f.Peer("vr20").cursor == "12.3");
  CHECK(f.Peer("vr20").changes_applied == 5);
  CHECK(f.RisksOf("vr20") == 2);

  // The same page again (a lost answer, a second writer): refused, nothing written.
  const auto again = f.store->ApplyMirrorChanges(std::nullopt, "(test)", Page("vr20", "10.0", "12.3", 5));
  CHECK(again.code() == vik::core::StatusCode::kAborted);
  // A page read after another position: refused too.
  CHECK(f.store->ApplyMirrorChanges(std::nullopt, "(test)", Page("vr20", "11.0", "13.0", 1)).code() ==
        vik::core::StatusCode::kAborted);
  CHECK(f.Peer("vr20").cursor == "12.3");
  CHECK(f.Peer("vr20").changes_applied == 5);

  auto signals = f.store->ListMirrorSignals({"vr20"}, 10);
  REQUIRE(signals.ok());
  CHECK(signals->size() == 1);
}

TEST_CASE("a snapshot replaces the peer's risks, may be cursor-checked, and a region has one peer",
          "[integration][mirror]") {
  MirrorFixture f;
  REQUIRE(f.store->ApplyMirrorSnapshot(std::nullopt, "(test)", Snapshot("vr20", "VR20", "10.0")).ok());
  REQUIRE(f.store->ApplyMirrorChanges(std::nullopt, "(test)", Page("vr20", "10.0", "12.3", 2)).ok());
  REQUIRE(f.RisksOf("vr20") == 2);

  // A pushed resynchronisation names the cursor the pusher last heard: stale -> ABORTED.
  auto stale = Snapshot("vr20", "VR20", "20.0");
  stale.from_cursor = "10.0";
  CHECK(f.store->ApplyMirrorSnapshot(std::nullopt, "(test)", stale).code() == vik::core::StatusCode::kAborted);
  CHECK(f.Peer("vr20").cursor == "12.3");
  auto current = Snapshot("vr20", "VR20", "20.0");
  current.from_cursor = "12.3";
  REQUIRE(f.store->ApplyMirrorSnapshot(std::nullopt, "(test)", current).ok());
  CHECK(f.Peer("vr20").cursor == "20.0");
  CHECK(f.Peer("vr20").snapshots == 2);
  CHECK(f.RisksOf("vr20") == 1);  // replaced, not added to

  const auto twice = f.store->ApplyMirrorSnapshot(std::nullopt, "(test)", Snapshot("other", "VR20", "1.0"));
  CHECK(twice.code() == vik::core::StatusCode::kAlreadyExists);
  CHECK(twice.message().find("another peer of this node mirrors already") != std::string::npos);
}

TEST_CASE("a deposed leader's mirror writes are fenced and write nothing", "[integration][mirror]") {
  MirrorFixture f;
  auto epoch = f.store->AcquireLease("vik.leader", "a", milliseconds(200));
  REQUIRE(epoch.ok());
  REQUIRE(epoch->has_value());
  const vik::store::Fence old_fence{"vik.leader", "a", **epoch};
  REQUIRE(f.store->ApplyMirrorSnapshot(old_fence, "(test)", Snapshot("vr20", "VR20", "10.0")).ok());
  std::this_thread::sleep_for(milliseconds(400));
  auto taken = f.store->AcquireLease("vik.leader", "b", milliseconds(5000));
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());

  const auto fenced = f.store->ApplyMirrorChanges(old_fence, "(test)", Page("vr20", "10.0", "11.0", 1));
  CHECK(fenced.code() == vik::core::StatusCode::kFailedPrecondition);
  CHECK(f.store->RecordPeerError(old_fence, "vr20", "(test)", "x", true).code() ==
        vik::core::StatusCode::kFailedPrecondition);
  CHECK(f.Peer("vr20").cursor == "10.0");
  CHECK(f.Peer("vr20").changes_applied == 0);
  CHECK(f.Peer("vr20").last_error.empty());
}
