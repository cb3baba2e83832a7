// Federation end to end (docs/exchange.md, "Mirroring peers"): two regional nodes (VR21, VR20) and a
// national node (--role national), each with its own database, over real gRPC and HTTP on loopback.
// Signals pushed into both regions appear at the national node; stopping and restarting a region
// (SIGTERM), and killing the national node's leader (SIGKILL: its standby takes over) while signals
// keep arriving loses nothing and applies nothing twice: the national node's count of applied
// changes equals each region's feed exactly.

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
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

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vik-federation-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  REQUIRE(out.good());
}

// A signal of about 64 KiB within the signal limits: description and instruction of 16 KiB each,
// 32 attributes of 1,000 bytes.
json LargeSignal(const std::string& source, const std::string& id, const std::string& municipality) {
  json signal = vik::testing::FireIncident(source, id, municipality);
  signal["description"] = std::string(16 * 1024, 'd');
  signal["instruction"] = std::string(16 * 1024, 'i');
  json attributes = json::object();
  for (int i = 0; i < 32; ++i) {
    attributes["a" + std::to_string(i)] = std::string(1000, static_cast<char>('a' + i % 26));
  }
  signal["attributes"] = attributes;
  return signal;
}

std::unique_ptr<vik::v1::ExchangeService::Stub> StubTo(int port) {
  return vik::v1::ExchangeService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

// A regional node on a fixed gRPC port (the national node's configuration names it across restarts).
struct Region {
  Region(std::string region, std::string gm_code, const std::string& dir, std::vector<std::string> flags = {})
      : code(std::move(region)),
        municipality(std::move(gm_code)),
        grpc_port(vik::testing::FreePort()),
        extra(std::move(flags)) {
    Admin(db.dsn(), {"migrate"});
    if (code != "VR21") {  // the migrations seed VR21's municipalities only
      const std::string ref = dir + "/ref-" + code;
      std::filesystem::create_directories(ref);
      WriteFile(ref + "/municipalities.tsv", "gm_code\tname\tregion\tvalid_from\tvalid_to\tsuccessor\n" + municipality +
                                                 "\tTestgemeente\t" + code + "\t\t\t\n");
      Admin(db.dsn(), {"reference", "load", ref});
    }
    source = "brandweer-" + code;
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", source);
    Admin(db.dsn(), {"partner", "add", "kcr2"});
    writer = IssueToken(db.dsn(), "brandweer", "ingest");
    kcr2 = IssueToken(db.dsn(), "kcr2", "read");
    analyst = IssueToken(db.dsn(), "brandweer", "analyst");
    token_file = dir + "/token-" + code;
    WriteFile(token_file, kcr2.secret + "\n");
    Start();
  }

  void Start() {
    std::vector<std::string> args = {"--region",  code,
                                     "--node-id", "node-" + code,
                                     "--grpc",    "127.0.0.1:" + std::to_string(grpc_port),
                                     "--set",     "auth.refresh_interval=200ms",
                                     "--set",     "picture.interval=100ms",
                                     "--set",     "cluster.renew_interval=200ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    vikd = std::make_unique<Vikd>(db.dsn(), args);
    REQUIRE(WaitUntil([&] { return Get("/v1/changes").status == 200; }, std::chrono::seconds(15)));
  }

  vik::testing::HttpReply Get(const std::string& target) {
    return HttpCall(vikd->http_port(), "GET", target, "", {{"Authorization", "Bearer " + kcr2.secret}});
  }

  // Pushes signals `first`..`first + n - 1`; true when all were acknowledged.
  bool Push(int first, int n) {
    json signals = json::array();
    for (int i = first; i < first + n; ++i) {
      signals.push_back(vik::testing::FireIncident(source, code + "-" + std::to_string(i), municipality));
    }
    const auto r = HttpCall(vikd->http_port(), "POST", "/v1/signals", json{{"signals", signals}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer.secret}});
    return r.status == 200;
  }

  // Pushes `signals`; true when the call succeeds.
  bool PushSignals(const json& signals) {
    const auto r = HttpCall(vikd->http_port(), "POST", "/v1/signals", json{{"signals", signals}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer.secret}});
    return r.status == 200;
  }

  // Every change of the region's feed from the start, counted.
  std::size_t FeedLength() {
    std::size_t n = 0;
    std::string cursor;
    for (;;) {
      const auto r = Get("/v1/changes?limit=1000" + (cursor.empty() ? "" : "&after=" + cursor));
      REQUIRE(r.status == 200);
      const json page = json::parse(r.body);
      n += page["changes"].size();
      cursor = page["nextCursor"];
      if (!page["more"].get<bool>()) {
        return n;
      }
    }
  }

  std::string code;
  std::string municipality;
  int grpc_port;
  std::vector<std::string> extra;  // more vikd flags, for the next Start
  std::string source;
  std::string token_file;
  FreshDatabase db;
  vik::testing::Token writer;
  vik::testing::Token kcr2;
  vik::testing::Token analyst;
  std::unique_ptr<Vikd> vikd;
};

