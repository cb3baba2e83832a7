// core::PeriodicJob driven by a fake executor over core::FakeClock: period, jitter, backoff after
// failures and its reset, a throwing step, a refused step, Stop(). No sleeps: timers fire and
// steps run only when the test says so; the Stop test parks its step on a latch.

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/internal_errors.h"
#include "core/periodic_job.h"
#include "fakes/job_executor.h"

namespace vik::core {
namespace {

using std::chrono::milliseconds;
using testing::FakeJobExecutor;

struct Fixture {
  FakeClock clock{WallTime{} + std::chrono::hours(1000)};
  FakeJobExecutor executor{clock};
  MonoTime start = clock.Monotonic();
  std::vector<milliseconds> runs;  // when each step ran, since the start

  PeriodicJob::Step Recording(std::function<Status()> result = [] { return Status::Ok(); }) {
    return [this, result] {
      runs.push_back(std::chrono::duration_cast<milliseconds>(clock.Monotonic() - start));
      return result();
    };
  }
};

PeriodicJobOptions Options(milliseconds period, milliseconds initial = milliseconds(0)) {
  PeriodicJobOptions o;
  o.name = "test job";
  o.period = period;
  o.initial_delay = initial;
  return o;
}

TEST_CASE("a periodic job runs first after its initial delay, then one period after each step") {
  Fixture f;
  PeriodicJob job(Options(milliseconds(1000), milliseconds(250)), f.executor, f.Recording());
  job.Start();
  for (int i = 0; i < 4; ++i) {
    f.executor.Cycle();
  }
  CHECK(f.runs ==
        std::vector<milliseconds>{milliseconds(250), milliseconds(1250), milliseconds(2250), milliseconds(3250)});
  CHECK(f.executor.pending_timers() == 1);  // the fifth run is scheduled, one at a time
}

TEST_CASE("a periodic job with jitter waits period plus or minus at most the jitter, not always the same") {
  Fixture f;
  PeriodicJobOptions o = Options(milliseconds(1000));
  o.jitter = milliseconds(100);
  PeriodicJob job(o, f.executor, f.Recording());
  job.Start();
  for (int i = 0; i < 200; ++i) {
    f.executor.Cycle();
  }
  const auto delays = f.executor.delays();
  REQUIRE(delays.size() == 201);
  CHECK(delays.front() == milliseconds(0));  // the initial delay is exact
  milliseconds low = delays[1];
  milliseconds high = delays[1];
  for (std::size_t i = 1; i < delays.size(); ++i) {
    INFO("delay " << i << " was " << delays[i].count() << " ms");
    CHECK(delays[i] >= milliseconds(900));
    CHECK(delays[i] <= milliseconds(1100));
    low = std::min(low, delays[i]);
    high = std::max(high, delays[i]);
  }
  CHECK(low < high);
}

TEST_CASE("after failures a periodic job backs off doubling up to its maximum, and a success resets it") {
  Fixture f;
  PeriodicJobOptions o = Options(milliseconds(500));
  o.failure_period = milliseconds(1000);
  o.max_failure_period = milliseconds(30000);
  bool fail = true;
  PeriodicJob job(o, f.executor, f.Recording([&fail] { return fail ? Unavailable("database down") : Status::Ok(); }));
  job.Start();
  std::vector<milliseconds> after;
  for (int i = 0; i < 8; ++i) {
    f.executor.Cycle();
    after.push_back(f.executor.last_delay());
  }
  // 1 s x 2^(n-1), the doubling stopping at 2^5, then capped at 30 s.
  CHECK(after == std::vector<milliseconds>{milliseconds(1000), milliseconds(2000), milliseconds(4000),
                                           milliseconds(8000), milliseconds(16000), milliseconds(30000),
                                           milliseconds(30000), milliseconds(30000)});
  CHECK(job.failures() == 8);
  fail = false;
  f.executor.Cycle();
  CHECK(job.failures() == 0);
  CHECK(f.executor.last_delay() == milliseconds(500));
  fail = true;
  f.executor.Cycle();
  CHECK(f.executor.last_delay() == milliseconds(1000));  // a new run of failures starts over
}

TEST_CASE("without a failure period a failed step is followed by an ordinary period") {
  Fixture f;
  PeriodicJob job(Options(milliseconds(700)), f.executor, f.Recording([] { return Internal("broken"); }));
  job.Start();
  f.executor.Cycle();
  f.executor.Cycle();
  CHECK(job.failures() == 2);
  CHECK(f.executor.last_delay() == milliseconds(700));
}

TEST_CASE("a step that throws is reported, counted as a failure, and the job goes on") {
  Fixture f;
  std::vector<ErrorBoundary> reported;
  SetInternalErrorObserver([&reported](ErrorBoundary where) { reported.push_back(where); });
  PeriodicJobOptions o = Options(milliseconds(100));
  o.failure_period = milliseconds(400);
  int calls = 0;
  PeriodicJob job(o, f.executor, [&calls]() -> Status {
    if (++calls == 1) {
      throw std::runtime_error("boom");
    }
    return Status::Ok();
  });
  job.Start();
  REQUIRE_NOTHROW(f.executor.Cycle());
  SetInternalErrorObserver(nullptr);
  CHECK(reported == std::vector<ErrorBoundary>{ErrorBoundary::kBackground});
  CHECK(job.failures() == 1);
  CHECK(f.executor.last_delay() == milliseconds(400));
  f.executor.Cycle();
  CHECK(calls == 2);
  CHECK(job.failures() == 0);
}

TEST_CASE("a step the executor refuses is tried again one period later") {
  Fixture f;
  PeriodicJob job(Options(milliseconds(300)), f.executor, f.Recording());
  job.Start();
  f.executor.set_refuse(true);
  f.executor.Cycle();
  CHECK(f.runs.empty());
  CHECK(f.executor.last_delay() == milliseconds(300));
  f.executor.set_refuse(false);
  f.executor.Cycle();
  CHECK(f.runs == std::vector<milliseconds>{milliseconds(300)});
}

TEST_CASE("a gate that says no skips the run without submitting the step") {
  Fixture f;
  bool open = false;
  PeriodicJob job(Options(milliseconds(200)), f.executor, f.Recording(), [&open] { return open; });
  job.Start();
  f.executor.FireNext();
  CHECK(f.executor.queued() == 0);
  CHECK(f.executor.last_delay() == milliseconds(200));
  open = true;
  f.executor.Cycle();
  CHECK(f.runs == std::vector<milliseconds>{milliseconds(200)});
}

TEST_CASE("no step starts after Stop, neither from a pending timer nor from a queued step") {
  Fixture f;
  PeriodicJob job(Options(milliseconds(100)), f.executor, f.Recording());
  job.Start();
  f.executor.Cycle();
  f.executor.FireNext();  // the second step is queued
  REQUIRE(f.executor.queued() == 1);
  job.Stop();
  f.executor.RunQueued();
  CHECK(f.runs.size() == 1);
  CHECK(f.executor.pending_timers() == 0);  // nothing rescheduled
}

TEST_CASE("Stop waits for the step in flight, and that step schedules nothing after it") {
  Fixture f;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  PeriodicJob job(Options(milliseconds(100)), f.executor, [&entered, released] {
    entered.set_value();
    released.wait();
    return Status::Ok();
  });
  job.Start();
  f.executor.FireNext();
  std::thread worker(f.executor.TakeQueued());
  entered.get_future().wait();  // the step is running
  std::atomic<bool> stop_returned{false};
  std::thread stopper([&] {
    job.Stop();
    stop_returned = true;
  });
  while (!job.stopped()) {
    std::this_thread::yield();  // Stop has begun
  }
  CHECK_FALSE(stop_returned.load());
  release.set_value();
  worker.join();
  stopper.join();
  CHECK(stop_returned.load());
  CHECK(f.executor.pending_timers() == 0);
}

}  // namespace
}  // namespace vik::core
