// core::BlockingPool: bounded queue, refusal under overload, and draining on Stop.
// Determinism: the single worker is parked on a latch (std::promise/std::future), so the queue's
// contents are known exactly when TrySubmit is called. No sleeps. What tasks write is declared
// before the pool, so it outlives the workers even when an assertion ends a test early.

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/clock.h"

namespace vik::core {
namespace {

// Occupies the pool's only worker until Release() is called.
class ParkedWorker {
 public:
  explicit ParkedWorker(BlockingPool& pool) {
    std::shared_future<void> release = release_.get_future().share();
    const bool accepted = pool.TrySubmit([this, release] {
      started_.set_value();
      release.wait();
    });
    REQUIRE(accepted);
    started_.get_future().wait();  // the worker has dequeued the task and is busy
  }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
};

TEST_CASE("a blocking pool reports its size and capacity", "[core][blocking_pool]") {
  const BlockingPool pool("test", 3, 7);
  CHECK(pool.threads() == 3);
  CHECK(pool.capacity() == 7);
  CHECK(pool.queued() == 0);
  CHECK(pool.busy() == 0);
}

TEST_CASE("TrySubmit refuses a task once the queue is full", "[core][blocking_pool]") {
  std::vector<int> ran;  // written by the worker only after Release, read after Stop
  BlockingPool pool("test", 1, 2);
  pool.Start();
  ParkedWorker parked(pool);
  CHECK(pool.busy() == 1);

  CHECK(pool.TrySubmit([&ran] { ran.push_back(1); }));
  CHECK(pool.TrySubmit([&ran] { ran.push_back(2); }));
  CHECK(pool.queued() == 2);

  CHECK_FALSE(pool.TrySubmit([&ran] { ran.push_back(3); }));
  CHECK(pool.queued() == 2);

  parked.Release();
  pool.Stop();
  CHECK(ran == std::vector<int>{1, 2});
}

TEST_CASE("Stop runs the tasks already queued, in order, before returning", "[core][blocking_pool]") {
  std::vector<int> ran;
  BlockingPool pool("test", 1, 10);
  pool.Start();
  ParkedWorker parked(pool);

  for (int i = 0; i < 5; ++i) {
    REQUIRE(pool.TrySubmit([&ran, i] { ran.push_back(i); }));
  }
  parked.Release();
  pool.Stop();

  CHECK(ran == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(pool.queued() == 0);
  CHECK(pool.busy() == 0);
}

TEST_CASE("TrySubmit refuses tasks after Stop", "[core][blocking_pool]") {
  bool ran = false;
  BlockingPool pool("test", 1, 10);
  pool.Start();
  pool.Stop();
  CHECK_FALSE(pool.TrySubmit([&ran] { ran = true; }));
  CHECK_FALSE(ran);
}

TEST_CASE("a task that throws does not stop the worker from running later tasks", "[core][blocking_pool]") {
  bool later_ran = false;
  BlockingPool pool("test", 1, 10);
  pool.Start();
  ParkedWorker parked(pool);

  REQUIRE(pool.TrySubmit([] { throw std::runtime_error("task failure injected by the test"); }));
  REQUIRE(pool.TrySubmit([&later_ran] { later_ran = true; }));
  parked.Release();
  pool.Stop();

  CHECK(later_ran);
}

TEST_CASE(
    "with a queue-wait bound, TrySubmit refuses while the oldest queued task has waited longer, and admits "
    "again once the queue drained",
    "[core][blocking_pool]") {
  std::vector<int> ran;
  std::vector<PoolRefusal> refusals;
  FakeClock clock(WallTime{} + std::chrono::hours(1));
  BlockingPoolOptions options;
  options.threads = 1;
  options.max_queued = 100;
  options.max_queue_wait = std::chrono::milliseconds(250);
  BlockingPool pool("test", options, clock);
  pool.SetRefusalObserver([&refusals](PoolRefusal r) { refusals.push_back(r); });
  pool.Start();
  ParkedWorker parked(pool);

  REQUIRE(pool.TrySubmit([&ran] { ran.push_back(1); }));
  clock.Advance(std::chrono::milliseconds(250));
  CHECK(pool.TrySubmit([&ran] { ran.push_back(2); }));  // the oldest waited exactly the bound: admitted
  clock.Advance(std::chrono::milliseconds(1));
  CHECK_FALSE(pool.TrySubmit([&ran] { ran.push_back(3); }));  // far below max_queued, but waited too long
  CHECK(pool.queued() == 2);
  REQUIRE(refusals.size() == 1);
  CHECK(refusals[0] == PoolRefusal::kQueueWait);

  parked.Release();
  pool.Stop();
  CHECK(ran == std::vector<int>{1, 2});
}

TEST_CASE("an empty queue admits a task however long ago the last one was queued", "[core][blocking_pool]") {
  bool ran = false;
  FakeClock clock(WallTime{} + std::chrono::hours(1));
  BlockingPoolOptions options;
  options.max_queue_wait = std::chrono::milliseconds(10);
  BlockingPool pool("test", options, clock);
  pool.Start();
  clock.Advance(std::chrono::hours(1));
  CHECK(pool.TrySubmit([&ran] { ran = true; }));
  pool.Stop();
  CHECK(ran);
}

TEST_CASE("refusals are reported with their reason: queue full, stopping", "[core][blocking_pool]") {
  std::vector<PoolRefusal> refusals;
  BlockingPoolOptions options;
  options.max_queued = 1;
  BlockingPool pool("test", options);
  pool.SetRefusalObserver([&refusals](PoolRefusal r) { refusals.push_back(r); });
  pool.Start();
  ParkedWorker parked(pool);
  REQUIRE(pool.TrySubmit([] {}));
  CHECK_FALSE(pool.TrySubmit([] {}));
  parked.Release();
  pool.Stop();
  CHECK_FALSE(pool.TrySubmit([] {}));
  CHECK(refusals == std::vector<PoolRefusal>{PoolRefusal::kQueueFull, PoolRefusal::kStopping});
  CHECK(std::string(PoolRefusalName(PoolRefusal::kQueueWait)) == "queue_wait");
}

TEST_CASE(
    "a task that waited longer than the queue-wait bound when a worker takes it runs its shed callback "
    "instead, and one without a shed callback runs however late",
    "[core][blocking_pool]") {
  std::vector<std::string> ran;
  std::vector<PoolRefusal> refusals;
  FakeClock clock(WallTime{} + std::chrono::hours(1));
  BlockingPoolOptions options;
  options.threads = 1;
  options.max_queued = 100;
  options.max_queue_wait = std::chrono::milliseconds(100);
  BlockingPool pool("test", options, clock);
  pool.SetRefusalObserver([&refusals](PoolRefusal r) { refusals.push_back(r); });
  pool.Start();
  ParkedWorker parked(pool);

  REQUIRE(pool.TrySubmit([&ran] { ran.push_back("old"); }, [&ran] { ran.push_back("old shed"); }));
  REQUIRE(pool.TrySubmit([&ran] { ran.push_back("old, no shed"); }));
  clock.Advance(std::chrono::milliseconds(60));
  REQUIRE(pool.TrySubmit([&ran] { ran.push_back("young"); }, [&ran] { ran.push_back("young shed"); }));
  clock.Advance(std::chrono::milliseconds(60));  // the first two waited 120 ms, the third 60 ms
  parked.Release();  // the clock is not advanced again: the worker reads it after this point
  pool.Stop();

  CHECK(ran == std::vector<std::string>{"old shed", "old, no shed", "young"});
  CHECK(refusals == std::vector<PoolRefusal>{PoolRefusal::kShed});
}

TEST_CASE(
    "with a per-owner quota, an owner holding that many tasks (queued or running) is refused at once while "
    "other owners and ownerless tasks are admitted, and a finished task frees its place",
    "[core][blocking_pool]") {
  std::vector<std::string> ran;
  std::vector<PoolRefusal> refusals;
  BlockingPoolOptions options;
  options.threads = 1;
  options.max_queued = 100;
  options.max_per_owner = 2;
  BlockingPool pool("test", options);
  pool.SetRefusalObserver([&refusals](PoolRefusal r) { refusals.push_back(r); });
  pool.Start();

  // One task of "flood" runs (parked), a second one waits: the quota of "flood" is taken.
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  REQUIRE_FALSE(pool.Offer(
      [&started, released] {
        started.set_value();
        released.wait();
      },
      {}, "flood"));
  started.get_future().wait();
  REQUIRE_FALSE(pool.Offer([&ran] { ran.push_back("flood 2"); }, {}, "flood"));
  CHECK(pool.held_by("flood") == 2);

  CHECK(pool.Offer([&ran] { ran.push_back("flood 3"); }, {}, "flood") == PoolRefusal::kOwnerQuota);
  CHECK_FALSE(pool.Offer([&ran] { ran.push_back("other"); }, {}, "other"));
  CHECK(pool.TrySubmit([&ran] { ran.push_back("ownerless"); }));
  CHECK(pool.held_by("other") == 1);

  release.set_value();
  pool.Stop();
  CHECK(ran == std::vector<std::string>{"flood 2", "other", "ownerless"});
  CHECK(refusals == std::vector<PoolRefusal>{PoolRefusal::kOwnerQuota});
  CHECK(pool.held_by("flood") == 0);
  CHECK(pool.held_by("other") == 0);
}

TEST_CASE("without a per-owner quota, owners are neither counted nor refused", "[core][blocking_pool]") {
  BlockingPool pool("test", 1, 8);
  pool.Start();
  ParkedWorker parked(pool);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(pool.Offer([] {}, {}, "p"));
  }
  CHECK(pool.held_by("p") == 0);
  CHECK(pool.RefusalStatus(PoolRefusal::kQueueFull, "p").message() == "the server is busy; retry shortly");
  parked.Release();
  pool.Stop();
}

TEST_CASE("a shed task gives its owner's place back", "[core][blocking_pool]") {
  std::vector<std::string> ran;
  FakeClock clock(WallTime{} + std::chrono::hours(1));
  BlockingPoolOptions options;
  options.threads = 1;
  options.max_queued = 100;
  options.max_queue_wait = std::chrono::milliseconds(100);
  options.max_per_owner = 1;
  BlockingPool pool("test", options, clock);
  pool.Start();
  ParkedWorker parked(pool);

  REQUIRE_FALSE(pool.Offer([&ran] { ran.push_back("late"); }, [&ran] { ran.push_back("late shed"); }, "p"));
  CHECK(pool.Offer([&ran] { ran.push_back("second"); }, {}, "p") == PoolRefusal::kOwnerQuota);
  clock.Advance(std::chrono::milliseconds(150));
  parked.Release();
  pool.Stop();
  CHECK(ran == std::vector<std::string>{"late shed"});
  CHECK(pool.held_by("p") == 0);
}

}  // namespace
}  // namespace vik::core