struct National {
  explicit National(const std::vector<Region*>& regions, std::vector<std::string> more = {}) {
    Admin(db.dsn(), {"migrate"});
    Admin(db.dsn(), {"partner", "add", "lcms"});
    reader = IssueToken(db.dsn(), "lcms", "read");
    args = {"--role", "national",
            "--set",  "auth.refresh_interval=200ms",
            "--set",  "peers.interval=100ms",
            "--set",  "peers.max_backoff=1s",
            "--set",  "peers.stale_after=2s",
            "--set",  "cluster.renew_interval=200ms",
            "--set",  "cluster.lease_ttl=1s"};
    for (const Region* r : regions) {
      const std::string peer = "peer." + r->code;
      args.insert(args.end(), {"--set", peer + ".endpoint=127.0.0.1:" + std::to_string(r->grpc_port), "--set",
                               peer + ".token_file=" + r->token_file});
    }
    args.insert(args.end(), more.begin(), more.end());
    vikd = Start("node-nl-a");
    standby = Start("node-nl-b");
  }

  // An instance of the national node; the first one started leads.
  std::unique_ptr<Vikd> Start(const std::string& node_id) {
    std::vector<std::string> with_id = args;
    with_id.insert(with_id.end(), {"--node-id", node_id});
    auto instance = std::make_unique<Vikd>(db.dsn(), with_id);
    REQUIRE(WaitUntil(
        [&] {
          return HttpCall(instance->http_port(), "GET", "/v1/national/status", "",
                          {{"Authorization", "Bearer " + reader.secret}})
                     .status == 200;
        },
        std::chrono::seconds(15)));
    return instance;
  }

  // Reads go to the standby: it serves the same mirror (one database) and survives the test.
  vik::testing::HttpReply Get(const std::string& target) {
    return HttpCall(standby->http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  }

  json Status() {
    const auto r = Get("/v1/national/status?top=10");
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }

  static const json* RegionIn(const json& status, const std::string& code) {
    for (const auto& r : status["regions"]) {
      if (r["region"] == code) {
        return &r;
      }
    }
    return nullptr;
  }

  // Distinct mirrored signal ids of `region`, and how many rows came back.
  std::pair<std::set<std::string>, std::size_t> Signals(const std::string& region) {
    const auto r = Get("/v1/national/signals?limit=1000&region=" + region);
    REQUIRE(r.status == 200);
    const json body = json::parse(r.body);
    std::set<std::string> ids;
    std::size_t rows = 0;
    for (const auto& s : body["signals"]) {
      ids.insert(s["signal"]["signal"]["externalId"].get<std::string>());
      ++rows;
    }
    return {ids, rows};
  }

  FreshDatabase db;
  vik::testing::Token reader;
  std::vector<std::string> args;
  std::unique_ptr<Vikd> vikd;     // leads at first; killed mid-stream
  std::unique_ptr<Vikd> standby;  // takes over
};

}  // namespace

