#pragma once

// Several vikd instances sharing one database, for tests of the leader lease: which instance leads
// (each instance's GET /metrics, cross-checked with the lease row), how long a takeover takes, and
// the history the leaders left in leader_heartbeats, checked for the fencing properties.
//
// Thread-safety: a ClusterHarness belongs to the test's main thread. ScrapeMetrics, ReadLeaseHistory
// and LeaseHistoryViolations are safe for concurrent use.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/vikd.h"

namespace vik::testing {

// The unlabelled samples of GET /metrics on 127.0.0.1:`http_port`, by name; nullopt when the instance
// does not answer with 200 within `timeout` (dead, frozen, draining).
std::optional<std::map<std::string, double>> ScrapeMetrics(
    int http_port, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

// One row of leader_heartbeats; `at_us` is `at` in microseconds since the Unix epoch (database clock).
struct HeartbeatRow {
  std::int64_t id = 0;
  std::int64_t epoch = 0;
  std::string holder;
  std::int64_t at_us = 0;
};

// The heartbeats of one lease term (one epoch).
struct LeaseTerm {
  std::int64_t epoch = 0;
  std::set<std::string> holders;
  std::int64_t first_at_us = 0;
  std::int64_t last_at_us = 0;
  std::size_t rows = 0;
};

struct LeaseHistory {
  std::vector<HeartbeatRow> rows;  // ordered by (at, id)
  std::vector<LeaseTerm> terms;    // ordered by epoch

  // The term of `epoch`, or nullptr.
  const LeaseTerm* term(std::int64_t epoch) const;
  // One line per term: epoch, holder(s), rows, first and last `at` relative to the first row.
  std::string Describe() const;
};

// Reads every row of leader_heartbeats on `dsn`. Throws on database errors.
LeaseHistory ReadLeaseHistory(const std::string& dsn);

// What is wrong with `history`, one sentence each; empty when the fencing properties hold:
// - in (at, id) order the epoch never decreases;
// - each term has exactly one holder;
// - for consecutive terms e < e', the last heartbeat of e is strictly before the first of e'.
std::vector<std::string> LeaseHistoryViolations(const LeaseHistory& history);

class ClusterHarness {
 public:
  // Starts one `vikd serve` per node id against `dsn` (each with `--node-id ID` and `extra`). The first
  // is started alone and waited for (up to 15 s) until it leads, so it is the first leader; the others
  // follow. Fails the test when an instance does not start or the first never leads.
  ClusterHarness(std::string dsn, std::vector<std::string> node_ids, const std::vector<std::string>& extra);

  std::size_t size() const { return nodes_.size(); }
  Vikd& vikd(std::size_t i) { return *nodes_.at(i).vikd; }
  const std::string& node_id(std::size_t i) const { return nodes_.at(i).id; }
  // The index of the other instance of a pair.
  std::size_t other(std::size_t i) const { return i == 0 ? 1 : 0; }

  // Instances marked unreachable (killed, frozen, terminated) are not scraped: a frozen process would
  // only make every scrape wait for its timeout.
  void SetReachable(std::size_t i, bool reachable) { nodes_.at(i).reachable = reachable; }
  bool reachable(std::size_t i) const { return nodes_.at(i).reachable; }

  // One sample of instance i's /metrics; nullopt when unreachable, not answering, or absent.
  std::optional<double> Metric(std::size_t i, const std::string& name);
  // True when instance i answers and reports vik_cluster_is_leader 1.
  bool ReportsLeader(std::size_t i);

  // The one reachable instance that reports vik_cluster_is_leader 1 while every other reachable
  // instance reports 0, provided the database agrees (the lease row is held by it and unexpired by the
  // database clock); nullopt otherwise.
  std::optional<std::size_t> Leader();

  // Polls until instance i reports vik_cluster_is_leader 1. Returns the time from `since` to the
  // scrape that first saw it, or nullopt when `timeout` passed first.
  std::optional<std::chrono::milliseconds> WaitForLeadership(std::size_t i, std::chrono::steady_clock::time_point since,
                                                             std::chrono::milliseconds timeout);

  struct SettledLeader {
    std::size_t index = 0;
    std::chrono::steady_clock::time_point since;  // first seen in the stretch that proved it stable
  };
  // Waits until Leader() names one instance and keeps naming the same one for `stable`; nullopt when
  // that does not happen within `timeout`.
  std::optional<SettledLeader> WaitForSettledLeader(std::chrono::milliseconds timeout,
                                                    std::chrono::milliseconds stable = std::chrono::milliseconds(1500));

  // The last `lines` lines of each instance's stderr, labelled, for failure messages.
  std::string LogTails(std::size_t lines = 15) const;

 private:
  struct Node {
    std::string id;
    std::unique_ptr<Vikd> vikd;
    bool reachable = true;
  };

  std::string dsn_;
  std::vector<Node> nodes_;
};

}  // namespace vik::testing
