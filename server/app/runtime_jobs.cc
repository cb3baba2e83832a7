// app::Runtime's periodic jobs: every duty that repeats is one named core::PeriodicJob (or, for the
// leader's singleton duties, a cluster::LeaderJob), its period from the configuration. Timers run
// on the io threads, steps on the jobs pool (the watchdog on the io thread itself).

#include <systemd/sd-daemon.h>

#include <algorithm>

#include "app/build_info.h"
#include "app/runtime.h"
#include "core/logging.h"
#include "store/fence_status.h"

namespace vik::app {

namespace {

core::PeriodicJobOptions Every(std::string name, std::chrono::milliseconds period,
                               std::chrono::milliseconds initial_delay) {
  core::PeriodicJobOptions o;
  o.name = std::move(name);
  o.period = period;
  o.initial_delay = initial_delay;
  return o;
}

// The keeper's and the delivery job's backoff: interval x 2^n after n failed rounds in a row (the
// doubling stops at 2^6), at most 30 s; the first failure of a run is logged, then one in a hundred.
core::PeriodicJobOptions WithBackoff(core::PeriodicJobOptions o, std::string failure_log) {
  o.failure_period = o.period * 2;
  o.max_failure_period = std::chrono::seconds(30);
  o.failure_log = std::move(failure_log);
  return o;
}

}  // namespace

void Runtime::CreateJobs() {
  using std::chrono::milliseconds;
  jobs_executor_ = std::make_unique<AsioJobExecutor>(ioc_, jobs_.get());
  io_executor_ = std::make_unique<AsioJobExecutor>(ioc_, nullptr);
  const cluster::LeaseAccess lease = cluster::LeaseAccessOf(*lease_);
  auto every = [this](core::PeriodicJobOptions o, core::PeriodicJob::Step step) {
    periodic_jobs_.push_back(std::make_unique<core::PeriodicJob>(std::move(o), *jobs_executor_, std::move(step)));
    jobs_in_order_.push_back(periodic_jobs_.back().get());
  };
  auto leader = [this, &lease](cluster::LeaderJobOptions o, cluster::LeaderJob::Step step,
                               cluster::LeaderJob::Idle idle = {}) {
    leader_jobs_.push_back(std::make_unique<cluster::LeaderJob>(std::move(o), *jobs_executor_, lease, std::move(step),
                                                                std::move(idle), log_));
    jobs_in_order_.push_back(&leader_jobs_.back()->job());
  };
  const milliseconds renew = config_.cluster.renew_interval;
  const bool regional = !national_;

  // Every instance: readiness (database, schema, instance registration, systemd READY=1) and the
  // credentials (reference data, tokens and sources), both at once and then every interval.
  every(Every("readiness", config_.runtime.readiness_interval, milliseconds(0)), [this] { return CheckReadiness(); });
  every(Every("credentials refresh", config_.auth.refresh_interval, milliseconds(0)),
        [this] { return RefreshCredentials(); });
  // The leader's housekeeping, once per lease renewal: the sweep of parked references (idempotent,
  // so it needs no fence) and the leader heartbeat (pruning heartbeats older than a day).
  leader({Every("reference sweep", renew, milliseconds(0)), ""},
         [this](const store::Fence&, const cluster::LeaderJob::KeepGoing&) { return SweepReferences(); });
  leader({Every("leader heartbeat", renew, milliseconds(0)), "leader heartbeat"},
         [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing&) {
           return jobs_store_->WriteHeartbeat(fence, std::chrono::hours(24));
         });
  // Every ten renewals, half-way between the instance counts: the change log's retention (and the
  // mirror's, kept as long as the own changes), a bounded batch per run (docs/exchange.md).
  if (config_.changes.retention.count() > 0) {
    leader({Every("change log pruning", renew * 10, renew * 5), "change log pruning"},
           [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing&) { return PruneChanges(fence); });
    if (mirror_) {
      leader({Every("mirror pruning", renew * 10, renew * 5), "mirror pruning"},
             [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing&) { return PruneMirror(fence); });
    }
  }
  // Every instance, every ten renewals: vik_cluster_instances_live.
  every(Every("live instances", renew * 10, milliseconds(0)), [this] { return CountLiveInstances(); });
  // CAP feed polling (leader only): a round may take long (network fetches with their own
  // deadlines); it runs on the jobs pool, so it never delays the lease renewals of the lease thread.
  leader({Every("cap feed poll", config_.feeds.poll_tick, config_.feeds.poll_tick), "cap feed poll"},
         [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing& keep_going) {
           return feed_poller_->Poll(fence, keep_going);
         });
  // The risk picture (docs/risk-model.md §7). A follower's keeper holds nothing: it is reset when
  // a run finds the lease gone. Failures are counted (vik_picture_rounds_total{result="error"}).
  if (config_.picture.enabled && regional) {
    leader(
        {WithBackoff(Every("picture keeper", config_.picture.interval, config_.picture.interval),
                     "picture round failed; retrying"),
         "picture keeper"},
        [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing& keep_going) {
          return keeper_->Round(fence, keep_going);
        },
        [this] {
          if (keeper_->warm()) {
            keeper_->Reset();
          }
        });
  }
  // Webhook deliveries (docs/exchange.md, "Subscriptions").
  if (config_.subscriptions.enabled && regional) {
    leader(
        {WithBackoff(Every("webhook delivery", config_.subscriptions.interval, config_.subscriptions.interval),
                     "webhook delivery round failed; retrying"),
         "webhook delivery"},
        [this](const store::Fence& fence, const cluster::LeaderJob::KeepGoing& keep_going) {
          return delivery_job_->Round(fence, keep_going);
        },
        [this] { delivery_job_->Idle(); });
  }
  // systemd's watchdog is fed from the event loop that serves requests, so a wedged loop is
  // restarted, while a slow database (a readiness check blocking on connect) is not.
  if (std::uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0) {
    const auto period =
        std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(usec / 3)));
    periodic_jobs_.push_back(
        std::make_unique<core::PeriodicJob>(Every("systemd watchdog", period, period), *io_executor_, [] {
          sd_notify(0, "WATCHDOG=1");
          return core::Status::Ok();
        }));
    jobs_in_order_.push_back(periodic_jobs_.back().get());
  }
}

