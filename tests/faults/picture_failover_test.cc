// The risk picture across a failover: the leader keeping the picture is killed with SIGKILL while
// signals stream in and are cancelled; the other instance takes over the lease and the keeper. After
// the stream ends, the stored picture must equal what the signals say (every risk's signals in
// effect counted from the signals table), and every instance must serve the same picture.

#include <atomic>
#include <csignal>
#include <map>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "support/admin_setup.h"
#include "support/cluster_harness.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/times.h"
#include "support/vikd.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::ClusterHarness;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::QueryValue;
using vik::testing::WaitUntil;
constexpr auto At = vik::testing::Rfc3339FromNow;

const std::vector<std::string> kPlaces = {"GM0755", "GM0757", "GM0796", "GM0797", "GM0828", "GM0845"};
const std::vector<std::string> kThemes = {"2.1", "5.3"};

json Signal(int i) {
  const std::string& place = kPlaces[static_cast<std::size_t>(i) % kPlaces.size()];
  const std::string& theme = kThemes[static_cast<std::size_t>(i / 6) % kThemes.size()];
  return {{"source", "brandweer-vr21"},
          {"externalId", "s-" + std::to_string(i)},
          {"msgType", "MSG_TYPE_ALERT"},
          {"status", "SIGNAL_STATUS_ACTUAL"},
          {"kind", "SIGNAL_KIND_INCIDENT"},
          {"categories", {"CATEGORY_FIRE"}},
          {"theme", theme},
          {"urgency", "URGENCY_IMMEDIATE"},
          {"severity", i % 4 == 0 ? "SEVERITY_SEVERE" : "SEVERITY_MODERATE"},
          {"certainty", "CERTAINTY_OBSERVED"},
          {"sentAt", At(std::chrono::minutes(-1))},
          {"expiresAt", At(std::chrono::minutes(120))},
          {"area", {{"municipalities", {place}}}},
          {"headline", "Melding " + std::to_string(i)}};
}

json CancelOf(int i) {
  json c = Signal(i);
  c["externalId"] = "cancel-" + std::to_string(i);
  c["msgType"] = "MSG_TYPE_CANCEL";
  c["references"] = {{{"source", "brandweer-vr21"}, {"externalId", "s-" + std::to_string(i)}}};
  return c;
}

// Risk id -> signals in effect, from the signals table (the truth) or from the stored picture.
using Counts = std::map<std::string, int>;

Counts TruthOf(const std::string& dsn) {
  pqxx::connection c(dsn);
  pqxx::read_transaction tx(c);
  Counts out;
  for (const auto& r : tx.exec("SELECT theme || '@' || m, count(*) FROM signals, unnest(municipalities) m"
                               " WHERE status = 'actual' AND state = 'active' AND msg_type <> 'cancel'"
                               " AND expires_at > now() GROUP BY 1")) {
    out[r[0].as<std::string>()] = r[1].as<int>();
  }
  return out;
}

Counts PictureOf(const json& status) {
  Counts out;
  for (const auto& r : status["risks"]) {
    out[r["id"].get<std::string>()] = r["signalsInEffect"].get<int>();
  }
  return out;
}

std::string Describe(const Counts& c) {
  std::string s;
  for (const auto& [id, n] : c) {
    s += id + "=" + std::to_string(n) + " ";
  }
  return s;
}

}  // namespace

