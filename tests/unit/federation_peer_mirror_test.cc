// federation::PeerMirror (one follower) against an in-memory mirror store
// (fakes/fake_mirror_store.h) and a scripted peer (fakes/fake_exchange_stub.h): pages applied with
// the cursor, and what the follower does when the peer answers garbage, a page too large, a cursor
// it no longer has, or nothing at all, when another writer moved the cursor, and when the write is
// fenced. The loop runs on a real io_context and blocking pool with 1 ms intervals; the tests wait
// (bounded) for what the loop must do.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <prometheus/registry.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/logging.h"
#include "fakes/fake_exchange_stub.h"
#include "fakes/fake_mirror_store.h"
#include "federation/peer_mirror.h"

namespace vik::federation {
namespace {

using std::chrono::milliseconds;

template <typename Predicate>
bool WaitFor(Predicate done, milliseconds limit = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// A well-formed page of `n` signal changes ending at `next`.
vik::v1::ListChangesResponse Page(const std::string& next, int n) {
  vik::v1::ListChangesResponse page;
  for (int i = 1; i <= n; ++i) {
    auto* c = page.add_changes();
    c->set_cursor(next + "." + std::to_string(i));
    c->set_picture("actual");
    c->set_kind("signal.accepted");
    c->set_object("sig-" + std::to_string(i));
    c->mutable_at()->set_seconds(1'700'000'000);
    c->mutable_signal()->set_id("sig-" + std::to_string(i));
    c->mutable_signal()->mutable_received_at()->set_seconds(1'700'000'000);
  }
  page.set_next_cursor(next);
  return page;
}

struct Fixture {
  Fixture() {
    store.fence.Grant(fence);
    store::PeerRecord north;
    north.name = "north";
    north.endpoint = "north.example:443";
    north.region = "VR01";
    north.cursor = "c0";
    store.AddPeer(north);
    peer.OnGetRegionalStatus([](const vik::v1::GetRegionalStatusRequest&, vik::v1::RegionalStatus* status) {
      status->set_region("VR01");
      return grpc::Status::OK;
    });
    blocking.Start();
    io_thread = std::thread([this] { ioc.run(); });
  }
  ~Fixture() {
    if (mirror) {
      mirror->Stop(milliseconds(5000));
    }
    work.reset();
    ioc.stop();
    io_thread.join();
    blocking.Stop();
  }

  void Start() {
    MirrorOptions options;
    options.timing.interval = milliseconds(1);
    options.timing.max_backoff = milliseconds(4);
    options.status_interval = milliseconds(3'600'000);
    options.page = 8;
    options.own_region = "VR07";
    mirror = std::make_unique<PeerMirror>(
        std::vector<PeerConfig>{{"north", "north.example:443", "token", false, configured_region}}, options, store,
        blocking, ioc,
        [this]() -> std::optional<store::Fence> { return leading ? std::optional<store::Fence>(fence) : std::nullopt; },
        [this](const char*) {
          ++fenced;
          leading = false;  // the lease steps down
        },
        metrics, core::ModuleLogger("mirror"), [this](const PeerConfig&) { return peer.NewStub(); });
    mirror->Start();
  }
  std::vector<std::string> Afters() const {
    std::vector<std::string> out;
    for (const auto& r : peer.ListRequests()) {
      out.push_back(r.after());
    }
    return out;
  }

  store::Fence fence{"vik-leader", "node-a", 4};
  std::string configured_region = "VR01";  // peer.north.region
  std::atomic<bool> leading{true};
  std::atomic<int> fenced{0};
  testing::FakeMirrorStore store;
  testing::FakePeer peer;
  prometheus::Registry registry;
  MirrorMetrics metrics{registry};
  core::BlockingPool blocking{"test-mirror", 2, 64};
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread io_thread;
  std::unique_ptr<PeerMirror> mirror;
};

TEST_CASE("A follower applies the peer's page with its cursor and continues after it", "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([](const vik::v1::ListChangesRequest& r, vik::v1::ListChangesResponse* page) {
    if (r.after() == "c0") {
      *page = Page("c1", 2);
    } else {
      page->set_next_cursor(r.after());
    }
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.peer.ListRequests().size() >= 2; }));
  CHECK(f.store.Peer("north").cursor == "c1");
  const auto applied = f.store.Applied();
  REQUIRE(applied.size() == 1);
  CHECK(applied[0].from_cursor == "c0");
  CHECK(applied[0].changes == 2);
  const auto afters = f.Afters();
  CHECK(afters[0] == "c0");
  CHECK(afters[1] == "c1");
  CHECK(f.metrics.Applied("north").Value() == 2);
  CHECK(f.metrics.Up("north").Value() == 1);
  CHECK(f.peer.StatusRequests().size() == 1);
}

TEST_CASE("A page with a malformed change is rejected whole: nothing applied, the cursor not advanced",
          "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([](const vik::v1::ListChangesRequest&, vik::v1::ListChangesResponse* page) {
    *page = Page("c1", 3);
    page->mutable_changes(1)->set_picture("<script>");  // garbage in the second change
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.peer.ListRequests().size() >= 3; }));
  CHECK(f.store.Applied().empty());
  CHECK(f.store.Peer("north").cursor == "c0");
  for (const auto& after : f.Afters()) {
    CHECK(after == "c0");
  }
  REQUIRE(WaitFor([&] { return f.store.Peer("north").consecutive_errors >= 2; }));
  CHECK(f.store.Peer("north").last_error.find("ListChanges: change 2") != std::string::npos);
  CHECK(f.metrics.Up("north").Value() == 0);
  CHECK(f.metrics.Errors("north").Value() >= 2);
}

