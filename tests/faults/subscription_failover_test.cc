// Webhook deliveries across a failover (docs/exchange.md, "Subscriptions"): the leader sending
// deliveries is killed with SIGKILL mid-stream; the instance that takes over continues from the
// enqueued deliveries and the shared cursor, so every matching change reaches the receiver at least
// once, a change delivered twice carries the same Vik-Delivery-Id both times, changes outside the
// filter never arrive, and first arrivals keep cursor order.

#include <atomic>
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/cluster_harness.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "support/webhook_receiver.h"

using nlohmann::json;
using vik::testing::HttpCall;
using vik::testing::WaitUntil;

TEST_CASE(
    "when the leader sending webhooks is killed mid-stream, the new leader delivers every matching change "
    "at least once with stable delivery ids",
    "[faults][subscriptions]") {
  vik::testing::FreshDatabase db;
  vik::testing::Admin(db.dsn(), {"migrate"});
  vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
  const auto writer = vik::testing::IssueToken(db.dsn(), "brandweer", "ingest");
  const auto reader = vik::testing::IssueToken(db.dsn(), "brandweer", "read");
  const std::vector<std::string> extra = {
      "--set", "auth.refresh_interval=200ms",     "--set", "picture.interval=100ms",
      "--set", "cluster.lease_ttl=1500ms",        "--set", "cluster.renew_interval=300ms",
      "--set", "subscriptions.interval=50ms",     "--set", "subscriptions.min_backoff=100ms",
      "--set", "subscriptions.max_backoff=300ms", "--set", "subscriptions.allow_private_destinations=true"};
  vik::testing::ClusterHarness cluster(db.dsn(), {"hook-a", "hook-b"}, extra);
  auto leader = cluster.WaitForSettledLeader(std::chrono::seconds(20));
  REQUIRE(leader);
  const std::size_t old = leader->index;
  const std::size_t next = cluster.other(old);

  vik::testing::WebhookReceiver receiver;
  const auto created = HttpCall(cluster.vikd(next).http_port(), "POST", "/v1/subscriptions",
                                json{{"name", "failover"},
                                     {"url", receiver.url()},
                                     {"filter", {{"themes", {"2"}}, {"kinds", {"signal.accepted"}}}}}
                                    .dump(),
                                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + reader.secret}});
  REQUIRE(created.status == 201);

  // Every third signal lies outside the filter. The stream goes to the survivor and runs on after
  // the takeover.
  std::atomic<int> pushed{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread pusher([&] {
    for (int i = 0; !stop && !failed; ++i) {
      const bool match = i % 3 != 2;
      if (!vik::testing::PushAccepted(
              cluster.vikd(next).http_port(), writer.secret,
              json::array({vik::testing::IncidentSignal("k-" + std::to_string(i), match ? "2.1" : "3.1", "GM0796")}))) {
        failed = true;
        break;
      }
      ++pushed;
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  });
  REQUIRE(WaitUntil([&] { return receiver.received().size() >= 30; }, std::chrono::seconds(30)));
  cluster.vikd(old).process().Signal(SIGKILL);
  cluster.SetReachable(old, false);
  const bool took_over =
      cluster.WaitForLeadership(next, std::chrono::steady_clock::now(), std::chrono::seconds(10)).has_value();
  const int at_takeover = pushed;
  const bool went_on = WaitUntil([&] { return pushed >= at_takeover + 40 || failed; }, std::chrono::seconds(30));
  stop = true;
  pusher.join();
  INFO(cluster.LogTails());
  REQUIRE(took_over);
  REQUIRE(went_on);
  REQUIRE_FALSE(failed);

  std::set<std::string> expected;
  for (int i = 0; i < pushed; ++i) {
    if (i % 3 != 2) {
      expected.insert("k-" + std::to_string(i));
    }
  }
  std::map<std::string, std::set<std::string>> delivery_ids;  // external id -> Vik-Delivery-Id seen
  std::vector<int> first_arrivals;
  const bool all_arrived = WaitUntil(
      [&] {
        delivery_ids.clear();
        first_arrivals.clear();
        for (const auto& r : receiver.received()) {
          const std::string id = json::parse(r.body)["signal"]["signal"]["externalId"];
          if (delivery_ids[id].empty()) {
            first_arrivals.push_back(std::stoi(id.substr(2)));
          }
          delivery_ids[id].insert(r.header("vik-delivery-id"));
        }
        return delivery_ids.size() >= expected.size();
      },
      std::chrono::seconds(30));
  INFO("expected " << expected.size() << ", received " << delivery_ids.size() << " distinct");
  REQUIRE(all_arrived);
  for (const auto& [id, ids] : delivery_ids) {
    INFO(id);
    CHECK(expected.count(id) == 1);  // nothing outside the filter
    CHECK(ids.size() == 1);          // a re-send carries the same delivery id
  }
  // One subscription has one delivery in flight at a time: at most that one is sent twice.
  CHECK(receiver.received().size() <= delivery_ids.size() + 1);
  for (std::size_t i = 1; i < first_arrivals.size(); ++i) {
    CHECK(first_arrivals[i - 1] < first_arrivals[i]);  // cursor order
  }
}
