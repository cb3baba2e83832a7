// The change feed end to end (docs/exchange.md): GET /v1/changes and ExchangeService.ListChanges /
// WatchChanges / GetSnapshot over real HTTP and gRPC against PostgreSQL. A reader following cursors
// sees every committed change exactly once while writers commit concurrently; a cursor older than
// the retention is answered 410 / OUT_OF_RANGE and the reader resynchronises from a snapshot.

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/exchange.grpc.pb.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::Vikd;
using vik::testing::WaitUntil;

json Signal(const std::string& id, const std::string& municipality = "GM0796") {
  return vik::testing::FireIncident("brandweer-vr21", id, municipality);
}

struct Feed {
  explicit Feed(std::vector<std::string> extra = {}) {
    Admin(db.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
    writer = IssueToken(db.dsn(), "brandweer", "ingest");
    reader = IssueToken(db.dsn(), "brandweer", "read");
    analyst = IssueToken(db.dsn(), "brandweer", "analyst");
    std::vector<std::string> args = {"--set", "auth.refresh_interval=200ms", "--set", "picture.interval=100ms",
                                     "--set", "cluster.renew_interval=200ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    vikd = std::make_unique<Vikd>(db.dsn(), args);
    REQUIRE(WaitUntil([&] { return Get("/v1/changes").status == 200; }, std::chrono::seconds(15)));
  }
  vik::testing::HttpReply Get(const std::string& target) {
    return HttpCall(vikd->http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  }
  void Push(const std::vector<json>& signals) {
    const auto r = HttpCall(vikd->http_port(), "POST", "/v1/signals", json{{"signals", signals}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer.secret}});
    REQUIRE(r.status == 200);
  }
  // Follows the feed from `cursor` until `done` holds for what was read (or 20 s); pages of `limit`.
  std::vector<json> Follow(std::string& cursor, const std::function<bool(const std::vector<json>&)>& done,
                           int limit = 3) {
    std::vector<json> read;
    WaitUntil(
        [&] {
          for (;;) {
            const auto r =
                Get("/v1/changes?limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&after=" + cursor));
            REQUIRE(r.status == 200);
            const json page = json::parse(r.body);
            for (const auto& c : page["changes"]) {
              read.push_back(c);
            }
            cursor = page["nextCursor"];
            if (!page["more"].get<bool>()) {
              break;
            }
          }
          return done(read);
        },
        std::chrono::seconds(20));
    return read;
  }

  FreshDatabase db;
  vik::testing::Token writer;
  vik::testing::Token reader;
  vik::testing::Token analyst;
  std::unique_ptr<Vikd> vikd;
};

std::size_t CountKind(const std::vector<json>& changes, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& c : changes) {
    n += c["kind"] == kind ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("GET /v1/changes pages through signals, risk changes and region states with bodies, each once",
          "[e2e][changes]") {
  Feed feed;
  feed.Push({Signal("s-1"), Signal("s-2", "GM0828")});
  const auto put = HttpCall(feed.vikd->http_port(), "PUT", "/v1/region/state",
                            json{{"version", 0}, {"gripLevel", "1"}, {"phase", "warm"}, {"reason", "brand"}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + feed.analyst.secret}});
  REQUIRE(put.status == 200);
  std::string cursor;
  const auto read = feed.Follow(cursor, [](const std::vector<json>& r) {
    return CountKind(r, "signal.accepted") == 2 && CountKind(r, "risk.changed") >= 2 &&
           CountKind(r, "region.state") == 1;
  });
  INFO(json(read).dump(1));
  REQUIRE(CountKind(read, "signal.accepted") == 2);
  REQUIRE(CountKind(read, "region.state") == 1);
  std::set<std::string> cursors;
  for (const auto& c : read) {
    CHECK(cursors.insert(c["cursor"].get<std::string>()).second);  // each change once
    if (c["kind"] == "signal.accepted") {
      CHECK(c["signal"]["signal"]["source"] == "brandweer-vr21");
      CHECK(c["signal"]["state"] == "active");
      CHECK(c["picture"] == "actual");
    } else if (c["kind"] == "risk.changed") {
      CHECK(c["risk"]["id"].get<std::string>().rfind("2.1@", 0) == 0);
    } else if (c["kind"] == "region.state") {
      CHECK(c["regionState"]["gripLevel"] == "1");
      CHECK(c["object"] == "VR21");
    }
  }
  // Nothing new: the same cursor back, no changes.
  const json empty = json::parse(feed.Get("/v1/changes?after=" + cursor).body);
  CHECK(empty["changes"].empty());
  CHECK(empty["nextCursor"] == cursor);
  CHECK(feed.Get("/v1/changes?after=garbage").status == 400);
  CHECK(feed.Get("/v1/changes?limit=0").status == 400);
  const auto ahead = feed.Get("/v1/changes?after=99999999999.1");
  CHECK(ahead.status == 410);
  CHECK_THAT(ahead.body, Catch::Contains("OUT_OF_RANGE"));
  CHECK(HttpCall(feed.vikd->http_port(), "GET", "/v1/changes", "", {{"Authorization", "Bearer " + feed.writer.secret}})
            .status == 403);
}

TEST_CASE("a reader following cursors sees every signal exactly once while four writers commit concurrently",
          "[e2e][changes]") {
  Feed feed;
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 40;
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter && !failed; ++i) {
        const auto r =
            HttpCall(feed.vikd->http_port(), "POST", "/v1/signals",
                     json{{"signals", {Signal("w" + std::to_string(w) + "-" + std::to_string(i))}}}.dump(),
                     {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + feed.writer.secret}});
        failed = failed || r.status != 200;
      }
    });
  }
  std::string cursor;
  std::vector<json> read;
  std::atomic<bool> writing{true};
  std::thread follower([&] {
    while (writing) {
      auto more = feed.Follow(
          cursor, [](const std::vector<json>&) { return true; }, 7);
      read.insert(read.end(), more.begin(), more.end());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  for (auto& t : writers) {
    t.join();
  }
  writing = false;
  follower.join();
  REQUIRE_FALSE(failed);
  auto rest = feed.Follow(cursor, [&](const std::vector<json>& r) {
    return CountKind(read, "signal.accepted") + CountKind(r, "signal.accepted") >= kWriters * kPerWriter;
  });
  read.insert(read.end(), rest.begin(), rest.end());
  std::map<std::string, int> seen;
  for (const auto& c : read) {
    if (c["kind"] == "signal.accepted") {
      ++seen[c["signal"]["signal"]["externalId"].get<std::string>()];
    }
  }
  CHECK(seen.size() == static_cast<std::size_t>(kWriters * kPerWriter));
  for (const auto& [id, n] : seen) {
    INFO(id);
    CHECK(n == 1);
  }
}

TEST_CASE("a cursor older than the retention gets 410 and the reader resynchronises from a snapshot",
          "[e2e][changes]") {
  Feed feed({"--set", "changes.retention=1s"});
  const std::string start = json::parse(feed.Get("/v1/snapshot").body)["cursor"];
  feed.Push({Signal("old-1"), Signal("old-2")});
  // The leader prunes what is older than a second once the keeper has read it.
  vik::testing::HttpReply gone;
  REQUIRE(WaitUntil(
      [&] {
        gone = feed.Get("/v1/changes?after=" + start);
        return gone.status == 410;
      },
      std::chrono::seconds(30)));
  CHECK_THAT(gone.body, Catch::Contains("OUT_OF_RANGE"));
  CHECK_THAT(gone.body, Catch::Contains("snapshot"));
  const json snapshot = json::parse(feed.Get("/v1/snapshot").body);
  REQUIRE(snapshot["status"]["risks"].size() == 1);
  CHECK(snapshot["status"]["risks"][0]["signalsInEffect"] == 2);
  std::string cursor = snapshot["cursor"];
  const auto resumed = feed.Get("/v1/changes?after=" + cursor);
  INFO(resumed.body);
  CHECK(resumed.status == 200);
  feed.Push({Signal("new-1")});
  const auto after = feed.Follow(cursor, [](const std::vector<json>& r) {
    for (const auto& c : r) {
      if (c["kind"] == "signal.accepted" && c["signal"]["signal"]["externalId"] == "new-1") {
        return true;
      }
    }
    return false;
  });
  CHECK(CountKind(after, "signal.accepted") >= 1);
}

TEST_CASE("ExchangeService: ListChanges and GetSnapshot over gRPC, and WatchChanges delivers new changes as they come",
          "[e2e][changes]") {
  Feed feed;
  auto channel = grpc::CreateChannel(feed.vikd->grpc_target(), grpc::InsecureChannelCredentials());
  auto stub = vik::v1::ExchangeService::NewStub(channel);
  vik::v1::Snapshot snapshot;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + feed.reader.secret);
    REQUIRE(stub->GetSnapshot(&context, vik::v1::GetSnapshotRequest(), &snapshot).ok());
    CHECK_FALSE(snapshot.cursor().empty());
    CHECK(snapshot.status().region() == "VR21");
  }
  grpc::ClientContext watch_context;
  watch_context.AddMetadata("authorization", "Bearer " + feed.reader.secret);
  vik::v1::WatchChangesRequest watch_request;
  watch_request.set_after(snapshot.cursor());
  auto stream = stub->WatchChanges(&watch_context, watch_request);
  feed.Push({Signal("watched-1")});
  vik::v1::Change change;
  bool got = false;
  while (stream->Read(&change)) {
    if (change.kind() == "signal.accepted") {
      CHECK(change.signal().signal().external_id() == "watched-1");
      got = true;
      break;
    }
  }
  CHECK(got);
  watch_context.TryCancel();
  while (stream->Read(&change)) {
  }
  CHECK(stream->Finish().error_code() == grpc::StatusCode::CANCELLED);
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + feed.reader.secret);
    vik::v1::ListChangesRequest request;
    request.set_after(snapshot.cursor());
    vik::v1::ListChangesResponse response;
    REQUIRE(stub->ListChanges(&context, request, &response).ok());
    CHECK(response.changes_size() >= 1);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + feed.reader.secret);
    vik::v1::ListChangesRequest request;
    request.set_after("99999999999.0");
    vik::v1::ListChangesResponse response;
    CHECK(stub->ListChanges(&context, request, &response).error_code() == grpc::StatusCode::OUT_OF_RANGE);
  }
  {
    grpc::ClientContext context;  // no token
    vik::v1::ListChangesResponse response;
    CHECK(stub->ListChanges(&context, vik::v1::ListChangesRequest(), &response).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  // The server is still healthy after the cancelled stream.
  CHECK(feed.Get("/v1/changes?after=" + snapshot.cursor()).status == 200);
}
