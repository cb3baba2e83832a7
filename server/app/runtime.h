#pragma once

// app::Runtime owns every thread of a serving vikd: the Asio io_context threads (HTTP, the timers
// of the periodic jobs, signals), the read API's blocking pool for database calls, the lease thread
// (cluster::LeaseLoop), the jobs pool (the steps of the periodic jobs), the CAP and webhook pools,
// the ingest writers, and the gRPC server (whose completion threads gRPC manages internally).
// It wires the modules together (StartUp, each module handed its own section of Config), runs
// every repeating duty as one named periodic job (runtime_jobs.cc), and performs the ordered
// shutdown on SIGTERM/SIGINT:
//   1. every periodic job is asked to stop (no step starts again; steps in flight see keep_going
//      turn false); readiness -> not ready; the lease loop ends and the lease is released
//   2. gRPC health -> NOT_SERVING; systemd STOPPING=1; listeners stop accepting
//   3. requests in flight finish until runtime.drain_timeout, then the rest is cancelled
//   4. the ingest writers commit what is queued and end; the peer mirror and pusher stop
//   5. the jobs' timers are cancelled, the io threads joined, the CAP, read and jobs pools drained
//      and joined (a step in flight ends here), the webhook pool; idle database connections are
//      closed; exit code 0.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <prometheus/registry.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/asio_job_executor.h"
#include "app/config.h"
#include "app/process_metrics.h"
#include "auth/authenticator.h"
#include "cluster/leader_job.h"
#include "cluster/leader_lease.h"
#include "cluster/lease_loop.h"
#include "core/blocking_pool.h"
#include "core/periodic_job.h"
#include "core/readiness.h"
#include "federation/feed_pusher.h"
#include "federation/peer_mirror.h"
#include "http/router.h"
#include "http/server.h"
#include "ingest/batch_writer.h"
#include "ingest/cap_ingest.h"
#include "ingest/feed_poller.h"
#include "ingest/ingest_metrics.h"
#include "ingest/pipeline.h"
#include "ingest/rate_limiter.h"
#include "picture/picture_keeper.h"
#include "rpc/exchange_service.h"
#include "rpc/grpc_server.h"
#include "rpc/ingest_service.h"
#include "store/store.h"
#include "subscriptions/delivery_job.h"
#include "usecases/national_status.h"
#include "wire/picture_mapping.h"