TEST_CASE("A national node mirrors two regions through restarts and a failover without loss or double apply",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  Region vr21("VR21", "GM0796", dir);
  Region vr20("VR20", "GM0826", dir);
  National nl({&vr21, &vr20});

  // Both peers synchronised (from their empty snapshots) before anything happens.
  REQUIRE(WaitUntil(
      [&] {
        const json s = nl.Status();
        const json* a = National::RegionIn(s, "VR21");
        const json* b = National::RegionIn(s, "VR20");
        return a != nullptr && b != nullptr && !(*a)["freshness"]["stale"].get<bool>() &&
               !(*b)["freshness"]["stale"].get<bool>();
      },
      std::chrono::seconds(15)));

  // The region's GRIP level and risks reach the national status.
  const auto put = HttpCall(vr21.vikd->http_port(), "PUT", "/v1/region/state",
                            json{{"version", 0}, {"gripLevel", "2"}, {"phase", "warm"}, {"reason", "brand"}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + vr21.analyst.secret}});
  REQUIRE(put.status == 200);
  REQUIRE(vr21.Push(0, 10));
  REQUIRE(vr20.Push(0, 10));
  json status;
  REQUIRE(WaitUntil(
      [&] {
        status = nl.Status();
        const json* a = National::RegionIn(status, "VR21");
        const json* b = National::RegionIn(status, "VR20");
        return a != nullptr && b != nullptr && (*a)["gripLevel"] == "2" && !(*a)["topRisks"].empty() &&
               !(*b)["topRisks"].empty() && !status["crossRegional"].empty();
      },
      std::chrono::seconds(20)));
  CHECK(status["role"] == "national");
  const json* a = National::RegionIn(status, "VR21");
  CHECK((*a)["regionName"] == "Brabant-Noord");
  CHECK((*a)["phase"] == "warm");
  CHECK((*a)["peer"] == "VR21");
  CHECK((*a)["topRisks"][0]["id"] == "2.1@GM0796");
  CHECK((*a)["topRisks"][0]["level"].get<int>() >= 2);
  CHECK(National::RegionIn(status, "VR20")->at("topRisks")[0]["id"] == "2.1@GM0826");
  // Fire (2.1) at both regions: a cross-regional theme.
  CHECK(status["crossRegional"][0]["theme"] == "2.1");
  CHECK(status["crossRegional"][0]["regions"].size() == 2);

  // Mid-stream: both regions keep taking signals while the national node is killed and restarted,
  // and then region VR21 is stopped (and shown stale) and restarted.
  std::atomic<bool> pushing{true};
  std::atomic<int> pushed21{10};
  std::atomic<int> pushed20{10};
  std::atomic<bool> vr21_down{false};
  std::thread pusher([&] {
    while (pushing) {
      if (!vr21_down && vr21.Push(pushed21, 5)) {
        pushed21 += 5;
      }
      if (vr20.Push(pushed20, 5)) {
        pushed20 += 5;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  // The national node's leader dies mid-stream: the standby takes the lease and continues from the
  // stored cursors; the killed instance comes back as a standby.
  nl.vikd->process().Signal(SIGKILL);
  nl.vikd->process().Wait(std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  nl.vikd = nl.Start("node-nl-a");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  vr21_down = true;
  REQUIRE(vr21.vikd->Terminate() == 0);
  // The national node shows VR21 stale with the error of its calls, and VR20 fresh.
  REQUIRE(WaitUntil(
      [&] {
        status = nl.Status();
        const json* r21 = National::RegionIn(status, "VR21");
        return r21 != nullptr && (*r21)["freshness"]["stale"].get<bool>() &&
               !(*r21)["freshness"]["lastError"].get<std::string>().empty();
      },
      std::chrono::seconds(15)));
  CHECK_FALSE(National::RegionIn(status, "VR20")->at("freshness")["stale"].get<bool>());
  CHECK(status["regionsStale"] == 1);
  vr21.Start();
  vr21_down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  pushing = false;
  pusher.join();
  INFO("pushed " << pushed21 << " signals to VR21 and " << pushed20 << " to VR20");

  // Everything arrives, once each.
  for (Region* r : {&vr21, &vr20}) {
    const int pushed = r == &vr21 ? pushed21.load() : pushed20.load();
    std::pair<std::set<std::string>, std::size_t> mirrored;
    WaitUntil(
        [&] {
          mirrored = nl.Signals(r->code);
          return mirrored.first.size() == static_cast<std::size_t>(pushed);
        },
        std::chrono::seconds(20));
    INFO(r->code << ": " << mirrored.first.size() << " distinct signals mirrored in " << mirrored.second << " rows");
    CHECK(mirrored.first.size() == static_cast<std::size_t>(pushed));
    CHECK(mirrored.second == mirrored.first.size());
    for (int i = 0; i < pushed; ++i) {
      CHECK(mirrored.first.count(r->code + "-" + std::to_string(i)) == 1);
    }
    // Every change of the region's feed applied exactly once (the counter moves in the transaction
    // that moves the cursor), from the one snapshot taken at the start.
    const std::size_t feed = r->FeedLength();
    REQUIRE(WaitUntil(
        [&] {
          status = nl.Status();
          const json* s = National::RegionIn(status, r->code);
          return s != nullptr && std::stoll((*s)["freshness"]["changesApplied"].get<std::string>()) ==
                                     static_cast<long long>(r->FeedLength());
        },
        std::chrono::seconds(20)));
    const json* s = National::RegionIn(status, r->code);
    CHECK(std::stoll((*s)["freshness"]["changesApplied"].get<std::string>()) >= static_cast<long long>(feed));
    CHECK((*s)["freshness"]["snapshots"] == 1);
  }
}

TEST_CASE("A regional node mirrors its neighbour beside its own region, refuses to mirror itself",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  Region vr20("VR20", "GM0826", dir);
  Region vr21("VR21", "GM0796", dir);
  // VR21 follows VR20 and (misconfigured) itself.
  REQUIRE(vr21.vikd->Terminate() == 0);
  vr21.extra = {"--set", "peers.interval=100ms",
                "--set", "peer.vr20.endpoint=127.0.0.1:" + std::to_string(vr20.grpc_port),
                "--set", "peer.vr20.token_file=" + vr20.token_file,
                "--set", "peer.self.endpoint=127.0.0.1:" + std::to_string(vr21.grpc_port),
                "--set", "peer.self.token_file=" + vr21.token_file};
  vr21.Start();
  REQUIRE(vr20.Push(0, 3));
  REQUIRE(vr21.Push(0, 2));
  json status;
  REQUIRE(WaitUntil(
      [&] {
        const auto r = vr21.Get("/v1/national/status");
        if (r.status != 200) {
          return false;
        }
        status = json::parse(r.body);
        const json* own = National::RegionIn(status, "VR21");
        const json* neighbour = National::RegionIn(status, "VR20");
        return own != nullptr && neighbour != nullptr && !(*own)["topRisks"].empty() &&
               !(*neighbour)["topRisks"].empty() && !status["crossRegional"].empty();
      },
      std::chrono::seconds(20)));
  CHECK(status["role"] == "regional");
  CHECK(status["regions"][0]["region"] == "VR21");
  CHECK(status["regions"][0]["peer"] == "");
  // The peer that turned out to be this node itself is listed without a region, with the reason.
  auto self_refused = [&] {
    const json body = json::parse(vr21.Get("/v1/national/status").body);
    for (const auto& region : body["regions"]) {
      if (region["peer"] == "self") {
        return region["region"] == "" &&
               region["freshness"]["lastError"].get<std::string>().find("own region") != std::string::npos;
      }
    }
    return false;
  };
  CHECK(WaitUntil(self_refused, std::chrono::seconds(10)));
  // gRPC carries the same status; a national node has no regional picture of its own.
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(vr21.grpc_port), grpc::InsecureChannelCredentials());
  auto stub = vik::v1::ExchangeService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + vr21.kcr2.secret);
  vik::v1::GetNationalStatusRequest request;
  vik::v1::NationalStatus reply;
  REQUIRE(stub->GetNationalStatus(&ctx, request, &reply).ok());
  CHECK(reply.regions_size() == 3);
  grpc::ClientContext bad;
  bad.AddMetadata("authorization", "Bearer " + vr21.kcr2.secret);
  request.set_top(51);
  CHECK(stub->GetNationalStatus(&bad, request, &reply).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext anonymous;
  request.set_top(0);
  CHECK(stub->GetNationalStatus(&anonymous, request, &reply).error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("A national node refuses regional calls and needs peers", "[e2e][federation]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  const auto no_peers = vik::testing::RunVikd({"serve", "--role", "national", "--db", db.dsn()});
  CHECK(no_peers.exit_code != 0);
  CHECK(no_peers.err.find("national node needs peers") != std::string::npos);

  const std::string dir = TempDir();
  Admin(db.dsn(), {"partner", "add", "lcms"});
  const auto reader = IssueToken(db.dsn(), "lcms", "read");
  WriteFile(dir + "/token", "vik_x_y\n");
  Vikd nl(db.dsn(), {"--role", "national", "--set", "auth.refresh_interval=200ms", "--set",
                     "peer.vr99.endpoint=127.0.0.1:1", "--set", "peer.vr99.token_file=" + dir + "/token"});
  auto get = [&](const std::string& target) {
    return HttpCall(nl.http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  };
  REQUIRE(WaitUntil([&] { return get("/v1/national/status").status == 200; }, std::chrono::seconds(15)));
  CHECK(get("/v1/status").status == 404);
  CHECK(get("/v1/national/status?top=0").status == 400);
  CHECK(get("/v1/national/signals?region=XX").status == 400);
  // An unreachable peer: listed, stale, with the error.
  REQUIRE(WaitUntil(
      [&] {
        const json s = json::parse(get("/v1/national/status").body);
        return s["regions"].size() == 1 && s["regions"][0]["freshness"]["stale"].get<bool>() &&
               !s["regions"][0]["freshness"]["lastError"].get<std::string>().empty();
      },
      std::chrono::seconds(15)));
  auto stub =
      vik::v1::ExchangeService::NewStub(grpc::CreateChannel(nl.grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + reader.secret);
  vik::v1::ListChangesResponse page;
  CHECK(stub->ListChanges(&ctx, vik::v1::ListChangesRequest(), &page).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("A region the national node cannot reach pushes its feed, through restarts of both, each change once",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  // The national node takes pushes from partner vr21 and does not call it.
  FreshDatabase nl_db;
  Admin(nl_db.dsn(), {"migrate"});
  Admin(nl_db.dsn(), {"partner", "add", "vr21"});
  Admin(nl_db.dsn(), {"partner", "add", "lcms"});
  const auto push_token = IssueToken(nl_db.dsn(), "vr21", "push");
  const auto wrong_scope = IssueToken(nl_db.dsn(), "lcms", "read");
  const auto reader = wrong_scope;
  WriteFile(dir + "/push-token", push_token.secret + "\n");
  const int nl_grpc = vik::testing::FreePort();
  const std::vector<std::string> nl_args = {"--role", "national",
                                            "--grpc", "127.0.0.1:" + std::to_string(nl_grpc),
                                            "--set",  "auth.refresh_interval=200ms",
                                            "--set",  "peer.vr21.push=true",
                                            "--set",  "peer.vr21.region=VR21",
                                            "--set",  "peers.stale_after=3s"};
  auto nl = std::make_unique<Vikd>(nl_db.dsn(), nl_args);
  auto nl_get = [&](const std::string& target) {
    return HttpCall(nl->http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  };

  Region vr21("VR21", "GM0796", dir,
              {"--set", "push.kcr2.endpoint=127.0.0.1:" + std::to_string(nl_grpc), "--set",
               "push.kcr2.token_file=" + dir + "/push-token", "--set", "peers.interval=100ms", "--set",
               "peers.max_backoff=1s"});
  json status;
  // Synchronised (the snapshot names the region) before signals arrive: signals accepted before the
  // snapshot reach the mirror only through the risks they make.
  REQUIRE(WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/status");
        return r.status == 200 && json::parse(r.body)["regions"][0]["region"] == "VR21";
      },
      std::chrono::seconds(20)));
  REQUIRE(vr21.Push(0, 10));
  REQUIRE(WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/status");
        status = r.status == 200 ? json::parse(r.body) : json();
        return r.status == 200 && status["regions"].size() == 1 && status["regions"][0]["region"] == "VR21" &&
               !status["regions"][0]["topRisks"].empty();
      },
      std::chrono::seconds(20)));
  CHECK(status["regions"][0]["peer"] == "vr21");
  CHECK_FALSE(status["regions"][0]["freshness"]["stale"].get<bool>());

  // Only the push scope of a configured push peer may push.
  auto stub = vik::v1::ExchangeService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(nl_grpc), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + wrong_scope.secret);
  vik::v1::PushChangesResponse answer;
  CHECK(stub->PushChanges(&ctx, vik::v1::PushChangesRequest(), &answer).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);

  // Mid-stream restarts of the region and of the national node.
  std::atomic<bool> pushing{true};
  std::atomic<int> pushed{10};
  std::atomic<bool> region_down{false};
  std::thread pusher([&] {
    while (pushing) {
      if (!region_down && vr21.Push(pushed, 5)) {
        pushed += 5;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  nl->process().Signal(SIGKILL);
  nl->process().Wait(std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  nl = std::make_unique<Vikd>(nl_db.dsn(), nl_args);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  region_down = true;
  REQUIRE(vr21.vikd->Terminate() == 0);
  vr21.Start();
  region_down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  pushing = false;
  pusher.join();

  std::set<std::string> ids;
  WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/signals?limit=1000&region=VR21");
        if (r.status != 200) {
          return false;
        }
        const json body = json::parse(r.body);
        ids.clear();
        for (const auto& sig : body["signals"]) {
          ids.insert(sig["signal"]["signal"]["externalId"].get<std::string>());
        }
        return ids.size() == static_cast<std::size_t>(pushed.load());
      },
      std::chrono::seconds(20));
  INFO("mirrored " << ids.size() << " of " << pushed << "; national status: " << nl_get("/v1/national/status").body);
  REQUIRE(ids.size() == static_cast<std::size_t>(pushed.load()));
  const std::size_t feed = vr21.FeedLength();
  REQUIRE(WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/status");
        status = json::parse(r.body);
        return std::stoll(status["regions"][0]["freshness"]["changesApplied"].get<std::string>()) >=
               static_cast<long long>(vr21.FeedLength());
      },
      std::chrono::seconds(20)));
  CHECK(std::stoll(status["regions"][0]["freshness"]["changesApplied"].get<std::string>()) ==
        static_cast<long long>(vr21.FeedLength()));
  CHECK(vr21.FeedLength() >= feed);
  CHECK(status["regions"][0]["freshness"]["snapshots"] == 1);
}

TEST_CASE("A burst of 200 signals of 64 KiB reaches a national node completely, in pages bounded by bytes",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  Region vr21("VR21", "GM0796", dir);
  National nl({&vr21});
  REQUIRE(WaitUntil(
      [&] {
        const json synced = nl.Status();
        const json* r = National::RegionIn(synced, "VR21");
        return r != nullptr && !(*r)["freshness"]["stale"].get<bool>();
      },
      std::chrono::seconds(15)));

  constexpr int kSignals = 200;
  for (int first = 0; first < kSignals; first += 10) {
    json batch = json::array();
    for (int i = first; i < first + 10; ++i) {
      batch.push_back(LargeSignal(vr21.source, "big-" + std::to_string(i), vr21.municipality));
    }
    REQUIRE(vr21.PushSignals(batch));
  }

  // A page of up to 1000 changes fits a default client's 4 MiB and says there is more (it was
  // 12.9 MB and RESOURCE_EXHAUSTED before pages were bounded by bytes).
  REQUIRE(WaitUntil([&] { return vr21.FeedLength() > static_cast<std::size_t>(kSignals); }, std::chrono::seconds(20)));
  auto stub = StubTo(vr21.grpc_port);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + vr21.kcr2.secret);
  vik::v1::ListChangesRequest request;
  request.set_limit(1000);
  vik::v1::ListChangesResponse page;
  const grpc::Status listed = stub->ListChanges(&ctx, request, &page);
  INFO("ListChanges: " << listed.error_message());
  REQUIRE(listed.ok());
  CHECK(page.ByteSizeLong() <= 4u * 1024 * 1024);
  CHECK(page.changes_size() > 1);
  CHECK(page.changes_size() < kSignals);
  CHECK(page.more());

  // Every signal arrives at the national node, and every change of the feed is applied once.
  std::pair<std::set<std::string>, std::size_t> mirrored;
  WaitUntil(
      [&] {
        mirrored = nl.Signals("VR21");
        return mirrored.first.size() == static_cast<std::size_t>(kSignals);
      },
      std::chrono::seconds(60));
  INFO("national status: " << nl.Get("/v1/national/status").body.substr(0, 2000));
  REQUIRE(mirrored.first.size() == static_cast<std::size_t>(kSignals));
  CHECK(mirrored.second == mirrored.first.size());
  const std::size_t feed = vr21.FeedLength();
  json status;
  REQUIRE(WaitUntil(
      [&] {
        status = nl.Status();
        const json* r = National::RegionIn(status, "VR21");
        return r != nullptr && std::stoll((*r)["freshness"]["changesApplied"].get<std::string>()) ==
                                   static_cast<long long>(vr21.FeedLength());
      },
      std::chrono::seconds(30)));
  const json* r = National::RegionIn(status, "VR21");
  CHECK(std::stoll((*r)["freshness"]["changesApplied"].get<std::string>()) >= static_cast<long long>(feed));
  CHECK_FALSE((*r)["freshness"]["stale"].get<bool>());
  CHECK((*r)["freshness"]["lastError"] == "");
}

TEST_CASE("A region whose feed cannot move is shown stale with its error although its status call answers",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  // Messages of at most 16 KiB: one signal of 32 KiB can never be given out in a page.
  Region vr21("VR21", "GM0796", dir, {"--set", "grpc.max_message_bytes=16KiB"});
  National nl({&vr21});
  REQUIRE(WaitUntil(
      [&] {
        const json synced = nl.Status();
        const json* r = National::RegionIn(synced, "VR21");
        return r != nullptr && !(*r)["freshness"]["stale"].get<bool>();
      },
      std::chrono::seconds(15)));
  json big = vik::testing::FireIncident(vr21.source, "too-big", vr21.municipality);
  big["description"] = std::string(16 * 1024, 'd');
  big["instruction"] = std::string(16 * 1024, 'i');
  REQUIRE(vr21.PushSignals(json::array({big})));

  // The region refuses the page explicitly, naming the change, over gRPC and HTTP alike.
  std::string refusal;
  REQUIRE(WaitUntil(
      [&] {
        auto stub = StubTo(vr21.grpc_port);
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + vr21.kcr2.secret);
        vik::v1::ListChangesResponse page;
        const grpc::Status s = stub->ListChanges(&ctx, vik::v1::ListChangesRequest(), &page);
        refusal = s.error_message();
        return s.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
      },
      std::chrono::seconds(10)));
  INFO(refusal);
  CHECK(refusal.find("(signal.accepted ") != std::string::npos);
  CHECK(refusal.find("more than a page may hold") != std::string::npos);
  const auto http = vr21.Get("/v1/changes");
  CHECK(http.status == 412);
  CHECK(http.body.find("more than a page may hold") != std::string::npos);

  // The national node keeps reaching the region's status, but the feed does not move: stale, with
  // the error and a growing count of them.
  json status;
  REQUIRE(WaitUntil(
      [&] {
        status = nl.Status();
        const json* r = National::RegionIn(status, "VR21");
        return r != nullptr && (*r)["freshness"]["stale"].get<bool>() &&
               (*r)["freshness"]["lastError"].get<std::string>().find("more than a page may hold") !=
                   std::string::npos &&
               (*r)["freshness"]["consecutiveErrors"].get<int>() >= 2;
      },
      std::chrono::seconds(20)));
  CHECK(status["regionsStale"] == 1);
  CHECK(National::RegionIn(status, "VR21")
            ->at("freshness")["lastError"]
            .get<std::string>()
            .find("ListChanges: "
                  "FAILED_PRECONDITION") == 0);
}

TEST_CASE("A push peer speaks only for its configured region: other regions and control characters are refused",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  FreshDatabase nl_db;
  Admin(nl_db.dsn(), {"migrate"});
  Admin(nl_db.dsn(), {"partner", "add", "vr21"});
  Admin(nl_db.dsn(), {"partner", "add", "lcms"});
  const auto push_token = IssueToken(nl_db.dsn(), "vr21", "push");
  const auto reader = IssueToken(nl_db.dsn(), "lcms", "read");
  Vikd nl(nl_db.dsn(), {"--role", "national", "--set", "auth.refresh_interval=200ms", "--set", "peer.vr21.push=true",
                        "--set", "peer.vr21.region=VR21"});
  auto nl_status = [&] {
    const auto r =
        HttpCall(nl.http_port(), "GET", "/v1/national/status", "", {{"Authorization", "Bearer " + reader.secret}});
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  };
  REQUIRE(WaitUntil(
      [&] {
        return HttpCall(nl.http_port(), "GET", "/v1/national/status", "",
                        {{"Authorization", "Bearer " + reader.secret}})
                   .status == 200;
      },
      std::chrono::seconds(15)));
  auto stub =
      vik::v1::ExchangeService::NewStub(grpc::CreateChannel(nl.grpc_target(), grpc::InsecureChannelCredentials()));
  auto push = [&](const vik::v1::PushChangesRequest& request, vik::v1::PushChangesResponse* answer) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + push_token.secret);
    return stub->PushChanges(&ctx, request, answer);
  };

  // A snapshot that claims region VR05.
  vik::v1::PushChangesRequest claim;
  claim.mutable_snapshot()->mutable_status()->set_region("VR05");
  claim.mutable_snapshot()->set_cursor("5.0");
  vik::v1::PushChangesResponse answer;
  grpc::Status s = push(claim, &answer);
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(s.error_message() ==
        "the peer's snapshot: status.region is \"VR05\", but the peer speaks only for its own "
        "region VR21");
  json refused = nl_status();
  CHECK(refused["regions"][0]["region"] == "");
  // Recorded as the peer's error: the national status shows why nothing arrives.
  CHECK(
      refused["regions"][0]["freshness"]["lastError"] ==
      "PushChanges: the peer's snapshot: status.region is \"VR05\", but the peer speaks only for its own region VR21");
  CHECK(refused["regions"][0]["freshness"]["stale"].get<bool>());

  // Its own region's snapshot is taken.
  claim.mutable_snapshot()->mutable_status()->set_region("VR21");
  REQUIRE(push(claim, &answer).ok());
  CHECK(answer.cursor() == "5.0");

  // A region state for VR01 in a page.
  vik::v1::PushChangesRequest page;
  page.set_from_cursor("5.0");
  auto* change = page.mutable_page()->add_changes();
  change->set_cursor("6.0");
  change->set_picture("actual");
  change->set_kind("region.state");
  change->set_object("VR01");
  change->mutable_region_state()->set_region("VR01");
  change->mutable_region_state()->set_grip_level("4");
  page.mutable_page()->set_next_cursor("6.0");
  s = push(page, &answer);
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(s.error_message().find("change 1 from the peer: object is \"VR01\"") == 0);
  change->set_object("VR21");
  s = push(page, &answer);
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(s.error_message().find("region_state.region is \"VR01\"") != std::string::npos);

  // Control characters in a text the mirror would give out again.
  change->mutable_region_state()->set_region("VR21");
  change->mutable_region_state()->set_reason("brand\x1b[2J");
  s = push(page, &answer);
  CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(s.error_message() == "change 1 from the peer: region_state.reason contains control character 0x1b at byte 5");
  CHECK(nl_status()["regions"][0]["freshness"]["lastError"] ==
        "PushChanges: change 1 from the peer: region_state.reason contains control character 0x1b at byte 5");

  // Nothing of the refused pushes reached the mirror; the region's own state does.
  json status = nl_status();
  CHECK(status["regions"].size() == 1);
  CHECK(status["regions"][0]["region"] == "VR21");
  CHECK(status["regions"][0]["gripLevel"] == "");
  change->mutable_region_state()->set_reason("brand");
  REQUIRE(push(page, &answer).ok());
  CHECK(answer.cursor() == "6.0");
  status = nl_status();
  CHECK(status["regions"][0]["gripLevel"] == "4");
}

TEST_CASE("A region pushes a burst of 200 signals of 64 KiB completely, in pushes bounded by bytes",
          "[e2e][federation]") {
  const std::string dir = TempDir();
  FreshDatabase nl_db;
  Admin(nl_db.dsn(), {"migrate"});
  Admin(nl_db.dsn(), {"partner", "add", "vr21"});
  Admin(nl_db.dsn(), {"partner", "add", "lcms"});
  const auto push_token = IssueToken(nl_db.dsn(), "vr21", "push");
  const auto reader = IssueToken(nl_db.dsn(), "lcms", "read");
  WriteFile(dir + "/push-token", push_token.secret + "\n");
  const int nl_grpc = vik::testing::FreePort();
  Vikd nl(nl_db.dsn(),
          {"--role", "national", "--grpc", "127.0.0.1:" + std::to_string(nl_grpc), "--set",
           "auth.refresh_interval=200ms", "--set", "peer.vr21.push=true", "--set", "peer.vr21.region=VR21"});
  auto nl_get = [&](const std::string& target) {
    return HttpCall(nl.http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  };
  Region vr21("VR21", "GM0796", dir,
              {"--set", "push.kcr2.endpoint=127.0.0.1:" + std::to_string(nl_grpc), "--set",
               "push.kcr2.token_file=" + dir + "/push-token", "--set", "peers.interval=100ms", "--set",
               "peers.max_backoff=1s"});
  REQUIRE(WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/status");
        return r.status == 200 && json::parse(r.body)["regions"][0]["region"] == "VR21";
      },
      std::chrono::seconds(20)));
  constexpr int kSignals = 200;
  for (int first = 0; first < kSignals; first += 10) {
    json batch = json::array();
    for (int i = first; i < first + 10; ++i) {
      batch.push_back(LargeSignal(vr21.source, "big-" + std::to_string(i), vr21.municipality));
    }
    REQUIRE(vr21.PushSignals(batch));
  }
  std::size_t mirrored = 0;
  WaitUntil(
      [&] {
        const auto r = nl_get("/v1/national/signals?limit=1000&region=VR21");
        mirrored = r.status == 200 ? json::parse(r.body)["signals"].size() : 0;
        return mirrored == static_cast<std::size_t>(kSignals);
      },
      std::chrono::seconds(60));
  INFO("national status: " << nl_get("/v1/national/status").body.substr(0, 2000));
  REQUIRE(mirrored == static_cast<std::size_t>(kSignals));
  json status;
  REQUIRE(WaitUntil(
      [&] {
        status = json::parse(nl_get("/v1/national/status").body);
        return std::stoll(status["regions"][0]["freshness"]["changesApplied"].get<std::string>()) ==
               static_cast<long long>(vr21.FeedLength());
      },
      std::chrono::seconds(30)));
  CHECK_FALSE(status["regions"][0]["freshness"]["stale"].get<bool>());
}
