// federation::FeedPusher (one target) against an in-memory feed (fakes/fake_mirror_store.h) and a
// scripted receiver (fakes/fake_exchange_stub.h): snapshots first, then pages from the receiver's
// cursor, and what the pusher does when the receiver answers a cursor that is not this node's,
// refuses a push as too large, cannot be reached, or when this node's database is down. The loop
// runs on a real io_context and blocking pool with 1 ms intervals; the tests wait (bounded).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <prometheus/registry.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/logging.h"
#include "fakes/fake_exchange_stub.h"
#include "fakes/fake_mirror_store.h"
#include "federation/feed_pusher.h"
#include "wire/change_mapping.h"

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

// The receiving node as push_receiver.h promises: it holds the cursor, moves it with a snapshot or
// with a page sent from it, and answers it every time.
class Receiver {
 public:
  grpc::Status Push(const vik::v1::PushChangesRequest& request, vik::v1::PushChangesResponse* response) {
    std::lock_guard lock(mu_);
    if (request.has_snapshot()) {
      cursor_ = request.snapshot().cursor();
    } else if (request.has_page() && request.from_cursor() == cursor_) {
      cursor_ = request.page().next_cursor();
    }
    response->set_cursor(cursor_);
    return grpc::Status::OK;
  }
  void SetCursor(const std::string& cursor) {
    std::lock_guard lock(mu_);
    cursor_ = cursor;
  }
  std::string Cursor() {
    std::lock_guard lock(mu_);
    return cursor_;
  }

 private:
  std::mutex mu_;
  std::string cursor_;
};

struct Fixture {
  Fixture() {
    peer.OnPushChanges([this](const vik::v1::PushChangesRequest& r, vik::v1::PushChangesResponse* out) {
      return receiver.Push(r, out);
    });
    blocking.Start();
    io_thread = std::thread([this] { ioc.run(); });
  }
  ~Fixture() {
    if (pusher) {
      pusher->Stop(milliseconds(5000));
    }
    work.reset();
    ioc.stop();
    io_thread.join();
    blocking.Stop();
  }

  void Start() {
    PushOptions options;
    options.timing.interval = milliseconds(1);
    options.timing.max_backoff = milliseconds(4);
    options.heartbeat = milliseconds(3'600'000);
    options.page = 8;
    options.status = {"VR07", "node-a", "vik-leader", std::chrono::seconds(30)};
    pusher = std::make_unique<FeedPusher>(
        std::vector<PeerConfig>{{"national", "national.example:443", "token", false, ""}}, options, store, blocking,
        ioc,
        [this]() -> std::optional<store::Fence> {
          return leading ? std::optional<store::Fence>(store::Fence{"vik-leader", "node-a", 2}) : std::nullopt;
        },
        metrics, core::ModuleLogger("push"), [this](const PeerConfig&) { return peer.NewStub(); });
    pusher->Start();
  }
  int SnapshotPushes() const {
    int n = 0;
    for (const auto& r : peer.PushRequests()) {
      n += r.has_snapshot() ? 1 : 0;
    }
    return n;
  }

  std::atomic<bool> leading{true};
  testing::FakeChangeFeedStore store;
  testing::FakePeer peer;
  Receiver receiver;
  prometheus::Registry registry;
  MirrorMetrics metrics{registry};
  core::BlockingPool blocking{"test-push", 2, 64};
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread io_thread;
  std::unique_ptr<FeedPusher> pusher;
};

TEST_CASE("A receiver without a cursor gets snapshots, then pages continuing from its cursor", "[unit][push]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  f.Start();
  REQUIRE(WaitFor([&] { return f.SnapshotPushes() == 1; }));
  const auto first = f.peer.PushRequests();
  CHECK_FALSE(first[0].has_snapshot());  // asks where the receiver stands
  CHECK_FALSE(first[0].has_page());
  REQUIRE(WaitFor([&] { return f.receiver.Cursor() == wire::FormatCursor(f.store.Last()); }));
  f.store.AddChange("signal.accepted", "sig-2");
  f.store.AddChange("risk.changed", "1.3/GM0796");
  // The pusher counts a page once the receiver's answer is back: wait for the count, not the cursor.
  REQUIRE(WaitFor([&] { return f.metrics.Pushed("national").Value() >= 2; }));
  CHECK(f.receiver.Cursor() == wire::FormatCursor(f.store.Last()));
  CHECK(f.metrics.Pushed("national").Value() == 2);
  CHECK(f.metrics.Snapshots("national").Value() == 1);
  CHECK(f.metrics.Up("national").Value() == 1);
  CHECK(f.SnapshotPushes() == 1);
}