TEST_CASE(
    "when the leader keeping the picture is killed mid-stream, the new leader's picture equals what the "
    "signals say and every instance serves it",
    "[faults][picture]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
  const auto writer = IssueToken(db.dsn(), "brandweer", "ingest");
  const auto reader = IssueToken(db.dsn(), "brandweer", "read");
  const std::vector<std::string> extra = {
      "--set", "auth.refresh_interval=200ms", "--set", "picture.interval=50ms",
      "--set", "cluster.lease_ttl=1500ms",    "--set", "cluster.renew_interval=300ms"};
  ClusterHarness cluster(db.dsn(), {"picture-a", "picture-b"}, extra);
  auto leader = cluster.WaitForSettledLeader(std::chrono::seconds(20));
  REQUIRE(leader);
  const std::size_t old = leader->index;
  const std::size_t next = cluster.other(old);
  const std::string old_epoch = QueryValue(db.dsn(), "SELECT epoch FROM leases");

  // The stream goes to the instance that survives; every 5th signal is cancelled a little later. It
  // runs on after the takeover, so the new keeper applies changes from the log (not only its warm-up).
  std::atomic<int> pushed{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread pusher([&] {
    for (int i = 0; !stop && !failed; ++i) {
      std::vector<json> batch = {Signal(i)};
      if (i >= 10 && (i - 10) % 5 == 0) {
        batch.push_back(CancelOf(i - 10));
      }
      const auto r = HttpCall(cluster.vikd(next).http_port(), "POST", "/v1/signals", json{{"signals", batch}}.dump(),
                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer.secret}});
      if (r.status != 200) {
        failed = true;
        break;
      }
      ++pushed;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  // Kill the leader while its keeper is busy with the stream.
  REQUIRE(WaitUntil([&] { return pushed >= 80; }, std::chrono::seconds(30)));
  REQUIRE(QueryValue(db.dsn(), "SELECT count(*) > 0 FROM risks") == "t");
  cluster.vikd(old).process().Signal(SIGKILL);
  cluster.SetReachable(old, false);
  const bool took_over =
      cluster.WaitForLeadership(next, std::chrono::steady_clock::now(), std::chrono::seconds(10)).has_value();
  const int at_takeover = pushed;
  const bool went_on = WaitUntil([&] { return pushed >= at_takeover + 60 || failed; }, std::chrono::seconds(30));
  stop = true;
  pusher.join();
  INFO(cluster.LogTails());
  REQUIRE(took_over);
  REQUIRE(went_on);
  REQUIRE_FALSE(failed);
  const auto changes_read = cluster.Metric(next, "vik_picture_changes_read_total");
  REQUIRE(changes_read);
  CHECK(*changes_read > 0);

  // The survivor's picture converges on the truth.
  const Counts truth = TruthOf(db.dsn());
  REQUIRE(truth.size() == kPlaces.size() * kThemes.size());
  auto status_of = [&](int port) {
    const auto r = HttpCall(port, "GET", "/v1/status?limit=500", "", {{"Authorization", "Bearer " + reader.secret}});
    return r.status == 200 ? json::parse(r.body) : json::object();
  };
  Counts seen;
  const bool converged = WaitUntil(
      [&] {
        const json s = status_of(cluster.vikd(next).http_port());
        seen = s.contains("risks") ? PictureOf(s) : Counts{};
        return seen == truth;
      },
      std::chrono::seconds(20));
  INFO("truth:   " << Describe(truth));
  INFO("picture: " << Describe(seen));
  REQUIRE(converged);
  CHECK(std::stoll(QueryValue(db.dsn(), "SELECT epoch FROM picture_state WHERE picture = 'actual'")) >
        std::stoll(old_epoch));

  // A fresh instance serves the same picture (it reads what the leader wrote).
  vik::testing::Vikd third(db.dsn(), {"--node-id", "picture-c", "--set", "auth.refresh_interval=200ms"});
  json from_third;
  REQUIRE(WaitUntil(
      [&] {
        from_third = status_of(third.http_port());
        return from_third.contains("risks");
      },
      std::chrono::seconds(15)));
  const json from_leader = status_of(cluster.vikd(next).http_port());
  CHECK(PictureOf(from_third) == PictureOf(from_leader));
  CHECK(from_third["risks"] == from_leader["risks"]);
  CHECK(from_third["cluster"]["servedBy"] == "picture-c");
  CHECK(from_third["cluster"]["leader"] == cluster.node_id(next));
}
