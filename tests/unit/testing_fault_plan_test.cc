// The fail-the-Nth-call plan of the in-memory fakes: which call fails, before or after its work.

#include <catch2/catch.hpp>

#include "fakes/fault_plan.h"

namespace vik::testing {
namespace {

TEST_CASE("a fault plan fails exactly the n-th call of one operation and counts every call", "[testing]") {
  FaultPlan plan;
  plan.FailCall("Write", 2, core::Unavailable("database down"));
  CHECK(plan.Before("Write").ok());
  CHECK(plan.Before("Write").code() == core::StatusCode::kUnavailable);
  CHECK(plan.Before("Write").ok());
  CHECK(plan.Before("Read").ok());
  CHECK(plan.Calls("Write") == 3);
  CHECK(plan.Calls("Read") == 1);
  CHECK(plan.Calls("Other") == 0);
}

TEST_CASE("a fault plan fails every call from the n-th until healed, and everything when the database is down",
          "[testing]") {
  FaultPlan plan;
  plan.FailFrom("Renew", 1, core::FailedPrecondition("fenced"));
  CHECK(!plan.Before("Renew").ok());
  CHECK(!plan.Before("Renew").ok());
  plan.Heal();
  CHECK(plan.Before("Renew").ok());
  plan.FailEverything(core::Unavailable("no connection"));
  CHECK(plan.Before("Anything").code() == core::StatusCode::kUnavailable);
  plan.Heal();
  CHECK(plan.Before("Anything").ok());
}

TEST_CASE("an after-rule reports failure for work that was done: an in-doubt commit", "[testing]") {
  FaultPlan plan;
  plan.FailCall("Commit", 1, core::Unavailable("connection lost during commit"), FaultPlan::When::kAfter);
  CHECK(plan.Before("Commit").ok());                                     // the fake does the work ...
  CHECK(plan.After("Commit").code() == core::StatusCode::kUnavailable);  // ... and then reports failure
  CHECK(plan.Before("Commit").ok());
  CHECK(plan.After("Commit").ok());
}

}  // namespace
}  // namespace vik::testing
