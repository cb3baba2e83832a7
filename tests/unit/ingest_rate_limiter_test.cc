// ingest::RateLimiter with a fake clock: bursts, refill, per-partner buckets, oversized requests.

#include <chrono>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "ingest/rate_limiter.h"

namespace vik::ingest {
namespace {

using std::chrono::milliseconds;

const core::WallTime kStart{std::chrono::seconds{1'795'563'200}};

TEST_CASE("a partner may take a full burst at once, then is told how long until the next token", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(/*rate_per_second=*/10, /*burst=*/20, clock);
  CHECK_FALSE(limiter.TryTake("brandweer", 20).has_value());
  auto wait = limiter.TryTake("brandweer", 1);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds(100));  // one token at 10/s
  wait = limiter.TryTake("brandweer", 5);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds(500));
}

TEST_CASE("tokens refill at the rate and never beyond the burst", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(10, 20, clock);
  REQUIRE_FALSE(limiter.TryTake("brandweer", 20).has_value());
  clock.Advance(milliseconds(500));  // 5 tokens back
  CHECK_FALSE(limiter.TryTake("brandweer", 5).has_value());
  CHECK(limiter.TryTake("brandweer", 1).has_value());
  clock.Advance(std::chrono::hours(1));  // full again, not 36000 tokens
  CHECK_FALSE(limiter.TryTake("brandweer", 20).has_value());
  auto wait = limiter.TryTake("brandweer", 1);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds(100));
}

TEST_CASE("a refused request takes nothing from the bucket", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(10, 10, clock);
  REQUIRE_FALSE(limiter.TryTake("brandweer", 8).has_value());
  REQUIRE(limiter.TryTake("brandweer", 5).has_value());  // 2 left, 5 asked
  CHECK_FALSE(limiter.TryTake("brandweer", 2).has_value());
}

TEST_CASE("one partner over its limit does not affect another", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(1, 5, clock);
  REQUIRE_FALSE(limiter.TryTake("brandweer", 5).has_value());
  CHECK(limiter.TryTake("brandweer", 1).has_value());
  CHECK_FALSE(limiter.TryTake("politie", 5).has_value());
}

TEST_CASE("a request larger than the burst passes on a full bucket and goes into debt", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(10, 20, clock);
  CHECK_FALSE(limiter.TryTake("brandweer", 50).has_value());  // 20 - 50 = -30 tokens
  auto wait = limiter.TryTake("brandweer", 1);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds(3100));  // 31 tokens at 10/s
  clock.Advance(milliseconds(3100));
  CHECK_FALSE(limiter.TryTake("brandweer", 1).has_value());
  // Oversized again: needs a full bucket (20 tokens), not 50.
  wait = limiter.TryTake("brandweer", 50);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds(2000));
}

TEST_CASE("a rate of zero disables limiting", "[ingest][rate]") {
  core::FakeClock clock(kStart);
  RateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 100; ++i) {
    REQUIRE_FALSE(limiter.TryTake("brandweer", 1000).has_value());
  }
}

}  // namespace
}  // namespace vik::ingest
