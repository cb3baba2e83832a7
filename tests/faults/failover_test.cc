// PostgreSQL failover with the real vikd: a primary and a synchronous streaming standby (both real
// servers of the test's own), the primary killed and the standby promoted while a partner's client
// pushes signals over gRPC. vikd, configured with both hosts, must resume writing on the new primary
// on its own, and no signal it acknowledged may be missing there. The measured outage is in
// docs/reliability.md ("PostgreSQL failover").

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "support/admin_setup.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/replicated_postgres.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace {

using vik::testing::Admin;
using vik::testing::QueryValue;
using vik::testing::ReplicatedPostgres;
using vik::testing::RunVikd;
using vik::testing::Vikd;
using vik::testing::WaitUntil;
using vik::v1::IngestService;
using vik::v1::Receipt;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kPartner = "brandweer";
constexpr const char* kSource = "brandweer-vr21";

// How long vikd may take, after the standby was promoted, to acknowledge signals again.
constexpr std::chrono::seconds kResumeBound{20};
// Longest pause between pool connection attempts (server/store/pg_pool.h, PoolOptions::max_backoff).
constexpr std::chrono::seconds kMaxReconnectBackoff{5};

// Migrates, registers partner "brandweer" with source "brandweer-vr21", and returns an ingest token.
std::string SetUpIngest(const std::string& dsn) {
  Admin(dsn, {"migrate"});
  vik::testing::AddPartnerWithSource(dsn, kPartner, kSource);
  return vik::testing::IssueToken(dsn, kPartner, "ingest").secret;
}

vik::v1::Signal MakeSignal(const std::string& external_id) {
  return vik::testing::FireIncidentProto(kSource, external_id, "Brand in woning");
}

std::unique_ptr<IngestService::Stub> Stub(const Vikd& vikd) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return IngestService::NewStub(
      grpc::CreateCustomChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials(), args));
}

struct SubmitReply {
  grpc::Status status;
  vik::v1::SubmitResponse response;
};

SubmitReply Submit(IngestService::Stub& stub, const std::string& token, const std::vector<vik::v1::Signal>& signals,
                   std::chrono::seconds deadline = std::chrono::seconds(10)) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  ctx.AddMetadata("authorization", "Bearer " + token);
  vik::v1::SubmitRequest req;
  for (const auto& s : signals) {
    *req.add_signals() = s;
  }
  SubmitReply reply;
  reply.status = stub.Submit(&ctx, req, &reply.response);
  return reply;
}

// Waits until vikd has loaded `token` (an empty call then fails validation instead of
// authentication). Stores nothing.
void WaitForToken(IngestService::Stub& stub, const std::string& token) {
  grpc::StatusCode last = grpc::StatusCode::OK;
  const bool loaded = WaitUntil(
      [&] {
        last = Submit(stub, token, {}, std::chrono::seconds(2)).status.error_code();
        return last == grpc::StatusCode::INVALID_ARGUMENT;
      },
      std::chrono::seconds(15));
  INFO("last status code of the probe: " << last);
  REQUIRE(loaded);
}

std::string Describe(const Receipt& r) {
  std::string out = "receipt (" + r.source() + ", " + r.external_id() +
                    "): " + vik::v1::ReceiptOutcome_Name(r.outcome()) + " " + r.signal_id();
  if (r.has_error()) {
    out += " [" + r.error().code() + ": " + r.error().message() + "]";
  }
  return out;
}

std::string Describe(const grpc::Status& s) {
  return "gRPC status " + std::to_string(s.error_code()) + ": " + s.error_message();
}

