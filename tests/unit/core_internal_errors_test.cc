#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/internal_errors.h"

using vik::core::BlockingPool;
using vik::core::ErrorBoundary;

namespace {

// Installs a counting observer for the test's duration.
struct CountingObserver {
  CountingObserver() {
    vik::core::SetInternalErrorObserver([this](ErrorBoundary where) {
      if (where == ErrorBoundary::kPoolTask) {
        pool_tasks.fetch_add(1);
      }
      all.fetch_add(1);
    });
  }
  ~CountingObserver() { vik::core::SetInternalErrorObserver(nullptr); }
  std::atomic<int> pool_tasks{0};
  std::atomic<int> all{0};
};

}  // namespace

TEST_CASE("A throwing pool task is reported once and the worker runs the next task", "[core]") {
  CountingObserver observer;
  BlockingPool pool("test-pool", 1, 8);
  pool.Start();
  std::atomic<bool> ran_after{false};
  REQUIRE(pool.TrySubmit([] { throw std::runtime_error("boom"); }));
  REQUIRE(pool.TrySubmit([] { throw 42; }));  // not a std::exception
  REQUIRE(pool.TrySubmit([&] { ran_after = true; }));
  pool.Stop();
  CHECK(ran_after);
  CHECK(observer.pool_tasks == 2);
  CHECK(observer.all == 2);
}

TEST_CASE("Every error boundary has a distinct metric label", "[core]") {
  std::set<std::string_view> names;
  for (ErrorBoundary where : vik::core::kAllErrorBoundaries) {
    names.insert(vik::core::ErrorBoundaryName(where));
  }
  CHECK(names.size() == vik::core::kAllErrorBoundaries.size());
  CHECK(names.count("http_session") == 1);
  CHECK(names.count("pool_task") == 1);
}

TEST_CASE("Reporting without an observer, or with a throwing one, never throws", "[core]") {
  vik::core::SetInternalErrorObserver(nullptr);
  vik::core::ReportInternalError(ErrorBoundary::kBackground, "test", "no observer");
  vik::core::SetInternalErrorObserver([](ErrorBoundary) { throw std::runtime_error("observer failed"); });
  vik::core::ReportInternalError(ErrorBoundary::kBackground, "test", "throwing observer");
  vik::core::SetInternalErrorObserver(nullptr);
  SUCCEED("no exception escaped");
}