TEST_CASE("A page without a usable next cursor or speaking for another region is rejected, the cursor kept",
          "[unit][mirror]") {
  for (const bool other_region : {false, true}) {
    Fixture f;
    f.peer.OnListChanges([other_region](const vik::v1::ListChangesRequest&, vik::v1::ListChangesResponse* page) {
      *page = Page("c1", 1);
      if (other_region) {
        auto* c = page->add_changes();
        c->set_cursor("c1.9");
        c->set_picture("actual");
        c->set_kind("region.state");
        c->set_object("VR09");
      } else {
        page->clear_next_cursor();
      }
      return grpc::Status::OK;
    });
    f.Start();
    REQUIRE(WaitFor([&] { return f.store.Peer("north").consecutive_errors >= 2; }));
    CHECK(f.store.Applied().empty());
    CHECK(f.store.Peer("north").cursor == "c0");
    CHECK(f.store.Peer("north").last_error.find(other_region ? "VR09" : "next_cursor") != std::string::npos);
  }
}

TEST_CASE("A page too large for the channel (RESOURCE_EXHAUSTED) halves the page asked for, cursor kept",
          "[unit][mirror]") {
  Fixture f;
  std::atomic<int> refusals{3};
  f.peer.OnListChanges([&refusals](const vik::v1::ListChangesRequest& r, vik::v1::ListChangesResponse* page) {
    if (refusals > 0) {
      --refusals;
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "Received message larger than max");
    }
    *page = r.after() == "c0" ? Page("c1", 1) : vik::v1::ListChangesResponse();
    page->set_next_cursor(r.after() == "c0" ? "c1" : r.after());
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.peer.ListRequests().size() >= 5; }));
  const auto requests = f.peer.ListRequests();
  CHECK(requests[0].limit() == 8);
  CHECK(requests[1].limit() == 4);
  CHECK(requests[2].limit() == 2);
  CHECK(requests[3].limit() == 1);  // the page that got through
  CHECK(requests[3].after() == "c0");
  CHECK(requests[4].limit() == 2);  // doubled back after a success
  CHECK(requests[4].after() == "c1");
  CHECK(f.store.Applied().size() == 1);
}

TEST_CASE("An unreachable or timing-out peer is retried with backoff and its error recorded, cursor kept",
          "[unit][mirror]") {
  for (const auto code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED}) {
    Fixture f;
    f.peer.OnListChanges([code](const vik::v1::ListChangesRequest&, vik::v1::ListChangesResponse*) {
      return grpc::Status(code, "failed to connect to all addresses");
    });
    f.Start();
    REQUIRE(WaitFor([&] { return f.store.Peer("north").consecutive_errors >= 3; }));
    CHECK(f.store.Peer("north").cursor == "c0");
    CHECK(f.store.Peer("north").last_error.find("ListChanges: ") == 0);
    CHECK(f.metrics.Up("north").Value() == 0);
    for (const auto& after : f.Afters()) {
      CHECK(after == "c0");
    }
  }
}