TEST_CASE("A receiver answering a cursor that is not this node's gets snapshots", "[unit][push]") {
  Fixture f;
  f.receiver.SetCursor("not a cursor of ours");
  f.Start();
  REQUIRE(WaitFor([&] { return f.SnapshotPushes() >= 1; }));
  for (const auto& r : f.peer.PushRequests()) {
    if (r.has_snapshot()) {
      CHECK(r.from_cursor() == "not a cursor of ours");
    }
  }
}

TEST_CASE("A push refused as too large (RESOURCE_EXHAUSTED) is sent again with fewer changes", "[unit][push]") {
  Fixture f;
  f.Start();
  REQUIRE(WaitFor([&] { return f.SnapshotPushes() == 1; }));
  f.peer.OnPushChanges([&f](const vik::v1::PushChangesRequest& r, vik::v1::PushChangesResponse* out) {
    if (r.has_page() && r.page().changes_size() > 2) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "message larger than max");
    }
    return f.receiver.Push(r, out);
  });
  for (int i = 0; i < 8; ++i) {
    f.store.AddChange("signal.accepted", "sig-" + std::to_string(i));
  }
  REQUIRE(WaitFor([&] { return f.metrics.Pushed("national").Value() >= 8; }));
  CHECK(f.receiver.Cursor() == wire::FormatCursor(f.store.Last()));
  const auto limits = f.store.Limits();
  REQUIRE(limits.size() >= 3);
  CHECK(std::find(limits.begin(), limits.end(), 4) != limits.end());
  CHECK(std::find(limits.begin(), limits.end(), 2) != limits.end());
  CHECK(f.metrics.Errors("national").Value() >= 2);
  CHECK(f.metrics.Pushed("national").Value() == 8);  // every change arrived once
}

TEST_CASE("An unreachable receiver is retried with backoff, counted as errors, and nothing is read for it",
          "[unit][push]") {
  Fixture f;
  f.peer.OnPushChanges([](const vik::v1::PushChangesRequest&, vik::v1::PushChangesResponse*) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses");
  });
  f.Start();
  REQUIRE(WaitFor([&] { return f.metrics.Errors("national").Value() >= 3; }));
  CHECK(f.metrics.Up("national").Value() == 0);
  CHECK(f.store.faults.Calls("ReadSnapshot") == 0);
  CHECK(f.store.faults.Calls("ReadChanges") == 0);
  for (const auto& r : f.peer.PushRequests()) {
    CHECK_FALSE(r.has_snapshot());  // only the question where it stands, again
    CHECK_FALSE(r.has_page());
  }
}

TEST_CASE("With this node's database down no snapshot is pushed, once it is back the receiver converges",
          "[unit][push]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.faults.FailEverything(core::Unavailable("database down"));
  f.Start();
  REQUIRE(WaitFor([&] { return f.store.faults.Calls("ReadSnapshot") >= 3; }));
  CHECK(f.SnapshotPushes() == 0);
  CHECK(f.metrics.Errors("national").Value() >= 3);
  f.store.faults.Heal();
  REQUIRE(WaitFor([&] { return f.receiver.Cursor() == wire::FormatCursor(f.store.Last()); }));
  CHECK(f.SnapshotPushes() == 1);
}

TEST_CASE("A pusher that does not lead sends nothing", "[unit][push]") {
  Fixture f;
  f.leading = false;
  f.Start();
  std::this_thread::sleep_for(milliseconds(30));  // many intervals
  CHECK(f.peer.PushRequests().empty());
}

}  // namespace
}  // namespace vik::federation
