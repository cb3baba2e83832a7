// app::AsioJobExecutor: timers run on the io_context, Close() cancels the pending ones (so the io
// threads can end at shutdown without waiting for any job's next period), steps go to the pool or
// run inline. The io_context runs on the test's thread: nothing sleeps, no timer waits its delay
// except the zero ones.

#include <chrono>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "app/asio_job_executor.h"

namespace vik::app {
namespace {

using std::chrono::milliseconds;

TEST_CASE("a due timer of the asio job executor runs its function on the io_context") {
  boost::asio::io_context ioc;
  AsioJobExecutor executor(ioc, nullptr);
  std::vector<int> ran;
  executor.RunAfter(milliseconds(0), [&ran] { ran.push_back(1); });
  executor.RunAfter(milliseconds(0), [&ran] { ran.push_back(2); });
  CHECK(ran.empty());  // never inline on the caller
  ioc.run();
  CHECK(ran.size() == 2);
}

TEST_CASE("Close cancels the pending timers and drops later ones, so the io_context runs out at once") {
  boost::asio::io_context ioc;
  AsioJobExecutor executor(ioc, nullptr);
  bool ran = false;
  executor.RunAfter(std::chrono::hours(1), [&ran] { ran = true; });
  executor.Close();
  executor.RunAfter(milliseconds(0), [&ran] { ran = true; });
  const auto started = std::chrono::steady_clock::now();
  ioc.run();
  CHECK_FALSE(ran);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::minutes(1));
}

TEST_CASE("without a pool the asio job executor runs a step inline, with one it queues it there") {
  boost::asio::io_context ioc;
  AsioJobExecutor inline_executor(ioc, nullptr);
  bool ran = false;
  CHECK(inline_executor.Submit([&ran] { ran = true; }));
  CHECK(ran);

  core::BlockingPool pool("test-jobs", 1, 1);  // not started: a queued task waits
  AsioJobExecutor pooled(ioc, &pool);
  CHECK(pooled.Submit([] {}));
  CHECK(pool.queued() == 1);
  CHECK_FALSE(pooled.Submit([] {}));  // the queue is full: refused, the job tries a period later
}

}  // namespace
}  // namespace vik::app
