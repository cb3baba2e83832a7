// cluster::LeaderJob over a fake lease and a fake fenced store: the step runs only under the lease
// and with its term's fence; a lease lost mid-round ends the round early, its write is refused by
// the fence (never written unfenced), the instance steps down, and the step is not started again.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cluster/leader_job.h"
#include "core/clock.h"
#include "fakes/job_executor.h"
#include "store/fence_status.h"

namespace vik::cluster {
namespace {

using std::chrono::milliseconds;
using testing::FakeJobExecutor;

// The lease as the job sees it, and the database's fence: a write passes only with the epoch of
// the current term.
struct FakeLease {
  std::optional<store::Fence> held;
  std::int64_t database_epoch = 0;
  std::vector<std::string> fenced;    // what on_fenced was told
  std::vector<std::int64_t> written;  // epochs of the writes the database accepted

  void Acquire(std::int64_t epoch) {
    database_epoch = epoch;
    held = store::Fence{"vik-leader", "n1", epoch};
  }
  // Another instance took over (the local deadline passed too).
  void LoseTo(std::int64_t epoch) {
    database_epoch = epoch;
    held.reset();
  }
  core::Status Write(const store::Fence& fence) {
    if (fence.epoch != database_epoch) {
      return store::FencedStatus(fence);
    }
    written.push_back(fence.epoch);
    return core::Status::Ok();
  }
  LeaseAccess Access() {
    return {[this] { return held; }, [this](const std::string& what) { fenced.push_back(what); }};
  }
};

LeaderJobOptions Options(milliseconds period) {
  LeaderJobOptions o;
  o.job.name = "test duty";
  o.job.period = period;
  o.fenced_write = "test write";
  return o;
}

struct Fixture {
  core::FakeClock clock{core::WallTime{} + std::chrono::hours(1000)};
  FakeJobExecutor executor{clock};
  FakeLease lease;
  int steps = 0;
  int idles = 0;
};

TEST_CASE("a leader-only job does not start its step without the lease, and runs its idle hook instead") {
  Fixture f;
  LeaderJob job(
      Options(milliseconds(500)), f.executor, f.lease.Access(),
      [&f](const store::Fence&, const LeaderJob::KeepGoing&) {
        ++f.steps;
        return core::Status::Ok();
      },
      [&f] { ++f.idles; });
  job.Start();
  for (int i = 0; i < 3; ++i) {
    f.executor.Cycle();
  }
  CHECK(f.steps == 0);
  CHECK(f.idles == 3);
  CHECK(f.executor.queued() == 0);  // nothing was even submitted to the pool
  CHECK(f.executor.last_delay() == milliseconds(500));
}

TEST_CASE("a leader-only job hands its step the fence of the term it holds") {
  Fixture f;
  f.lease.Acquire(7);
  std::vector<std::int64_t> epochs;
  LeaderJob job(Options(milliseconds(500)), f.executor, f.lease.Access(),
                [&](const store::Fence& fence, const LeaderJob::KeepGoing& keep_going) {
                  epochs.push_back(fence.epoch);
                  CHECK(keep_going());
                  return f.lease.Write(fence);
                });
  job.Start();
  f.executor.Cycle();
  f.executor.Cycle();
  CHECK(epochs == std::vector<std::int64_t>{7, 7});
  CHECK(f.lease.written == std::vector<std::int64_t>{7, 7});
  CHECK(f.lease.fenced.empty());
}

TEST_CASE("a lease lost mid-round stops the round, its write is fenced, and the step is not started again") {
  Fixture f;
  f.lease.Acquire(3);
  std::vector<bool> keep_going_seen;
  LeaderJob job(
      Options(milliseconds(500)), f.executor, f.lease.Access(),
      [&](const store::Fence& fence, const LeaderJob::KeepGoing& keep_going) {
        ++f.steps;
        keep_going_seen.push_back(keep_going());
        f.lease.LoseTo(4);  // mid-round: another instance took the lease
        keep_going_seen.push_back(keep_going());
        return f.lease.Write(fence);  // a late write still carries the old term's fence
      },
      [&f] { ++f.idles; });
  job.Start();
  f.executor.Cycle();
  CHECK(keep_going_seen == std::vector<bool>{true, false});
  CHECK(f.lease.written.empty());  // nothing written unfenced
  CHECK(f.lease.fenced == std::vector<std::string>{"test write"});
  CHECK(job.job().failures() == 0);  // a fenced write is the lease's end, not a failure to back off
  f.executor.Cycle();
  f.executor.Cycle();
  CHECK(f.steps == 1);
  CHECK(f.idles == 2);
}

TEST_CASE("a leader-only job whose lease returns in a new term runs again with the new fence") {
  Fixture f;
  f.lease.Acquire(1);
  std::vector<std::int64_t> epochs;
  LeaderJob job(Options(milliseconds(100)), f.executor, f.lease.Access(),
                [&](const store::Fence& fence, const LeaderJob::KeepGoing&) {
                  epochs.push_back(fence.epoch);
                  return f.lease.Write(fence);
                });
  job.Start();
  f.executor.Cycle();
  f.lease.LoseTo(2);
  f.executor.Cycle();
  f.lease.Acquire(3);
  f.executor.Cycle();
  CHECK(epochs == std::vector<std::int64_t>{1, 3});
  CHECK(f.lease.written == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("a leader-only job's other failures back off like any periodic job") {
  Fixture f;
  f.lease.Acquire(5);
  LeaderJobOptions o = Options(milliseconds(100));
  o.job.failure_period = milliseconds(200);
  o.job.max_failure_period = milliseconds(1000);
  LeaderJob job(o, f.executor, f.lease.Access(),
                [](const store::Fence&, const LeaderJob::KeepGoing&) { return core::Unavailable("database down"); });
  job.Start();
  f.executor.Cycle();
  CHECK(f.executor.last_delay() == milliseconds(200));
  f.executor.Cycle();
  CHECK(f.executor.last_delay() == milliseconds(400));
  CHECK(job.job().failures() == 2);
  CHECK(f.lease.fenced.empty());
}

TEST_CASE("keep_going turns false once a leader-only job is asked to stop") {
  Fixture f;
  f.lease.Acquire(9);
  std::vector<bool> seen;
  LeaderJob* self = nullptr;
  LeaderJob job(Options(milliseconds(100)), f.executor, f.lease.Access(),
                [&](const store::Fence&, const LeaderJob::KeepGoing& keep_going) {
                  seen.push_back(keep_going());
                  self->RequestStop();
                  seen.push_back(keep_going());
                  return core::Status::Ok();
                });
  self = &job;
  job.Start();
  f.executor.Cycle();
  CHECK(seen == std::vector<bool>{true, false});
  CHECK(f.executor.pending_timers() == 0);
}

}  // namespace
}  // namespace vik::cluster