// Start-up order: the lease loop (its own thread), then the jobs in the order CreateJobs made them,
// then the peer mirror and the feed pusher (their own loops on the io threads and the jobs pool).
void Runtime::StartJobs() {
  lease_loop_ = std::make_unique<cluster::LeaseLoop>(*lease_, config_.cluster.renew_interval);
  lease_thread_ = std::thread([this] { lease_loop_->Run(); });
  pthread_setname_np(lease_thread_.native_handle(), "vik-lease");
  for (core::PeriodicJob* job : jobs_in_order_) {
    job->Start();
  }
  if (mirror_) {
    mirror_->Start();
  }
  if (pusher_) {
    pusher_->Start();
  }
}

core::Status Runtime::SweepReferences() {
  // References parked while their target was being stored by a concurrent transaction: applied
  // within a round.
  const auto retention = std::chrono::duration_cast<std::chrono::seconds>(config_.ingest.pending_references_retention);
  auto swept = jobs_store_->SweepPendingReferences(1000, retention);
  if (swept.ok() && *swept > 0) {
    core::LogInfo(*log_, "applied parked references", {{"signals_ended", static_cast<std::uint64_t>(*swept)}});
  }
  return swept.status();
}

core::Status Runtime::PruneChanges(const store::Fence& fence) {
  auto pruned = jobs_store_->PruneChanges(fence, clock_.Now() - config_.changes.retention, 10000);
  if (pruned.ok() && *pruned > 0) {
    core::LogInfo(*log_, "pruned old changes", {{"changes", static_cast<std::uint64_t>(*pruned)}});
  }
  return pruned.status();
}