std::string LastLines(const std::string& text, std::size_t n) {
  std::size_t pos = text.size();
  for (std::size_t i = 0; i <= n && pos != std::string::npos && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

long long Ms(SteadyClock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// One Submit call of the client, as it saw it.
struct Attempt {
  vik::v1::Signal signal;
  SteadyClock::time_point started;
  SteadyClock::time_point finished;
  grpc::StatusCode code = grpc::StatusCode::OK;
  bool accepted = false;
  std::string signal_id;  // when accepted
  std::string detail;     // what came back, for messages
};

}  // namespace

TEST_CASE(
    "when the primary dies and its synchronous standby is promoted, vikd resumes writing on the new primary "
    "and every acknowledged signal is there exactly once",
    "[faults][failover][slow]") {
  // The time between the primary's death and the promotion: 0 (promoted at once), and a few seconds
  // as a failure detector (Patroni, an operator) would take, long enough for vikd's reconnect backoff
  // to grow well past its first steps.
  const auto detection_delay = std::chrono::milliseconds(GENERATE(0, 4000));
  INFO("promotion " << detection_delay.count() << " ms after the primary died");
  const auto test_start = SteadyClock::now();
  ReplicatedPostgres pg;
  const auto cluster_ready = SteadyClock::now();
  const std::string token = SetUpIngest(pg.primary_dsn());
  // Both hosts, primary first; vikd adds target_session_attrs=read-write, so libpq skips the standby
  // (read-only) until it is promoted.
  Vikd vikd(pg.multi_host_dsn(), {"--set", "auth.refresh_interval=200ms", "--set", "db.connect_timeout=2s"});
  auto stub = Stub(vikd);
  WaitForToken(*stub, token);

  std::mutex mu;
  std::vector<Attempt> attempts;
  std::atomic<bool> stop{false};
  std::atomic<int> accepted_count{0};
  std::atomic<int> failed_count{0};
  // Set by the main thread once the primary is dead (pg_ctl stop returned); calls started after it
  // cannot have been committed by the old primary.
  std::atomic<SteadyClock::rep> stop_mark{SteadyClock::time_point::max().time_since_epoch().count()};
  std::atomic<int> accepted_after_stop{0};

  // Stops and joins the client however the test ends.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) {
        thread.join();
      }
    }
  };
  std::thread client([&] {
    auto own = Stub(vikd);
    for (int i = 0; !stop; ++i) {
      Attempt a;
      a.signal = MakeSignal("failover-" + std::to_string(i));
      a.started = SteadyClock::now();
      auto reply = Submit(*own, token, {a.signal}, std::chrono::seconds(5));
      a.finished = SteadyClock::now();
      a.code = reply.status.error_code();
      if (!reply.status.ok()) {
        a.detail = Describe(reply.status);
      } else if (reply.response.receipts_size() != 1) {
        a.detail = std::to_string(reply.response.receipts_size()) + " receipts";
      } else {
        const Receipt& r = reply.response.receipts(0);
        a.detail = Describe(r);
        a.accepted = r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED;
        a.signal_id = r.signal_id();
      }
      const bool accepted = a.accepted;
      const bool after_stop = a.started.time_since_epoch().count() >= stop_mark.load();
      {
        std::lock_guard lock(mu);
        attempts.push_back(std::move(a));
      }
      if (accepted) {
        ++accepted_count;
        accepted_after_stop += after_stop ? 1 : 0;
      } else {
        ++failed_count;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the client's back-off
      }
    }
  });
  Joiner joiner{stop, client};
  auto stop_client = [&] {
    stop = true;
    client.join();
  };

  // About 1.5 s of successful writes on the original primary.
  const auto client_start = SteadyClock::now();
  const bool flowing = WaitUntil([&] { return accepted_count >= 20; }, std::chrono::seconds(15));
  if (!flowing) {
    stop_client();
    FAIL("signals were not accepted before the failover; vikd stderr (tail):\n"
         << LastLines(vikd.process().Stderr(), 20));
  }
  std::this_thread::sleep_for(
      std::max(SteadyClock::duration::zero(), client_start + std::chrono::milliseconds(1500) - SteadyClock::now()));
  REQUIRE(failed_count == 0);
  const std::string replication_before = pg.ReplicationState();

  const auto t_stop = SteadyClock::now();
  pg.StopPrimary();
  const auto t_stopped = SteadyClock::now();
  stop_mark = t_stopped.time_since_epoch().count();
  std::this_thread::sleep_for(detection_delay);
  pg.Promote();
  const auto t_promoted = SteadyClock::now();

  // Resumed: a steady flow of acknowledgements for calls made after the primary died.
  const bool resumed = WaitUntil([&] { return accepted_after_stop >= 20; },
                                 std::chrono::duration_cast<std::chrono::milliseconds>(kResumeBound));
  stop_client();
  const auto t_end = SteadyClock::now();

  // What the client saw.
  // The client makes one call at a time, so the longest time between two consecutive ACCEPTED
  // replies is the write outage it saw.
  std::optional<SteadyClock::time_point> previous_ack, first_ack_after;
  SteadyClock::duration longest_gap{0};
  std::map<std::string, const Attempt*> acked;  // external id -> attempt
  std::vector<const Attempt*> not_acked;        // whole-call failures: retried below
  std::vector<std::string> unexpected;          // anything but ACCEPTED, UNAVAILABLE or UNKNOWN
  std::map<grpc::StatusCode, int> failures;
  for (const Attempt& a : attempts) {
    if (a.accepted) {
      acked[a.signal.external_id()] = &a;
      if (previous_ack) {
        longest_gap = std::max(longest_gap, a.finished - *previous_ack);
      }
      previous_ack = a.finished;
      if (a.started >= t_stopped && !first_ack_after) {
        first_ack_after = a.finished;
      }
      continue;
    }
    if (a.code == grpc::StatusCode::OK) {
      unexpected.push_back(a.signal.external_id() + ": " + a.detail);
      continue;
    }
    ++failures[a.code];
    not_acked.push_back(&a);
    // UNAVAILABLE: no database to write to (nothing acknowledged). UNKNOWN: a COMMIT cut off by the
    // crash (in doubt, never acknowledged). Both are retried with the same key.
    if (a.code != grpc::StatusCode::UNAVAILABLE && a.code != grpc::StatusCode::UNKNOWN) {
      unexpected.push_back(a.signal.external_id() + ": " + a.detail);
    }
  }
  std::string failure_counts;
  for (const auto& [code, n] : failures) {
    failure_counts += " code " + std::to_string(code) + " x" + std::to_string(n);
  }
  std::ostringstream timeline;
  timeline << "failover timeline (detection delay " << detection_delay.count() << " ms): cluster set up in "
           << Ms(cluster_ready - test_start) << " ms; pg_ctl stop -m immediate took " << Ms(t_stopped - t_stop)
           << " ms; promotion done " << Ms(t_promoted - t_stopped)
           << " ms after that (delay + pg_ctl promote -w + pg_is_in_recovery() = false); ";
  if (first_ack_after) {
    // Negative when the server took writes before pg_ctl promote -w (which polls every 100 ms) returned.
    timeline << "first ACCEPTED for a call made after the primary was gone: " << Ms(*first_ack_after - t_promoted)
             << " ms after the test saw the promotion, " << Ms(*first_ack_after - t_stop)
             << " ms after the kill began; longest time between two ACCEPTED replies (the client's write outage): "
             << Ms(longest_gap) << " ms";
  } else {
    timeline << "no ACCEPTED for a call made after the kill within " << kResumeBound.count() << " s of the promotion";
  }
  timeline << ". " << attempts.size() << " calls, " << acked.size()
           << " ACCEPTED, failed:" << (failure_counts.empty() ? " none" : failure_counts) << ".";
  WARN(timeline.str());
  INFO(timeline.str());
  INFO("replication before the failover: " << replication_before);
  INFO("vikd stderr (tail):\n" << LastLines(vikd.process().Stderr(), 25));

  CHECK(resumed);
  // Once the new primary takes writes, vikd needs at most one reconnect backoff step (plus the call).
  if (first_ack_after) {
    CHECK(*first_ack_after - t_promoted <= kMaxReconnectBackoff + std::chrono::seconds(2));
  }
  CHECK(vikd.process().running());
  CHECK(failures[grpc::StatusCode::UNAVAILABLE] > 0);  // the failover was noticed at all
  INFO("unexpected answers: " << unexpected.size() << (unexpected.empty() ? "" : "; first: " + unexpected.front()));
  CHECK(unexpected.empty());
  CHECK(acked.size() >= 40);

  // Every acknowledged signal is on the new primary, once, under the id the client was given.
  const std::string new_primary = pg.replica_dsn();
  CHECK(QueryValue(new_primary, "SELECT pg_is_in_recovery()") == "f");
  CHECK(QueryValue(new_primary,
                   "SELECT count(*) FROM (SELECT 1 FROM signals GROUP BY source, external_id "
                   "HAVING count(*) > 1) d") == "0");
  std::map<std::string, std::string> stored;  // external id -> id
  {
    std::stringstream rows(QueryValue(new_primary,
                                      "SELECT string_agg(external_id || '=' || id, ' ') FROM signals "
                                      "WHERE source = '" +
                                          std::string(kSource) + "'"));
    for (std::string row; rows >> row;) {
      const auto eq = row.find('=');
      stored[row.substr(0, eq)] = row.substr(eq + 1);
    }
  }
  int lost = 0;
  std::string first_lost;
  for (const auto& [ext, a] : acked) {
    auto it = stored.find(ext);
    if (it == stored.end() || it->second != a->signal_id) {
      if (lost++ == 0) {
        first_lost = ext + " acknowledged as " + a->signal_id + " (call started " +
                     std::to_string(Ms(a->started - t_stop)) + " ms after the kill began), stored as " +
                     (it == stored.end() ? std::string("nothing") : it->second);
      }
    }
  }
  INFO(acked.size() << " acknowledged, " << stored.size() << " stored; lost " << lost
                    << "; first lost: " << first_lost);
  CHECK(lost == 0);

  // A retry with the same bytes is safe: ACCEPTED if the failed call stored nothing, DUPLICATE with the
  // stored id if it did (an in-doubt commit that made it to the standby); never a conflict.
  int retried_wrong = 0;
  int stored_unknown = 0;
  int stored_unavailable = 0;
  std::string first_wrong;
  for (const Attempt* a : not_acked) {
    const auto it = stored.find(a->signal.external_id());
    const bool stored_before = it != stored.end();
    if (stored_before) {
      (a->code == grpc::StatusCode::UNKNOWN ? stored_unknown : stored_unavailable) += 1;
    }
    auto reply = Submit(*stub, token, {a->signal});
    const bool fine = reply.status.ok() && reply.response.receipts_size() == 1 &&
                      reply.response.receipts(0).outcome() ==
                          (stored_before ? vik::v1::RECEIPT_OUTCOME_DUPLICATE : vik::v1::RECEIPT_OUTCOME_ACCEPTED) &&
                      (!stored_before || reply.response.receipts(0).signal_id() == it->second);
    if (!fine && retried_wrong++ == 0) {
      first_wrong = a->signal.external_id() + " (first answer: " + a->detail + (stored_before ? "; stored" : "") +
                    "): " +
                    (reply.status.ok() && reply.response.receipts_size() == 1 ? Describe(reply.response.receipts(0))
                                                                              : Describe(reply.status));
    }
  }
  WARN(not_acked.size() << " failed calls retried after the failover; of those, stored before the retry: "
                        << stored_unknown << " answered UNKNOWN (in doubt), " << stored_unavailable
                        << " answered UNAVAILABLE. Test ran " << Ms(t_end - test_start) << " ms up to the checks.");
  INFO(not_acked.size() << " retried; " << retried_wrong << " wrong; first wrong answer: " << first_wrong);
  CHECK(retried_wrong == 0);
  CHECK(QueryValue(new_primary, "SELECT count(*) FROM signals WHERE external_id LIKE 'failover-%'") ==
        std::to_string(acked.size() + not_acked.size()));
}

