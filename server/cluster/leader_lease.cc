#include "cluster/leader_lease.h"

#include "core/logging.h"
#include "metrics/declare.h"

namespace vik::cluster {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::ModuleLogger("cluster");
  return log;
}

}  // namespace

ClusterMetrics::ClusterMetrics(prometheus::Registry& r)
    : is_leader(metrics::Gauge(r, "vik_cluster_is_leader", "1 while this instance holds the leader lease, else 0")),
      epoch(metrics::Gauge(r, "vik_cluster_lease_epoch",
                           "Epoch of the leader lease term this instance holds or last held")),
      acquired(metrics::Counter(r, "vik_cluster_lease_acquired_total", "Times this instance became leader")),
      lost(metrics::Counter(r, "vik_cluster_lease_lost_total",
                            "Times this instance stopped being leader other than by releasing the lease")),
      fenced_writes(metrics::Counter(r, "vik_cluster_fenced_writes_total",
                                     "Singleton writes refused because the writer no longer held the lease")),
      renew_failures(metrics::Counter(r, "vik_cluster_lease_renew_failures_total",
                                      "Lease renewals that failed because the database could not be reached")),
      instances_live(metrics::Gauge(r, "vik_cluster_instances_live", "Instances seen recently in the shared database")),
      round_seconds(metrics::Histogram(r, "vik_cluster_lease_round_seconds",
                                       "Time one acquire-or-renew round of the leader lease took",
                                       metrics::Buckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})) {}

LeaderLease::LeaderLease(store::LeaseStore& store, LeaseOptions options, std::string node_id, const core::Clock& clock,
                         ClusterMetrics& metrics)
    : store_(store), options_(std::move(options)), node_id_(std::move(node_id)), clock_(clock), metrics_(metrics) {}

bool LeaderLease::IsLeader() const {
  std::lock_guard lock(mu_);
  return leader_ && clock_.Monotonic() < valid_until_;
}

std::optional<store::Fence> LeaderLease::fence() const {
  std::lock_guard lock(mu_);
  if (!leader_ || clock_.Monotonic() >= valid_until_) {
    return std::nullopt;
  }
  return store::Fence{options_.name, node_id_, epoch_};
}

std::int64_t LeaderLease::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void LeaderLease::BecomeLeader(std::int64_t epoch, core::MonoTime started) {
  {
    std::lock_guard lock(mu_);
    leader_ = true;
    epoch_ = epoch;
    valid_until_ = started + options_.ttl - options_.safety_margin;
  }
  metrics_.is_leader.Set(1);
  metrics_.epoch.Set(static_cast<double>(epoch));
  metrics_.acquired.Increment();
  core::LogInfo(*Log(), "became leader", {{"lease", options_.name}, {"epoch", static_cast<std::int64_t>(epoch)}});
}

void LeaderLease::StepDown(const char* why, const std::string& detail) {
  std::int64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    if (!leader_) {
      return;
    }
    leader_ = false;
    epoch = epoch_;
  }
  metrics_.is_leader.Set(0);
  metrics_.lost.Increment();
  core::LogWarn(
      *Log(), "stepped down as leader",
      {{"lease", options_.name}, {"epoch", static_cast<std::int64_t>(epoch)}, {"reason", why}, {"detail", detail}});
}

void LeaderLease::Tick() {
  std::lock_guard round(round_mu_);
  if (released_) {
    return;  // shutting down: never bid again
  }
  const core::MonoTime started = clock_.Monotonic();
  struct RoundTimer {
    ~RoundTimer() { metrics.round_seconds.Observe(std::chrono::duration<double>(clock.Monotonic() - started).count()); }
    ClusterMetrics& metrics;
    const core::Clock& clock;
    core::MonoTime started;
  } timer{metrics_, clock_, started};
  bool leader = false;
  std::int64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    leader = leader_;
    epoch = epoch_;
    if (leader && started >= valid_until_) {
      leader = false;  // the local deadline passed: treat as lost before asking the database
    }
  }
  if (!leader) {
    StepDown("local lease deadline passed without a successful renewal", "");
    auto acquired = store_.AcquireLease(options_.name, node_id_, options_.ttl);
    if (acquired.ok() && acquired->has_value()) {
      BecomeLeader(**acquired, started);
    }
    return;
  }
  auto renewed = store_.RenewLease({options_.name, node_id_, epoch}, options_.ttl);
  if (!renewed.ok()) {
    metrics_.renew_failures.Increment();
    // Still leader until the local deadline; IsLeader() enforces it.
    core::LogWarn(*Log(), "lease renewal failed", {{"error", renewed.status().message()}});
    return;
  }
  if (!*renewed) {
    StepDown("lease expired or taken over", "epoch " + std::to_string(epoch));
    return;
  }
  std::lock_guard lock(mu_);
  if (leader_ && epoch_ == epoch) {
    valid_until_ = started + options_.ttl - options_.safety_margin;
  }
}

void LeaderLease::Release() {
  std::lock_guard round(round_mu_);
  released_ = true;
  std::int64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    if (!leader_) {
      return;
    }
    leader_ = false;
    epoch = epoch_;
  }
  metrics_.is_leader.Set(0);
  core::Status s = store_.ReleaseLease({options_.name, node_id_, epoch});
  core::LogInfo(*Log(), "released the leader lease", {{"epoch", static_cast<std::int64_t>(epoch)}, {"ok", s.ok()}});
}

void LeaderLease::OnFenced(const std::string& what) {
  metrics_.fenced_writes.Increment();
  core::LogWarn(*Log(), "singleton write refused by the fence", {{"write", what}});
  StepDown("a singleton write was fenced", what);
}

}  // namespace vik::cluster
