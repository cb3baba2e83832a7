// Stream quotas: per partner and per instance, slots given back at once, revoked tokens' streams ended.

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "auth/stream_quota.h"

using vik::auth::Caller;
using vik::auth::StreamLimits;
using vik::auth::StreamQuota;

namespace {

Caller Partner(const std::string& partner, const std::string& token = "") {
  Caller c;
  c.partner = partner;
  c.token_id = token.empty() ? "t-" + partner : token;
  return c;
}

}  // namespace

TEST_CASE("A partner at its stream quota is refused while another partner still gets a stream", "[ingest][quota]") {
  StreamQuota quota("test streams", StreamLimits{2, 10});
  auto a1 = quota.Acquire(Partner("noisy"));
  auto a2 = quota.Acquire(Partner("noisy"));
  REQUIRE(a1.ok());
  REQUIRE(a2.ok());
  auto a3 = quota.Acquire(Partner("noisy"));
  REQUIRE_FALSE(a3.ok());
  CHECK(a3.status().code() == vik::core::StatusCode::kResourceExhausted);
  CHECK_THAT(a3.status().message(), Catch::Contains("streams.per_partner = 2") && Catch::Contains("noisy"));
  auto kcr2 = quota.Acquire(Partner("kcr2"));
  CHECK(kcr2.ok());
  CHECK(quota.open_for("noisy") == 2);
  CHECK(quota.open() == 3);
}

TEST_CASE("The instance cap holds across partners and names its setting", "[ingest][quota]") {
  StreamQuota quota("test streams", StreamLimits{8, 3});
  std::vector<StreamQuota::Slot> held;
  for (int i = 0; i < 3; ++i) {
    auto s = quota.Acquire(Partner("p" + std::to_string(i)));
    REQUIRE(s.ok());
    held.push_back(std::move(s).value());
  }
  auto refused = quota.Acquire(Partner("p9"));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("streams.per_instance = 3"));
}

TEST_CASE("A released or destroyed slot is free at once, and releasing twice frees one slot", "[ingest][quota]") {
  StreamQuota quota("test streams", StreamLimits{1, 10});
  {
    auto s = quota.Acquire(Partner("p"));
    REQUIRE(s.ok());
    StreamQuota::Slot slot = std::move(s).value();
    CHECK_FALSE(quota.Acquire(Partner("p")).ok());
    slot.Release();
    slot.Release();
    CHECK(quota.open() == 0);
  }
  auto again = quota.Acquire(Partner("p"));
  REQUIRE(again.ok());
  { StreamQuota::Slot moved = std::move(again).value(); }
  CHECK(quota.open() == 0);
  CHECK(quota.open_for("p") == 0);
}

TEST_CASE("Only the streams of revoked tokens are ended, each once", "[ingest][quota]") {
  StreamQuota quota("test streams", StreamLimits{8, 64});
  int revoked_a = 0, kept_b = 0, late = 0;
  auto a = quota.Acquire(Partner("p", "ta"), [&] { ++revoked_a; });
  auto b = quota.Acquire(Partner("p", "tb"), [&] { ++kept_b; });
  auto c = quota.Acquire(Partner("q", "ta"));
  REQUIRE((a.ok() && b.ok() && c.ok()));
  std::set<std::string> active = {"tb"};
  auto is_active = [&](const std::string& id) { return active.count(id) > 0; };
  quota.EndRevoked(is_active);
  quota.EndRevoked(is_active);
  CHECK(revoked_a == 1);
  CHECK(kept_b == 0);
  // A callback set after the revocation runs at once.
  c->OnRevoked([&] { ++late; });
  CHECK(late == 1);
  // A released slot is never called back.
  b->Release();
  active.clear();
  quota.EndRevoked(is_active);
  CHECK(kept_b == 0);
}
