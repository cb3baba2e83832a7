// http::SubmitOrRefuse: a partner at its share of the read pool (runtime.blocking_per_partner) is
// answered 429 with Retry-After naming the quota at once, while another partner's task runs.
// Determinism: the pool's one worker is parked on a promise holding the flooding partner's task.

#include <future>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "http/http_status.h"
#include "http/route_helpers.h"

namespace vik::http {
namespace {

auth::Caller CallerOf(const std::string& partner) {
  auth::Caller c;
  c.token_id = "t-" + partner;
  c.partner = partner;
  c.scopes = {"read"};
  return c;
}

TEST_CASE("a partner holding its share of the read pool is refused 429 naming the quota, another partner is served",
          "[http][route_helpers]") {
  std::optional<Response> flood_answer;
  std::promise<Response> other_answer;
  core::BlockingPoolOptions options;
  options.threads = 1;
  options.max_queued = 16;
  options.max_per_owner = 1;
  options.owner_kind = "partner";
  options.owner_quota_setting = "runtime.blocking_per_partner";
  core::BlockingPool pool("test", options);
  pool.Start();

  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  REQUIRE_FALSE(pool.Offer(
      [&started, released] {
        started.set_value();
        released.wait();
      },
      {}, "lezer"));
  started.get_future().wait();

  bool flood_ran = false;
  SubmitOrRefuse(
      pool, CallerOf("lezer"), [&flood_ran] { flood_ran = true; },
      [&flood_answer](Response res) { flood_answer = std::move(res); });
  REQUIRE(flood_answer);  // answered at once, on the submitting thread
  CHECK(flood_answer->result_int() == 429);
  CHECK(flood_answer->at(bhttp::field::retry_after) == "1");
  CHECK_THAT(flood_answer->body(),
             Catch::Contains("partner lezer already has 1 requests in progress on this instance, its quota "
                             "(runtime.blocking_per_partner)"));

  SubmitOrRefuse(
      pool, CallerOf("brandweer"), [&other_answer] { other_answer.set_value(JsonResponse(bhttp::status::ok, "{}")); },
      [&other_answer](Response res) { other_answer.set_value(std::move(res)); });
  release.set_value();
  auto answered = other_answer.get_future();
  REQUIRE(answered.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(answered.get().result_int() == 200);
  pool.Stop();
  CHECK_FALSE(flood_ran);
}

}  // namespace
}  // namespace vik::http