namespace vik::app {

class Runtime {
 public:
  explicit Runtime(Config config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Serves until SIGTERM/SIGINT. Returns the process exit code (0 after a clean shutdown).
  int Serve();

 private:
  core::Status StartUp();
  void RegisterRuntimeMetrics();
  core::Status OpenStore();
  void StartPools();
  void CreateIngest();
  void CreateLeaderDuties();
  void CreateExchange();
  void AddRoutes();
  core::Status StartListeners();
  bool has_management() const { return !config_.management.host.empty(); }
  std::size_t max_message_bytes() const { return static_cast<std::size_t>(config_.grpc.max_message_bytes); }
  // The named periodic jobs (app/runtime_jobs.cc): created by StartUp, started by StartJobs in the
  // documented order; each step below runs on the jobs pool, one run at a time.
  void CreateJobs();
  void StartJobs();
  core::Status CheckReadiness();
  core::Status RefreshCredentials();
  core::Status CountLiveInstances();
  core::Status SweepReferences();
  core::Status PruneChanges(const store::Fence& fence);
  core::Status PruneMirror(const store::Fence& fence);
  void RunIoContext();  // an io thread's body
  void WaitForSignal();
  void Shutdown();
  core::Status WritePortsFile() const;

  const Config config_;
  const bool national_;  // role = national: no ingest, no own picture
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ProcessCollector> process_collector_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::ReadinessState> readiness_;
  std::unique_ptr<core::BlockingPool> blocking_;  // the read API's (HTTP routes, gRPC ExchangeService)
  // Lanes of the store (own connections) for all that must not wait behind the read API.
  std::unique_ptr<store::Store> lease_store_;   // one connection, the lease loop's only
  std::unique_ptr<store::Store> jobs_store_;    // the jobs pool's
  std::unique_ptr<store::Store> ingest_store_;  // the group-commit writers'
  std::unique_ptr<store::Store> cap_store_;     // the CAP pool's and the feed poller's documents
  std::unique_ptr<core::BlockingPool> jobs_;    // singleton jobs, readiness, credentials
  std::unique_ptr<core::BlockingPool> cap_pool_;

  core::SystemClock clock_;
  std::unique_ptr<ingest::IngestMetrics> ingest_metrics_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<ingest::RateLimiter> rate_limiter_;
  std::unique_ptr<ingest::BatchWriter> writer_;
  std::unique_ptr<ingest::Pipeline> pipeline_;
  std::unique_ptr<ingest::CapIngest> cap_ingest_;
  std::unique_ptr<rpc::IngestService> ingest_service_;
  std::unique_ptr<rpc::ExchangeService> exchange_service_;
  wire::StatusContext status_context_;
  usecases::NationalSource national_source_;
  std::vector<std::thread> writer_threads_;

  std::unique_ptr<cluster::ClusterMetrics> cluster_metrics_;
  std::unique_ptr<cluster::LeaderLease> lease_;
  std::unique_ptr<cluster::LeaseLoop> lease_loop_;
  std::thread lease_thread_;
  std::unique_ptr<ingest::FeedPoller> feed_poller_;
  std::unique_ptr<picture::PictureMetrics> picture_metrics_;
  std::unique_ptr<picture::PictureKeeper> keeper_;
  std::unique_ptr<federation::MirrorMetrics> mirror_metrics_;
  std::unique_ptr<federation::PeerMirror> mirror_;    // null without pulled peers
  std::unique_ptr<federation::FeedPusher> pusher_;    // null without push targets
  std::unique_ptr<core::BlockingPool> webhook_pool_;  // webhook POSTs of the delivery job
  std::unique_ptr<subscriptions::DeliveryMetrics> delivery_metrics_;
  std::unique_ptr<subscriptions::DeliveryJob> delivery_job_;

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::signal_set signals_;
  std::vector<std::thread> io_threads_;
  // Timers of the periodic jobs on the io threads; steps on the jobs pool, or inline on the io
  // thread (the watchdog). After ioc_, before nothing that the jobs use: destroyed before ioc_.
  std::unique_ptr<AsioJobExecutor> jobs_executor_;
  std::unique_ptr<AsioJobExecutor> io_executor_;
  std::vector<std::unique_ptr<core::PeriodicJob>> periodic_jobs_;  // owners
  std::vector<std::unique_ptr<cluster::LeaderJob>> leader_jobs_;   // owners
  std::vector<core::PeriodicJob*> jobs_in_order_;                  // every job, in start order

  std::shared_ptr<http::HttpMetrics> http_metrics_;
  http::Router router_;
  std::unique_ptr<http::Server> http_;
  // http.management: probes with detail and /metrics, apart from the partner-facing listener.
  http::Router management_router_;
  std::unique_ptr<http::Server> management_http_;
  std::string last_readiness_error_;  // logged when it changes
  std::string advertised_http_;       // HOST:PORT registered for this instance (cluster routes)
  std::string advertised_grpc_;
  std::unique_ptr<rpc::GrpcServer> grpc_;

  std::atomic<bool> stopping_{false};
  bool migrated_ = false;                  // touched only by CheckReadiness (one at a time)
  bool instance_registered_ = false;       // likewise
  bool systemd_ready_sent_ = false;        // likewise
  bool credentials_error_logged_ = false;  // touched only by RefreshCredentials
  bool reference_warning_logged_ = false;  // likewise
  unsigned checks_ = 0;                    // likewise
  std::mutex shutdown_mu_;
  std::condition_variable shutdown_cv_;
  bool shutdown_requested_ = false;
  int signal_number_ = 0;
};

}  // namespace vik::app
