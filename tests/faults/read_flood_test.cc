// A read flood against two instances (docs/reliability.md, issue 13 row 7): one partner's `read`
// token on many keep-alive connections looping GET /v1/changes?limit=1000 (pages of ~600 KB), for
// 30 s, while another partner ingests signals one unary call at a time. Before the fix the leader's
// renewals waited behind the reads in the blocking pool: it stepped down within seconds, the epoch
// went 1 -> 6 in 35 s, and the reads were all answered 200 after 6-15 s. Now:
// (1) the leader keeps the lease: same leader, same epoch, no lease lost, every heartbeat of the
//     flood in the first term, no gap between heartbeats as long as the lease TTL;
// (2) the flood is refused in part with 429/503 and Retry-After (and answered 200 otherwise);
// (3) the other partner's ingest never stalls: every call is accepted and its p99 is within 3x of
//     the quiet figure measured before the flood (the quiet figure counted as at least kQuietFloor).
//     Before the per-partner quota of the read pool (runtime.blocking_per_partner) and the refusal
//     pause (http.refusal_pause) the p99 measured 104-460 ms against a quiet 7-40 ms: the flood's
//     reads took all eight workers and their database backends, and once refused cheaply its
//     clients looped on the 429s; now ~28 ms against a quiet 4 ms (docs/performance.md).
// The flood's client threads run niced (+10): the attacker's CPU is not the server's to spend, but on
// a 2-core test machine they share it. Figures are printed ("read-flood: ..." lines, ctest -V).

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include "faults/fault_ingest.h"
#include "support/admin_setup.h"
#include "support/cluster_harness.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;
using vik::testing::ClusterHarness;
using vik::testing::FreshDatabase;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kIngestPartner = "brandweer";
constexpr const char* kIngestSource = "brandweer-vr21";
constexpr const char* kReadPartner = "lezer";
constexpr int kSeedSignals = 1000;
constexpr int kFloodConnectionsPerInstance = 64;
constexpr std::chrono::seconds kQuiet{8};
constexpr std::chrono::seconds kFlood{30};
// vikd's default cluster.lease_ttl: a heartbeat gap this long would mean a renewal was starved.
constexpr milliseconds kLeaseTtl{3000};
// The quiet p99 of a unary Submit on loopback can be a few milliseconds; 3x of that is below the
// scheduling noise of a loaded 2-core machine, so the quiet figure counts as at least this much.
constexpr milliseconds kQuietFloor{20};
// Also enforced, beside the 3x goal: no ingest call of the flood phase in the slowest 1% takes a
// second or more (before the fix, another partner's batch stalled for seconds and the lease changed
// hands).
constexpr milliseconds kFloodIngestP99Bound{1000};

