// Filters on the change feed and the feed as Server-Sent Events (docs/exchange.md, "Filters" and
// "Server-Sent Events"), end to end over real HTTP and gRPC against PostgreSQL: filtered pages move
// the cursor past changes that do not match; WatchChanges and the SSE stream deliver only matches,
// in cursor order; the stream resumes after Last-Event-ID.

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
using vik::testing::HttpCall;
using vik::testing::IncidentSignal;
using vik::testing::WaitUntil;

struct Node {
  Node() {
    vik::testing::Admin(db.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
    writer = vik::testing::IssueToken(db.dsn(), "brandweer", "ingest");
    reader = vik::testing::IssueToken(db.dsn(), "brandweer", "read");
    vikd = std::make_unique<vik::testing::Vikd>(
        db.dsn(), std::vector<std::string>{"--set", "auth.refresh_interval=200ms", "--set", "picture.interval=100ms",
                                           "--set", "cluster.renew_interval=200ms"});
    REQUIRE(WaitUntil([&] { return Get("/v1/changes").status == 200; }, std::chrono::seconds(15)));
  }
  vik::testing::HttpReply Get(const std::string& target) {
    return HttpCall(vikd->http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  }
  void Push(const std::vector<json>& signals) {
    REQUIRE(vik::testing::PushAccepted(vikd->http_port(), writer.secret, signals));
  }

  vik::testing::FreshDatabase db;
  vik::testing::Token writer;
  vik::testing::Token reader;
  std::unique_ptr<vik::testing::Vikd> vikd;
};

// The SSE events in `text` (after the response head): id, event, data of each; comments skipped.
struct Event {
  std::string id;
  std::string event;
  std::string data;
};
std::vector<Event> ParseEvents(const std::string& text) {
  std::vector<Event> out;
  Event current;
  std::size_t pos = text.find("\r\n\r\n");
  pos = pos == std::string::npos ? 0 : pos + 4;
  while (pos < text.size()) {
    const auto eol = text.find('\n', pos);
    if (eol == std::string::npos) {
      break;
    }
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) {
      if (!current.data.empty()) {
        out.push_back(current);
      }
      current = {};
    } else if (line.rfind("id: ", 0) == 0) {
      current.id = line.substr(4);
    } else if (line.rfind("event: ", 0) == 0) {
      current.event = line.substr(7);
    } else if (line.rfind("data: ", 0) == 0) {
      current.data = line.substr(6);
    }
  }
  return out;
}

std::string StreamRequest(const std::string& target, const std::string& token, const std::string& last_event_id = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n" +
         (last_event_id.empty() ? "" : "Last-Event-ID: " + last_event_id + "\r\n") + "\r\n";
}

}  // namespace

TEST_CASE("a filtered GET /v1/changes returns only matches and moves the cursor past the rest",
          "[e2e][changes][filters]") {
  Node node;
  node.Push({IncidentSignal("f-1", "2.1", "GM0796"), IncidentSignal("f-2", "3.1", "GM0796"),
             IncidentSignal("f-3", "2.2", "GM0828")});
  // Wait for the whole transaction and the keeper's risk changes to be final.
  REQUIRE(WaitUntil([&] { return json::parse(node.Get("/v1/changes?kind=risk.changed").body)["changes"].size() >= 3; },
                    std::chrono::seconds(15)));
  const json all = json::parse(node.Get("/v1/changes?limit=1000").body);
  const json page =
      json::parse(node.Get("/v1/changes?limit=1000&theme=2&municipality=GM0796&kind=signal.accepted").body);
  REQUIRE(page["changes"].size() == 1);
  CHECK(page["changes"][0]["signal"]["signal"]["externalId"] == "f-1");
  CHECK(page["nextCursor"] == all["nextCursor"]);  // moved as far as the unfiltered read
  // Repeated and comma-separated lists; a page with nothing matching still moves the cursor.
  const json two = json::parse(node.Get("/v1/changes?limit=1000&kind=signal.accepted&theme=3&theme=2.2").body);
  CHECK(two["changes"].size() == 2);
  const json none = json::parse(node.Get("/v1/changes?limit=2&theme=9").body);
  CHECK(none["changes"].empty());
  CHECK(none["more"] == true);
  CHECK(none["nextCursor"] != "");
  const json risks = json::parse(node.Get("/v1/changes?limit=1000&kind=risk.changed,risk.assessed&minLevel=1").body);
  for (const auto& c : risks["changes"]) {
    CHECK(c["risk"]["level"].get<int>() >= 1);
  }
  auto bad = node.Get("/v1/changes?theme=x");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("theme:"));
  CHECK(node.Get("/v1/changes?minLevel=9").status == 400);
  CHECK_THAT(node.Get("/v1/changes?kind=risk").body, Catch::Contains("kind: unknown kind"));
  CHECK(node.Get("/v1/changes?after=1.1&after=2.2").status == 400);  // only lists repeat
}

