// The number of risks a regional status request may ask for (usecases/regional_status.h), the one
// rule both transports apply.

#include <catch2/catch.hpp>

#include "usecases/regional_status.h"

namespace vik::usecases {
namespace {

TEST_CASE("a status request's limit is 0 for the default, 1 to 500 as given, and refused otherwise naming it",
          "[usecases]") {
  CHECK(*StatusRisksOf(0) == kDefaultStatusRisks);
  CHECK(*StatusRisksOf(1) == 1);
  CHECK(*StatusRisksOf(kMaxStatusRisks) == kMaxStatusRisks);
  for (const int bad : {-1, kMaxStatusRisks + 1, 1 << 30}) {
    const auto limit = StatusRisksOf(bad);
    REQUIRE(!limit.ok());
    CHECK(limit.status().code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(limit.status().message(), Catch::StartsWith("limit: expected a number from 1 to 500 (0: 50), got "));
  }
}

}  // namespace
}  // namespace vik::usecases