// A backend waiting in COMMIT for the synchronous standby that gets a query cancel (pg_cancel_backend,
// a "kill long queries" job, a pooler's cancel) stops waiting and COMMIT returns success, with only a
// WARNING "canceling wait for synchronous replication due to user request ... The transaction has
// already committed locally, but might not have been replicated to the standby". The store's pool
// watches for that warning (store/pg_pool.h SyncRepWatch) and answers UNKNOWN: never acknowledged.
// (vikd's own statement_timeout does not cause this: PostgreSQL disarms it before the commit's wait.)
TEST_CASE("a commit whose wait for the synchronous standby is cancelled is never acknowledged", "[faults][slow]") {
  ReplicatedPostgres pg;
  const std::string token = SetUpIngest(pg.primary_dsn());
  Vikd vikd(pg.multi_host_dsn(), {"--set", "auth.refresh_interval=200ms"});
  auto stub = Stub(vikd);
  WaitForToken(*stub, token);
  auto before = Submit(*stub, token, {MakeSignal("sync-0")});
  INFO(Describe(before.status));
  REQUIRE(before.status.ok());
  REQUIRE(before.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);

  // Without its standby the primary keeps every COMMIT waiting; cancel the waits until the call ends.
  pg.StopReplica();
  SubmitReply during;
  std::atomic<bool> answered{false};
  std::thread call([&] {
    during = Submit(*stub, token, {MakeSignal("sync-1")}, std::chrono::seconds(20));
    answered = true;
  });
  int cancelled = 0;
  WaitUntil(
      [&] {
        cancelled += std::atoi(QueryValue(pg.primary_dsn(),
                                          "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity "
                                          "WHERE wait_event = 'SyncRep' AND application_name LIKE 'vikd/%'")
                                   .c_str());
        return answered.load();
      },
      std::chrono::seconds(15));
  call.join();
  const std::string answer = during.status.ok() && during.response.receipts_size() == 1
                                 ? Describe(during.response.receipts(0))
                                 : Describe(during.status);
  const bool acked = during.status.ok() && during.response.receipts_size() == 1 &&
                     during.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED;

  // The primary fails; the standby, which never received sync-1, is promoted.
  pg.StopPrimary();
  pg.StartReplica();
  pg.Promote();
  const std::string stored = QueryValue(pg.replica_dsn(), "SELECT count(*) FROM signals WHERE external_id = 'sync-1'");
  INFO(cancelled << " COMMIT wait(s) cancelled; sync-1 was answered " << answer << "; rows of sync-1 on the promoted "
                 << "standby: " << stored);
  CHECK(QueryValue(pg.replica_dsn(), "SELECT count(*) FROM signals WHERE external_id = 'sync-0'") == "1");
  CHECK(cancelled > 0);
  CHECK_FALSE((acked && stored == "0"));
}