void Report(const std::string& line) {
  std::printf("read-flood: %s\n", line.c_str());
  std::fflush(stdout);
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// The ingesting partner: one signal per unary Submit, to the instances in turn, ~50 calls a second.
// Each call's latency is filed under the phase it started in. Thread-safety: safe for concurrent use.
class PacedIngest {
 public:
  enum Phase { kQuietPhase = 0, kFloodPhase = 1, kAfterPhase = 2 };

  PacedIngest(std::vector<std::string> targets, std::string token)
      : targets_(std::move(targets)), token_(std::move(token)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PacedIngest() { Stop(); }
  PacedIngest(const PacedIngest&) = delete;
  PacedIngest& operator=(const PacedIngest&) = delete;

  void SetPhase(Phase p) { phase_ = p; }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  // Latencies (ms) of ACCEPTED calls started in `p`, and the failures of that phase as text.
  std::vector<double> latencies(Phase p) const {
    std::lock_guard lock(mu_);
    return latencies_[p];
  }
  std::vector<std::string> failures(Phase p) const {
    std::lock_guard lock(mu_);
    return failures_[p];
  }

 private:
  void Run() {
    std::vector<std::unique_ptr<vik::v1::IngestService::Stub>> stubs;
    for (const auto& t : targets_) {
      stubs.push_back(vik::faults::IngestStub(t));
    }
    for (std::size_t i = 0; !stop_; ++i) {
      const int phase = phase_;
      const auto started = SteadyClock::now();
      const auto reply = vik::faults::Submit(*stubs[i % stubs.size()], token_,
                                             {vik::faults::FireSignal(kIngestSource, "paced-" + std::to_string(i))},
                                             std::chrono::seconds(10));
      const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
      const bool accepted = reply.status.ok() && reply.response.receipts_size() == 1 &&
                            reply.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED;
      {
        std::lock_guard lock(mu_);
        if (accepted) {
          latencies_[phase].push_back(ms);
        } else {
          failures_[phase].push_back("call " + std::to_string(i) + ": gRPC " +
                                     std::to_string(reply.status.error_code()) + " " + reply.status.error_message());
        }
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  const std::vector<std::string> targets_;
  const std::string token_;
  std::atomic<int> phase_{kQuietPhase};
  mutable std::mutex mu_;
  std::vector<double> latencies_[3];
  std::vector<std::string> failures_[3];
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: started once everything above exists
};

// The reading partner's flood: one thread per keep-alive connection looping GET `target` as fast as
// answers come, reconnecting when the server closes. Counts answers by status, and 429/503 answers
// without Retry-After. Thread-safety: safe for concurrent use.
class ReadFlood {
 public:
  ReadFlood(std::vector<int> ports, int connections_per_port, std::string target, std::string token)
      : target_(std::move(target)), token_(std::move(token)) {
    for (int port : ports) {
      for (int i = 0; i < connections_per_port; ++i) {
        threads_.emplace_back([this, port] { Run(port); });
      }
    }
  }
  ~ReadFlood() { Stop(); }
  ReadFlood(const ReadFlood&) = delete;
  ReadFlood& operator=(const ReadFlood&) = delete;

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }
  std::map<int, long> statuses() const {
    std::lock_guard lock(mu_);
    return statuses_;
  }
  long refused_without_retry_after() const { return no_retry_after_; }
  long connection_errors() const { return connection_errors_; }
  long long body_bytes() const { return body_bytes_; }
  std::vector<double> ok_latencies() const {
    std::lock_guard lock(mu_);
    return ok_ms_;
  }

 private:
  void Run(int port) {
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    boost::asio::io_context ioc;
    while (!stop_) {
      beast::tcp_stream stream(ioc);
      beast::error_code ec;
      stream.expires_after(std::chrono::seconds(30));
      stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
      if (ec) {
        ++connection_errors_;
        std::this_thread::sleep_for(milliseconds(50));
        continue;
      }
      beast::flat_buffer buffer;
      while (!stop_) {
        bhttp::request<bhttp::empty_body> req(bhttp::verb::get, target_, 11);
        req.set(bhttp::field::host, "127.0.0.1");
        req.set(bhttp::field::authorization, "Bearer " + token_);
        req.keep_alive(true);
        const auto started = SteadyClock::now();
        stream.expires_after(std::chrono::seconds(30));
        bhttp::write(stream, req, ec);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        if (!ec) {
          bhttp::read(stream, buffer, parser, ec);
        }
        if (ec) {
          ++connection_errors_;
          break;
        }
        const auto& res = parser.get();
        const int status = res.result_int();
        body_bytes_ += static_cast<long long>(res.body().size());
        if ((status == 429 || status == 503) && res[bhttp::field::retry_after].empty()) {
          ++no_retry_after_;
        }
        {
          std::lock_guard lock(mu_);
          ++statuses_[status];
          if (status == 200) {
            ok_ms_.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count());
          }
        }
        if (!res.keep_alive()) {
          break;
        }
      }
      stream.socket().close(ec);
    }
  }

  const std::string target_;
  const std::string token_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<int, long> statuses_;
  std::vector<double> ok_ms_;
  std::atomic<long> no_retry_after_{0};
  std::atomic<long> connection_errors_{0};
  std::atomic<long long> body_bytes_{0};
  std::vector<std::thread> threads_;  // last
};

// Seeds the change log with `n` signals (batches of 100), so that a page of 1000 changes is big.
void SeedSignals(const std::string& target, const std::string& token, int n) {
  auto stub = vik::faults::IngestStub(target);
  for (int done = 0; done < n; done += 100) {
    std::vector<vik::v1::Signal> batch;
    for (int i = done; i < std::min(n, done + 100); ++i) {
      batch.push_back(vik::faults::FireSignal(kIngestSource, "seed-" + std::to_string(i)));
    }
    const auto reply = vik::faults::Submit(*stub, token, batch, std::chrono::seconds(30));
    INFO("seeding: gRPC " << reply.status.error_code() << " " << reply.status.error_message());
    REQUIRE(reply.status.ok());
  }
}

// The largest gap (ms, database clock) between consecutive heartbeats at or after `from_us`.
long long LargestHeartbeatGapMs(const vik::testing::LeaseHistory& h, std::int64_t from_us) {
  long long gap = 0;
  std::int64_t prev = -1;
  for (const auto& row : h.rows) {
    if (row.at_us < from_us) {
      continue;
    }
    if (prev >= 0) {
      gap = std::max<long long>(gap, (row.at_us - prev) / 1000);
    }
    prev = row.at_us;
  }
  return gap;
}

std::int64_t DatabaseNowUs(const std::string& dsn) {
  return std::stoll(vik::testing::QueryValue(dsn, "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"));
}

}  // namespace

TEST_CASE(
    "a 30 s read flood against two instances is partly refused with 429/503 and Retry-After, while the "
    "leader keeps its lease and another partner's ingest goes on without stalls",
    "[faults][lease][flood]") {
  FreshDatabase db;
  const std::string dsn = db.dsn();
  vik::testing::Admin(dsn, {"migrate"});
  vik::testing::AddPartnerWithSource(dsn, kIngestPartner, kIngestSource);
  vik::testing::AddPartnerWithSource(dsn, kReadPartner, "lezer-feed");
  const std::string ingest_token = vik::testing::IssueToken(dsn, kIngestPartner, "ingest").secret;
  const std::string read_token = vik::testing::IssueToken(dsn, kReadPartner, "read").secret;

  ClusterHarness cluster(dsn, {"flood-a", "flood-b"}, {"--set", "auth.refresh_interval=200ms"});
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    vik::faults::WaitForToken(cluster.vikd(i).grpc_target(), ingest_token);
  }
  SeedSignals(cluster.vikd(0).grpc_target(), ingest_token, kSeedSignals);
  const std::string page = "/v1/changes?limit=1000";
  // The seeded signals' changes are served once they are final (no older transaction still open, e.g.
  // a keeper round that began before the last seed batch committed): wait for the full page.
  auto probe =
      vik::testing::HttpCall(cluster.vikd(1).http_port(), "GET", page, "", {{"Authorization", "Bearer " + read_token}});
  for (int i = 0; i < 100 && probe.status == 200 && probe.body.size() <= 400 * 1024; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    probe = vik::testing::HttpCall(cluster.vikd(1).http_port(), "GET", page, "",
                                   {{"Authorization", "Bearer " + read_token}});
  }
  REQUIRE(probe.status == 200);
  Report("one page of " + page + ": " + std::to_string(probe.body.size() / 1024) + " KiB");
  CHECK(probe.body.size() > 400 * 1024);

  const auto settled = cluster.WaitForSettledLeader(std::chrono::seconds(10), milliseconds(500));
  REQUIRE(settled);
  const std::size_t leader = settled->index;
  const std::size_t follower = cluster.other(leader);
  const auto epoch = cluster.Metric(leader, "vik_cluster_lease_epoch");
  const auto lost_before = cluster.Metric(leader, "vik_cluster_lease_lost_total");
  const auto follower_acquired_before = cluster.Metric(follower, "vik_cluster_lease_acquired_total");
  REQUIRE(epoch);
  REQUIRE(lost_before);
  REQUIRE(follower_acquired_before);

  PacedIngest ingest({cluster.vikd(0).grpc_target(), cluster.vikd(1).grpc_target()}, ingest_token);
  std::this_thread::sleep_for(kQuiet);  // the quiet figure's measuring time, not a wait for a condition

  const std::int64_t flood_from_us = DatabaseNowUs(dsn);
  ingest.SetPhase(PacedIngest::kFloodPhase);
  ReadFlood flood({cluster.vikd(0).http_port(), cluster.vikd(1).http_port()}, kFloodConnectionsPerInstance, page,
                  read_token);
  // Sampled once a second during the flood: does the leader still report leading, with its epoch?
  int samples = 0;
  int samples_not_leading = 0;
  std::string epochs_seen;
  const auto flood_end = SteadyClock::now() + kFlood;
  while (SteadyClock::now() < flood_end) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ++samples;
    const auto e = cluster.Metric(leader, "vik_cluster_lease_epoch");
    const auto l = cluster.Metric(leader, "vik_cluster_is_leader");
    if (!l || *l != 1) {
      ++samples_not_leading;
    }
    const std::string text = e ? std::to_string(static_cast<long long>(*e)) : "?";
    if (epochs_seen.size() < 200 && (epochs_seen.empty() || epochs_seen.substr(epochs_seen.rfind(' ') + 1) != text)) {
      epochs_seen += " " + text;
    }
  }
  flood.Stop();
  ingest.SetPhase(PacedIngest::kAfterPhase);
  std::this_thread::sleep_for(milliseconds(500));  // one more call or so in the after phase
  ingest.Stop();

  // (1) The lease held.
  const auto epoch_after = cluster.Metric(leader, "vik_cluster_lease_epoch");
  const auto lost_after = cluster.Metric(leader, "vik_cluster_lease_lost_total");
  const auto follower_acquired_after = cluster.Metric(follower, "vik_cluster_lease_acquired_total");
  const auto history = vik::testing::ReadLeaseHistory(dsn);
  const long long gap = LargestHeartbeatGapMs(history, flood_from_us);
  const auto still = cluster.Leader();
  INFO("lease history: " << history.Describe());
  INFO(cluster.LogTails());
  INFO("epochs reported by the leader during the flood:" << epochs_seen << "; samples not leading: "
                                                         << samples_not_leading << " of " << samples);
  CHECK(samples_not_leading == 0);
  CHECK(still == std::optional<std::size_t>(leader));
  CHECK(epoch_after == epoch);
  CHECK(lost_after == lost_before);
  CHECK(follower_acquired_after == follower_acquired_before);
  CHECK(history.terms.size() == 1);
  CHECK(vik::testing::LeaseHistoryViolations(history).empty());
  CHECK(gap < kLeaseTtl.count());

  // (2) Refused in part, with Retry-After.
  const auto statuses = flood.statuses();
  long ok = 0;
  long refused = 0;
  long other = 0;
  std::string by_status;
  for (const auto& [status, n] : statuses) {
    by_status += " " + std::to_string(status) + ": " + std::to_string(n) + ";";
    (status == 200 ? ok : (status == 429 || status == 503) ? refused : other) += n;
  }
  const auto ok_ms = flood.ok_latencies();
  Report("flood of " + std::to_string(2 * kFloodConnectionsPerInstance) + " keep-alive connections for " +
         std::to_string(kFlood.count()) + " s: answers by status" + by_status + " " +
         std::to_string(flood.body_bytes() / (1024 * 1024)) + " MiB of bodies; 200 answers p50 " +
         Ms(Percentile(ok_ms, 0.5)) + ", p99 " + Ms(Percentile(ok_ms, 0.99)) + "; connection errors " +
         std::to_string(flood.connection_errors()));
  CHECK(ok > 0);
  CHECK(refused > 0);
  CHECK(other == 0);
  CHECK(flood.refused_without_retry_after() == 0);

  // (3) The other partner's ingest.
  const auto quiet = ingest.latencies(PacedIngest::kQuietPhase);
  const auto flooded = ingest.latencies(PacedIngest::kFloodPhase);
  const double quiet_p99 = Percentile(quiet, 0.99);
  const double flood_p99 = Percentile(flooded, 0.99);
  const double bound = 3 * std::max(quiet_p99, static_cast<double>(kQuietFloor.count()));
  Report("leader " + cluster.node_id(leader) + " kept epoch " + std::to_string(static_cast<long long>(*epoch)) +
         "; largest heartbeat gap during the flood " + std::to_string(gap) + " ms; ingest of another partner: quiet " +
         std::to_string(quiet.size()) + " calls p50 " + Ms(Percentile(quiet, 0.5)) + " p99 " + Ms(quiet_p99) +
         ", flood " + std::to_string(flooded.size()) + " calls p50 " + Ms(Percentile(flooded, 0.5)) + " p99 " +
         Ms(flood_p99) + " (3x goal " + Ms(bound) + (flood_p99 <= bound ? " met" : " missed") + "; enforced bound " +
         Ms(static_cast<double>(kFloodIngestP99Bound.count())) + ")");
  const auto quiet_failures = ingest.failures(PacedIngest::kQuietPhase);
  const auto flood_failures = ingest.failures(PacedIngest::kFloodPhase);
  INFO("ingest failures: quiet " << quiet_failures.size() << ", flood " << flood_failures.size()
                                 << (flood_failures.empty() ? std::string() : "; first: " + flood_failures.front()));
  CHECK(quiet.size() >= 100);
  CHECK(flooded.size() >= 300);
  CHECK(quiet_failures.empty());
  CHECK(flood_failures.empty());
  CHECK(flood_p99 < static_cast<double>(kFloodIngestP99Bound.count()));
  CHECK(flood_p99 <= bound);
}