TEST_CASE("A peer that no longer has our cursor (OUT_OF_RANGE) is resynchronised from its snapshots",
          "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([](const vik::v1::ListChangesRequest&, vik::v1::ListChangesResponse*) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "cursor older than the retention");
  });
  f.peer.OnGetSnapshot([](const vik::v1::GetSnapshotRequest&, vik::v1::Snapshot* s) {
    s->mutable_status()->set_region("VR01");
    s->set_cursor("s9");
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return !f.store.Snapshots().empty(); }));
  const auto requests = f.peer.SnapshotRequests();
  REQUIRE(requests.size() >= 2);
  CHECK_FALSE(requests[0].exercise());  // the actual picture first, whose cursor is followed
  CHECK(requests[1].exercise());
  CHECK(f.store.Snapshots()[0].cursor == "s9");
  REQUIRE(WaitFor([&] {
    const auto afters = f.Afters();
    return std::find(afters.begin(), afters.end(), "s9") != afters.end();
  }));
  CHECK(f.metrics.Snapshots("north").Value() >= 1);
}

TEST_CASE("A snapshot naming this node's own region is refused and not mirrored", "[unit][mirror]") {
  Fixture f;
  f.configured_region.clear();  // the region is taken from the first snapshot
  store::PeerRecord fresh;
  fresh.name = "north";
  f.store.AddPeer(fresh);  // no cursor, no region: snapshot first
  f.peer.OnGetSnapshot([](const vik::v1::GetSnapshotRequest&, vik::v1::Snapshot* s) {
    s->mutable_status()->set_region("VR07");  // this node's own region
    s->set_cursor("s1");
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.store.Peer("north").consecutive_errors >= 2; }));
  CHECK(f.store.Snapshots().empty());
  CHECK(f.store.Peer("north").cursor.empty());
}

TEST_CASE(
    "When another writer moved the cursor the apply is refused and the follower continues from the stored "
    "cursor, applying nothing twice",
    "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([&f](const vik::v1::ListChangesRequest& r, vik::v1::ListChangesResponse* page) {
    if (r.after() == "c0") {
      f.store.MoveCursor("north", "c5");  // a push applied c0..c5 meanwhile
      *page = Page("c1", 2);
    } else {
      page->set_next_cursor(r.after());
    }
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.Afters().size() >= 2; }));
  CHECK(f.Afters()[1] == "c5");
  CHECK(f.store.Applied().empty());
  CHECK(f.store.Peer("north").cursor == "c5");
}

TEST_CASE("A fenced apply reports the lost lease and writes nothing, a follower that does not lead calls no peer",
          "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([&f](const vik::v1::ListChangesRequest&, vik::v1::ListChangesResponse* page) {
    f.store.fence.Revoke();  // another instance took the lease; this one does not know yet
    *page = Page("c1", 2);
    return grpc::Status::OK;
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.fenced.load() >= 1; }));
  CHECK(f.store.Applied().empty());
  CHECK(f.store.Peer("north").cursor == "c0");
  const auto calls = f.peer.ListRequests().size() + f.peer.StatusRequests().size();
  std::this_thread::sleep_for(milliseconds(30));  // many intervals: not leading, no calls
  CHECK(f.peer.ListRequests().size() + f.peer.StatusRequests().size() == calls);
}

TEST_CASE("With the database down the follower calls no peer until it can read its cursor", "[unit][mirror]") {
  Fixture f;
  f.peer.OnListChanges([](const vik::v1::ListChangesRequest& r, vik::v1::ListChangesResponse* page) {
    page->set_next_cursor(r.after());
    return grpc::Status::OK;
  });
  f.store.faults.FailEverything(core::Unavailable("database down"));
  f.Start();
  REQUIRE(WaitFor([&] { return f.store.faults.Calls("ReadPeers") >= 3; }));
  CHECK(f.peer.ListRequests().empty());
  f.store.faults.Heal();
  REQUIRE(WaitFor([&] { return !f.peer.ListRequests().empty(); }));
  CHECK(f.Afters()[0] == "c0");
}

}  // namespace
}  // namespace vik::federation
