#pragma once

// The leader lease with fencing. Every instance runs Tick() once per renew interval (on a thread and
// a database connection of its own, cluster::LeaseLoop, so that no read load can delay it): a follower tries to take
// the lease (possible only after it expired by the database clock, which increments the epoch); the leader renews it.
// The leader also keeps a local deadline from its own monotonic clock (renew start + TTL - margin): when renewals fail
// (database session killed, network path hanging, process frozen), IsLeader() turns false by that deadline without
// waiting for the database, so singleton work stops before another instance can take over. Singleton writes
// additionally pass the fence (epoch check in their own transaction), so a stale leader never commits one.
// Thread-safety: safe for concurrent use (Tick and Release are serialised internally).

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/clock.h"
#include "store/cluster_records.h"
#include "store/lease_store.h"

namespace vik::cluster {

struct LeaseOptions {
  std::string name = "vik-leader";
  std::chrono::milliseconds ttl{3000};
  std::chrono::milliseconds renew_interval{1000};
  // Subtracted from the TTL for the local deadline, covering clock-rate drift and scheduling.
  std::chrono::milliseconds safety_margin{300};
};

struct ClusterMetrics {
  explicit ClusterMetrics(prometheus::Registry& registry);
  prometheus::Gauge& is_leader;
  prometheus::Gauge& epoch;
  prometheus::Counter& acquired;
  prometheus::Counter& lost;
  prometheus::Counter& fenced_writes;
  prometheus::Counter& renew_failures;
  prometheus::Gauge& instances_live;
  prometheus::Histogram& round_seconds;  // one Tick: the acquire or renew round trip
};

class LeaderLease {
 public:
  LeaderLease(store::LeaseStore& store, LeaseOptions options, std::string node_id, const core::Clock& clock,
              ClusterMetrics& metrics);

  // One acquire-or-renew round. Blocks on the database.
  void Tick();
  // Gives the lease up at once (shutdown), so a follower can take over without waiting for expiry.
  void Release();

  bool IsLeader() const;
  // The fence for a singleton write; nullopt when not leader.
  std::optional<store::Fence> fence() const;
  std::int64_t epoch() const;

  // Counts a singleton write refused by the fence, and steps down (the lease is gone).
  void OnFenced(const std::string& what);

  const LeaseOptions& options() const { return options_; }

 private:
  void BecomeLeader(std::int64_t epoch, core::MonoTime started);
  void StepDown(const char* why, const std::string& detail);

  store::LeaseStore& store_;
  const LeaseOptions options_;
  const std::string node_id_;
  const core::Clock& clock_;
  ClusterMetrics& metrics_;

  // Serialises Tick and Release: a Release during a follower's bid in flight must not return before
  // the bid finished, or a draining process could hold the lease without serving its term.
  std::mutex round_mu_;
  bool released_ = false;  // guarded by round_mu_
  mutable std::mutex mu_;
  bool leader_ = false;
  std::int64_t epoch_ = 0;
  core::MonoTime valid_until_{};
};

}  // namespace vik::cluster