core::Status Runtime::PruneMirror(const store::Fence& fence) {
  return jobs_store_->PruneMirror(fence, clock_.Now() - config_.changes.retention, 10000).status();
}

core::Status Runtime::CountLiveInstances() {
  auto instances = jobs_store_->ListInstances(std::chrono::seconds(30));
  if (!instances.ok()) {
    return instances.status();
  }
  std::size_t live = 0;
  for (const auto& i : *instances) {
    live += i.live ? 1 : 0;
  }
  cluster_metrics_->instances_live.Set(static_cast<double>(live));
  return core::Status::Ok();
}

core::Status Runtime::RefreshCredentials() {
  // Reference data first: ingest needs it to validate, and it only changes with migrations.
  if (!pipeline_->has_reference_data()) {
    auto reference = jobs_store_->LoadReferenceData(config_.region);
    if (reference.ok() && !reference->municipalities.empty()) {
      core::LogInfo(*log_, "reference data loaded",
                    {{"region", config_.region},
                     {"municipalities", static_cast<std::uint64_t>(reference->municipalities.size())},
                     {"themes", static_cast<std::uint64_t>(reference->themes.size())}});
      pipeline_->SetReferenceData(std::make_shared<const domain::ReferenceData>(std::move(reference).value()));
    } else if (reference.ok() && !reference_warning_logged_) {
      core::LogWarn(*log_, "no municipalities for this region in the reference data; ingest answers UNAVAILABLE",
                    {{"region", config_.region}});
      reference_warning_logged_ = true;
    }
  }
  core::Status s = auth_->Refresh();
  if (!s.ok() && !credentials_error_logged_) {
    core::LogWarn(*log_, "cannot load tokens and sources; keeping the previous copy", {{"error", s.message()}});
    credentials_error_logged_ = true;
  } else if (s.ok()) {
    credentials_error_logged_ = false;
    for (const auto& [source, seconds] : auth_->expected_intervals()) {
      ingest_metrics_->source_expected_interval.Add({{"source", source}}).Set(static_cast<double>(seconds));
    }
  }
  return s;
}

core::Status Runtime::CheckReadiness() {
  ++checks_;
  core::Status s = core::Status::Ok();
  if (config_.migrate_on_start && !migrated_) {
    auto applied = jobs_store_->Migrate();
    if (applied.ok()) {
      migrated_ = true;
      core::LogInfo(*log_, "schema migrated after the database became reachable", {{"applied", *applied}});
    } else {
      s = applied.status();
    }
  }
  if (s.ok()) {
    s = jobs_store_->CheckSchema(/*allow_newer=*/true);
  }
  const bool db_ok = s.code() != core::StatusCode::kUnavailable && s.code() != core::StatusCode::kDeadlineExceeded &&
                     s.code() != core::StatusCode::kResourceExhausted;
  readiness_->Record(db_ok, db_ok ? "" : s.message(), s.ok(), s.ok() ? "" : s.message(),
                     std::chrono::system_clock::now());
  // The partner-facing /readyz gives only a generic reason: the detail is here (once per change).
  if (!s.ok() && s.message() != last_readiness_error_) {
    core::LogWarn(*log_, "readiness check failed", {{"error", s.message()}});
  }
  last_readiness_error_ = s.ok() ? std::string() : s.message();

  // The instance is registered once, then touched every ten checks.
  if (s.ok() && (!instance_registered_ || checks_ % 10 == 0)) {
    core::Status r =
        instance_registered_
            ? jobs_store_->TouchInstance(config_.node_id)
            : jobs_store_->RegisterInstance(
                  {config_.node_id, config_.region, Version(), advertised_http_, advertised_grpc_,
                   std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()});
    if (r.ok()) {
      instance_registered_ = true;
    }
  }

  if (!systemd_ready_sent_) {
    systemd_ready_sent_ = true;
    sd_notify(0, "READY=1\nSTATUS=serving");
  }
  return s;
}

}  // namespace vik::app