TEST_CASE("ListChanges and WatchChanges apply the request's filter", "[e2e][changes][filters]") {
  Node node;
  auto stub = vik::v1::ExchangeService::NewStub(
      grpc::CreateChannel(node.vikd->grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext watch_context;
  watch_context.AddMetadata("authorization", "Bearer " + node.reader.secret);
  vik::v1::WatchChangesRequest watch;
  watch.mutable_filter()->add_kinds("signal.accepted");
  watch.mutable_filter()->add_municipalities("GM0828");
  auto stream = stub->WatchChanges(&watch_context, watch);
  node.Push({IncidentSignal("w-1", "2.1", "GM0796"), IncidentSignal("w-2", "2.1", "GM0828")});
  node.Push({IncidentSignal("w-3", "3.1", "GM0828")});
  std::vector<std::string> seen;
  vik::v1::Change change;
  while (seen.size() < 2 && stream->Read(&change)) {
    CHECK(change.kind() == "signal.accepted");
    seen.push_back(change.signal().signal().external_id());
  }
  CHECK(seen == std::vector<std::string>{"w-2", "w-3"});
  watch_context.TryCancel();
  while (stream->Read(&change)) {
  }
  stream->Finish();

  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + node.reader.secret);
  vik::v1::ListChangesRequest list;
  list.set_limit(1000);
  list.mutable_filter()->add_themes("3");
  list.mutable_filter()->add_kinds("signal.accepted");
  vik::v1::ListChangesResponse response;
  REQUIRE(stub->ListChanges(&context, list, &response).ok());
  REQUIRE(response.changes_size() == 1);
  CHECK(response.changes(0).signal().signal().external_id() == "w-3");

  grpc::ClientContext bad_context;
  bad_context.AddMetadata("authorization", "Bearer " + node.reader.secret);
  vik::v1::ListChangesRequest bad;
  bad.mutable_filter()->set_min_level(5);
  const auto status = stub->ListChanges(&bad_context, bad, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::StartsWith("filter.minLevel:"));
}

TEST_CASE("GET /v1/changes/stream sends matching changes as events in order and resumes after Last-Event-ID",
          "[e2e][changes][sse]") {
  Node node;
  const std::string target = "/v1/changes/stream?kind=signal.accepted&theme=2";
  vik::testing::RawConnection first(node.vikd->http_port());
  first.Send(StreamRequest(target, node.reader.secret));
  node.Push({IncidentSignal("e-1", "2.1", "GM0796"), IncidentSignal("x-1", "3.1", "GM0796")});
  node.Push({IncidentSignal("e-2", "2.2", "GM0796")});
  node.Push({IncidentSignal("e-3", "2", "GM0828")});
  std::string text;
  WaitUntil(
      [&] {
        text += first.ReadAll(200);
        return ParseEvents(text).size() >= 3;
      },
      std::chrono::seconds(15));
  INFO(text);
  CHECK_THAT(text, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(text, Catch::Contains("text/event-stream"));
  const auto events = ParseEvents(text);
  REQUIRE(events.size() == 3);
  std::vector<std::string> ids;
  for (const auto& e : events) {
    CHECK(e.event == "signal.accepted");
    const json change = json::parse(e.data);
    CHECK(change["cursor"] == e.id);
    ids.push_back(change["signal"]["signal"]["externalId"]);
  }
  CHECK(ids == std::vector<std::string>{"e-1", "e-2", "e-3"});

  // A reconnect after the first event gets the second and third again, nothing before.
  vik::testing::RawConnection second(node.vikd->http_port());
  second.Send(StreamRequest(target + "&after=garbage-ignored-for-last-event-id", node.reader.secret, events[0].id));
  std::string resumed;
  REQUIRE(WaitUntil(
      [&] {
        resumed += second.ReadAll(200);
        return ParseEvents(resumed).size() >= 2;
      },
      std::chrono::seconds(10)));
  const auto again = ParseEvents(resumed);
  REQUIRE(again.size() == 2);
  CHECK(again[0].id == events[1].id);
  CHECK(again[1].id == events[2].id);

  // Refused before the stream starts: a cursor out of range, a bad filter, a token without scope.
  const auto gone = node.Get("/v1/changes/stream?after=99999999999.1");
  CHECK(gone.status == 410);
  CHECK(node.Get("/v1/changes/stream?minLevel=x").status == 400);
  CHECK(HttpCall(node.vikd->http_port(), "GET", "/v1/changes/stream", "",
                 {{"Authorization", "Bearer " + node.writer.secret}})
            .status == 403);
  // The server drains open streams on shutdown and exits cleanly.
  CHECK(node.vikd->Terminate(std::chrono::seconds(15)) == 0);
  CHECK(first.ClosedByPeer(2000));
}
