#include "app/runtime.h"

#include <systemd/sd-daemon.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <boost/asio/post.hpp>

#include "app/build_info.h"
#include "app/module_options.h"
#include "core/internal_errors.h"
#include "core/logging.h"
#include "http/cap_routes.h"
#include "http/change_routes.h"
#include "http/change_stream.h"
#include "http/cluster_routes.h"
#include "http/health_routes.h"
#include "http/ingest_routes.h"
#include "http/national_routes.h"
#include "http/picture_routes.h"
#include "http/region_routes.h"
#include "http/signal_routes.h"
#include "http/subscription_routes.h"
#include "metrics/declare.h"
#include "wire/ingest_mapping.h"

namespace vik::app {

namespace {

std::string HostPort(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// The address clients use: a wildcard bind is reached via loopback locally.
std::string ClientHost(const std::string& host) {
  if (host == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (host == "::") {
    return "::1";
  }
  return host;
}

// The address other instances and operators use: a wildcard bind is advertised by host name.
std::string AdvertisedHost(const std::string& host) {
  if (host != "0.0.0.0" && host != "::") {
    return host;
  }
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : ClientHost(host);
}

}  // namespace

Runtime::Runtime(Config config)
    : config_(std::move(config)),
      national_(config_.role == domain::NodeRole::kNational),
      work_(boost::asio::make_work_guard(ioc_)),
      signals_(ioc_) {}

Runtime::~Runtime() {
  if (lease_loop_) {
    lease_loop_->Stop();
  }
  if (lease_thread_.joinable()) {
    lease_thread_.join();
  }
  if (writer_) {
    writer_->Stop();
  }
  for (auto& t : writer_threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : io_threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
}

// Start-up, in this order; any failure ends it (Serve exits 1): metrics, the store (migrating it
// when db.migrate_on_start), the pools and the lanes of the store, ingest, the leader's duties,
// the exchange with peers, the routes, the listeners, the periodic jobs (created, started by
// Serve), the ports file.
core::Status Runtime::StartUp() {
  RegisterRuntimeMetrics();
  if (core::Status s = OpenStore(); !s.ok()) {
    return s;
  }
  StartPools();
  CreateIngest();
  CreateLeaderDuties();
  CreateExchange();
  AddRoutes();
  if (core::Status s = StartListeners(); !s.ok()) {
    return s;
  }
  CreateJobs();
  return WritePortsFile();
}

void Runtime::RegisterRuntimeMetrics() {
  registry_ = std::make_shared<prometheus::Registry>();
  RegisterBuildInfo(*registry_);
  process_collector_ = std::make_shared<ProcessCollector>();
  auto& internal_errors =
      metrics::CounterFamily(*registry_, "vik_internal_errors_total",
                             "Exceptions caught at a catch boundary (answered 500/INTERNAL), by where");
  std::map<core::ErrorBoundary, prometheus::Counter*> internal_error_counters;
  for (core::ErrorBoundary where : core::kAllErrorBoundaries) {
    internal_error_counters[where] = &internal_errors.Add({{"where", std::string(core::ErrorBoundaryName(where))}});
  }
  // The observer keeps the registry (and so the counters) alive for as long as it is installed.
  core::SetInternalErrorObserver(
      [registry = registry_, counters = std::move(internal_error_counters)](core::ErrorBoundary where) {
        if (const auto it = counters.find(where); it != counters.end()) {
          it->second->Increment();
        }
      });
}

core::Status Runtime::OpenStore() {
  store::StoreOptions store_options = config_.store;
  store_options.applied_by = std::string("vikd ") + Version() + " " + config_.node_id;
  store_options.connection.application_name = "vikd/" + config_.node_id;
  auto store = store::Store::Open(store_options, *registry_);
  if (!store.ok()) {
    return store.status();
  }
  store_ = std::move(store).value();
  readiness_ = std::make_unique<core::ReadinessState>(store_->LatestSchemaVersion());
  auto& ready_gauge = metrics::Gauge(
      *registry_, "vik_ready", "1 while this instance is ready (database reachable, schema current, not draining)");
  readiness_->Subscribe([&ready_gauge](bool ready) { ready_gauge.Set(ready ? 1 : 0); });

  if (config_.migrate_on_start) {
    auto applied = store_->Migrate();
    if (applied.ok()) {
      migrated_ = true;
      core::LogInfo(*log_, "schema is current", {{"applied", *applied}, {"version", store_->LatestSchemaVersion()}});
    } else if (applied.status().code() == core::StatusCode::kFailedPrecondition) {
      return applied.status();  // newer database or edited migration: refuse to serve
    } else {
      core::LogWarn(*log_, "cannot migrate yet; serving not-ready and retrying",
                    {{"error", applied.status().message()}});
    }
  }
  return core::Status::Ok();
}

void Runtime::StartPools() {
  blocking_ = std::make_unique<core::BlockingPool>("vik-blocking", ReadPoolOptions(config_));
  auto& refusals = metrics::CounterFamily(
      *registry_, "vik_blocking_refused_total",
      "Tasks the read API's blocking pool refused or shed (answered 429/RESOURCE_EXHAUSTED), by reason");
  std::map<core::PoolRefusal, prometheus::Counter*> refusal_counters;
  for (core::PoolRefusal r : core::kAllPoolRefusals) {
    refusal_counters[r] = &refusals.Add({{"reason", core::PoolRefusalName(r)}});
  }
  blocking_->SetRefusalObserver([counters = std::move(refusal_counters)](core::PoolRefusal r) {
    if (const auto it = counters.find(r); it != counters.end()) {
      it->second->Increment();
    }
  });
  blocking_->Start();
  // Everything that is not a partner's read has threads and connections of its own (lanes of the
  // same database, store::Store::OpenLane), so that a read flood can fill the API's pool without
  // delaying it: the lease (its own thread, cluster::LeaseLoop, and one connection), the singleton
  // jobs, readiness and credential refreshes (the jobs pool), ingest's group commits, CAP documents.
  lease_store_ = store_->OpenLane("lease", 1, std::chrono::milliseconds(500));
  jobs_store_ = store_->OpenLane("jobs", config_.runtime.job_workers, config_.store.acquire_timeout);
  ingest_store_ = store_->OpenLane("ingest", config_.ingest.writers, config_.store.acquire_timeout);
  cap_store_ = store_->OpenLane("cap", config_.cap.workers + 1, config_.store.acquire_timeout);
  jobs_ = std::make_unique<core::BlockingPool>("vik-jobs", config_.runtime.job_workers, 64);
  jobs_->Start();
  // CAP documents (parse, validate, map, store), the CAP read routes and feed rounds get their own
  // bounded pool, so a burst of large documents can never delay the lease round or readiness.
  cap_pool_ = std::make_unique<core::BlockingPool>("vik-cap", config_.cap.workers, config_.cap.queue);
  cap_pool_->Start();
  // Webhook deliveries (leader only): POSTs run on their own small pool, so a slow receiver never
  // occupies a database thread.
  webhook_pool_ = std::make_unique<core::BlockingPool>("vik-webhook", config_.subscriptions.concurrency, 256);
  webhook_pool_->Start();
}

// Ingest: authenticator, rate limiter, group-commit writers, pipeline, CAP documents.
void Runtime::CreateIngest() {
  ingest_metrics_ = std::make_unique<ingest::IngestMetrics>(*registry_);
  auth_ = std::make_unique<auth::Authenticator>(*jobs_store_);
  rate_limiter_ = std::make_unique<ingest::RateLimiter>(config_.ingest.rate_limit, config_.ingest.rate_burst, clock_);
  writer_ =
      std::make_unique<ingest::BatchWriter>(*ingest_store_, config_.ingest.writer, config_.node_id, *ingest_metrics_);
  for (std::size_t i = 0; i < config_.ingest.writers; ++i) {
    writer_threads_.emplace_back([this] { writer_->Run(); });
    pthread_setname_np(writer_threads_.back().native_handle(), "vik-writer");
  }
  pipeline_ = std::make_unique<ingest::Pipeline>(PipelineOptionsOf(config_), *auth_, *rate_limiter_, *writer_, clock_,
                                                 *ingest_metrics_);
  cap_ingest_ = std::make_unique<ingest::CapIngest>(CapIngestOptionsOf(config_), *auth_, *rate_limiter_, *cap_pool_,
                                                    *cap_store_, *pipeline_, clock_, *ingest_metrics_,
                                                    wire::CanonicalPayloadOf, config_.node_id);
  ingest_service_ = std::make_unique<rpc::IngestService>(*pipeline_, *cap_ingest_, *auth_, config_.ingest.stream_window,
                                                         config_.streams);
}

// The lease and what only the leader does with it: feed polls, the picture, webhook deliveries.
void Runtime::CreateLeaderDuties() {
  cluster_metrics_ = std::make_unique<cluster::ClusterMetrics>(*registry_);
  lease_ = std::make_unique<cluster::LeaderLease>(*lease_store_, config_.cluster, config_.node_id, clock_,
                                                  *cluster_metrics_);
  feed_poller_ = std::make_unique<ingest::FeedPoller>(FeedPollerOptionsOf(config_), *jobs_store_, *cap_ingest_,
                                                      *registry_, config_.node_id);
  picture_metrics_ = std::make_unique<picture::PictureMetrics>(*registry_);
  picture::KeeperOptions keeper_options;
  keeper_options.node_id = config_.node_id;
  keeper_ = std::make_unique<picture::PictureKeeper>(*jobs_store_, clock_, keeper_options,
                                                     core::ModuleLogger("picture"), *picture_metrics_);
  delivery_metrics_ = std::make_unique<subscriptions::DeliveryMetrics>(*registry_);
  delivery_job_ =
      std::make_unique<subscriptions::DeliveryJob>(*jobs_store_, *webhook_pool_, clock_, DeliveryOptionsOf(config_),
                                                   core::ModuleLogger("subscriptions"), *delivery_metrics_);
}

// Region to region: the peers this node mirrors, the nodes it pushes to, and the gRPC exchange.
void Runtime::CreateExchange() {
  status_context_ = {config_.region, config_.node_id, lease_->options().name, std::chrono::seconds(30)};
  national_source_ = {
      {config_.role, national_ ? std::string() : config_.region, config_.peers.stale_after}, status_context_, {}};
  const federation::LoopTiming timing = PeerTimingOf(config_);
  rpc::ExchangeOptions exchange_options;
  exchange_options.own_region = national_ ? std::string() : config_.region;
  exchange_options.watch_limits = config_.streams;
  exchange_options.max_message_bytes = max_message_bytes();
  std::vector<federation::PeerConfig> pulled;
  for (const auto& p : config_.peers.list) {
    national_source_.peers.push_back(p.name);
    if (p.push) {
      exchange_options.push_peers.emplace(p.name, p.region);
    } else {
      pulled.push_back({p.name, p.endpoint, p.token, p.tls, p.region});
    }
  }
  if (!config_.peers.list.empty() || !config_.peers.push_targets.empty()) {
    mirror_metrics_ = std::make_unique<federation::MirrorMetrics>(*registry_);
  }
  auto fence_source = [this] { return lease_->fence(); };
  if (!pulled.empty()) {
    federation::MirrorOptions mirror_options;
    mirror_options.timing = timing;
    mirror_options.page = static_cast<int>(config_.peers.page);
    mirror_options.own_region = exchange_options.own_region;
    mirror_options.status_interval = PeerStatusInterval(config_);
    mirror_ = std::make_unique<federation::PeerMirror>(
        std::move(pulled), mirror_options, *jobs_store_, *jobs_, ioc_, fence_source,
        [this](const char* what) { lease_->OnFenced(what); }, *mirror_metrics_, core::ModuleLogger("mirror"));
  }
  if (!config_.peers.push_targets.empty()) {
    std::vector<federation::PeerConfig> targets;
    for (const auto& p : config_.peers.push_targets) {
      targets.push_back({p.name, p.endpoint, p.token, p.tls, ""});
    }
    federation::PushOptions push_options;
    push_options.timing = timing;
    push_options.max_message_bytes = max_message_bytes();
    push_options.heartbeat = PeerStatusInterval(config_);
    push_options.status = status_context_;
    pusher_ = std::make_unique<federation::FeedPusher>(std::move(targets), push_options, *jobs_store_, *jobs_, ioc_,
                                                       fence_source, *mirror_metrics_, core::ModuleLogger("push"));
  }
  exchange_service_ = std::make_unique<rpc::ExchangeService>(*store_, *auth_, *blocking_, status_context_,
                                                             exchange_options, national_source_);
}

void Runtime::AddRoutes() {
  http_metrics_ = std::make_shared<http::HttpMetrics>(*registry_);
  auto registry = registry_;
  auto process = process_collector_;
  http::MetricsCollector collect = [registry, process] {
    auto families = registry->Collect();
    auto more = process->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    return families;
  };
  // With a management listener, /metrics and the readiness detail live there only.
  http::AddProbeRoutes(router_, *readiness_, /*detailed=*/false);
  if (has_management()) {
    http::AddProbeRoutes(management_router_, *readiness_, /*detailed=*/true);
    http::AddMetricsRoute(management_router_, collect);
  } else {
    http::AddMetricsRoute(router_, collect);
  }
  // A national node has no region of its own: no ingest, no own picture, no region state, no feed.
  if (!national_) {
    http::AddIngestRoutes(router_, *pipeline_, *auth_);
    http::AddSignalRoutes(router_, {store_.get(), blocking_.get(), auth_.get()});
    http::AddRegionRoutes(router_, {config_.region, store_.get(), blocking_.get(), auth_.get()});
    http::AddPictureRoutes(router_, {status_context_, store_.get(), blocking_.get(), auth_.get()});
    http::AddChangeRoutes(router_, {status_context_, store_.get(), blocking_.get(), auth_.get(), max_message_bytes()});
    http::ChangeStreamContext stream_context;
    stream_context.status = status_context_;
    stream_context.store = store_.get();
    stream_context.blocking = blocking_.get();
    stream_context.auth = auth_.get();
    stream_context.executor = ioc_.get_executor();
    stream_context.limits = config_.streams;
    http::AddChangeStreamRoute(router_, std::move(stream_context));
    http::AddSubscriptionRoutes(
        router_, {store_.get(), blocking_.get(), auth_.get(), config_.subscriptions.delivery.allow_private_destinations,
                  config_.subscriptions.max_per_partner});
    http::AddCapRoutes(router_, {config_.region, cap_ingest_.get(), store_.get(), cap_pool_.get(), auth_.get()});
  }
  http::AddNationalRoutes(router_, {national_source_, store_.get(), blocking_.get(), auth_.get()});
  http::AddClusterRoutes(router_, {config_.node_id, config_.region, store_.get(), lease_.get(), blocking_.get(),
                                   auth_.get(), std::chrono::seconds(30)});
}

core::Status Runtime::StartListeners() {
  http_ = std::make_unique<http::Server>(ioc_, config_.http, router_, http_metrics_);
  if (auto s = http_->Start(); !s.ok()) {
    return s;
  }
  if (has_management()) {
    http::HttpOptions options = config_.http;
    options.host = config_.management.host;
    options.port = config_.management.port;
    management_http_ = std::make_unique<http::Server>(ioc_, options, management_router_, http_metrics_);
    if (auto s = management_http_->Start(); !s.ok()) {
      return core::Status(s.code(), "http.management: " + s.message());
    }
  }
  grpc_ = std::make_unique<rpc::GrpcServer>(config_.grpc, *registry_, *readiness_);
  if (!national_) {
    grpc_->AddService(ingest_service_.get(), vik::v1::IngestService::service_full_name());
  }
  grpc_->AddService(exchange_service_.get(), vik::v1::ExchangeService::service_full_name());
  if (auto s = grpc_->Start(); !s.ok()) {
    return s;
  }
  advertised_http_ = HostPort(AdvertisedHost(config_.http.host), http_->port());
  advertised_grpc_ = HostPort(AdvertisedHost(config_.grpc.host), grpc_->port());
  return core::Status::Ok();
}

core::Status Runtime::WritePortsFile() const {
  if (config_.ports_file.empty()) {
    return core::Status::Ok();
  }
  const std::string tmp = config_.ports_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"http\":" << http_->port() << ",\"grpc\":" << grpc_->port();
    if (management_http_) {
      out << ",\"management\":" << management_http_->port();
    }
    out << "}\n";
    if (!out) {
      return core::Unavailable("ports_file: cannot write \"" + tmp + "\"");
    }
  }
  if (std::rename(tmp.c_str(), config_.ports_file.c_str()) != 0) {
    return core::Unavailable("ports_file: cannot rename \"" + tmp + "\" to \"" + config_.ports_file + "\"");
  }
  return core::Status::Ok();
}

// A handler that throws must not end the io thread (and with it the process): the exception is
// reported and the loop resumes with the next handler.
void Runtime::RunIoContext() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kIoHandler, "io_context");
    }
  }
}

int Runtime::Serve() {
  log_ = core::ModuleLogger("app");
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing a socket must not kill the process
  core::LogInfo(*log_, "starting",
                {{"version", Version()},
                 {"commit", Commit()},
                 {"node_id", config_.node_id},
                 {"region", config_.region},
                 {"db", store::RedactDsn(config_.store.dsn)}});

  // Signals are caught from the start so that a SIGTERM during start-up still stops cleanly.
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  WaitForSignal();
  for (std::size_t i = 0; i < config_.runtime.io_threads; ++i) {
    io_threads_.emplace_back([this] { RunIoContext(); });
    pthread_setname_np(io_threads_.back().native_handle(), "vik-io");
  }

  if (core::Status s = StartUp(); !s.ok()) {
    core::LogError(*log_, "start-up failed", {{"error", s.message()}});
    std::fprintf(stderr, "vikd: %s\n", s.message().c_str());
    if (readiness_) {
      readiness_->SetDraining();
    }
    if (http_) {
      http_->StopAccepting();
    }
    if (management_http_) {
      management_http_->StopAccepting();
    }
    if (grpc_) {
      grpc_->Shutdown(std::chrono::system_clock::now());
    }
    if (cap_pool_) {
      cap_pool_->Stop();
    }
    if (blocking_) {
      blocking_->Stop();
    }
    if (jobs_) {
      jobs_->Stop();
    }
    return 1;
  }

  const std::string http_url = "http://" + HostPort(ClientHost(config_.http.host), http_->port());
  const std::string grpc_addr = HostPort(ClientHost(config_.grpc.host), grpc_->port());
  core::LogInfo(*log_, "listening",
                {{"http", http_url},
                 {"grpc", grpc_addr},
                 {"http_port", static_cast<int>(http_->port())},
                 {"grpc_port", static_cast<int>(grpc_->port())}});
  if (management_http_) {
    core::LogInfo(*log_, "management listener: /healthz, /readyz, /metrics",
                  {{"http", "http://" + HostPort(ClientHost(config_.management.host), management_http_->port())}});
  }
  StartJobs();

  {
    std::unique_lock lock(shutdown_mu_);
    shutdown_cv_.wait(lock, [this] { return shutdown_requested_; });
  }
  Shutdown();
  return 0;
}

void Runtime::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    {
      std::lock_guard lock(shutdown_mu_);
      if (shutdown_requested_) {
        core::LogWarn(*log_, "second signal while draining; still waiting for the drain deadline",
                      {{"signal", signal}});
      }
      shutdown_requested_ = true;
      signal_number_ = signal;
    }
    shutdown_cv_.notify_all();
    WaitForSignal();
  });
}

void Runtime::Shutdown() {
  const auto started = std::chrono::steady_clock::now();
  core::LogInfo(*log_, "shutting down",
                {{"signal", signal_number_},
                 {"drain_timeout_ms", static_cast<std::int64_t>(config_.runtime.drain_timeout.count())}});
  stopping_ = true;
  for (core::PeriodicJob* job : jobs_in_order_) {
    job->RequestStop();  // no step starts from now on; those in flight end early (keep_going)
  }
  readiness_->SetDraining();
  // Singleton work stops at once and the lease is handed over: a follower takes it on its next bid.
  lease_loop_->Stop();
  lease_thread_.join();
  lease_->Release();
  grpc_->BeginShutdown();
  sd_notify(0, "STOPPING=1\nSTATUS=draining");
  http_->StopAccepting();

  const auto deadline = std::chrono::steady_clock::now() + config_.runtime.drain_timeout;
  const auto grpc_deadline = std::chrono::system_clock::now() + config_.runtime.drain_timeout;
  std::thread grpc_stopper([this, grpc_deadline] { grpc_->Shutdown(grpc_deadline); });
  std::size_t forced = http_->Drain(deadline);
  if (management_http_) {
    management_http_->StopAccepting();
    forced += management_http_->Drain(deadline);
  }
  grpc_stopper.join();

  // Requests in flight are answered by now; let the writers finish what is queued.
  writer_->Stop();
  for (auto& t : writer_threads_) {
    t.join();
  }
  writer_threads_.clear();

  if (mirror_) {
    mirror_->Stop(std::chrono::seconds(3));  // before the io threads end: followers step on them
  }
  if (pusher_) {
    pusher_->Stop(std::chrono::seconds(3));
  }
  jobs_executor_->Close();
  io_executor_->Close();
  boost::asio::post(ioc_, [this] {
    boost::system::error_code ec;
    signals_.cancel(ec);
  });
  work_.reset();
  for (auto& t : io_threads_) {
    t.join();
  }
  io_threads_.clear();
  cap_pool_->Stop();
  blocking_->Stop();
  jobs_->Stop();
  for (core::PeriodicJob* job : jobs_in_order_) {
    job->Stop();  // the steps have ended with the pools; nothing waits here
  }
  webhook_pool_->Stop();
  for (store::Store* s : {store_.get(), lease_store_.get(), jobs_store_.get(), ingest_store_.get(), cap_store_.get()}) {
    s->CloseIdle();
  }
  core::LogInfo(*log_, "stopped",
                {{"forced_http_connections", static_cast<std::uint64_t>(forced)},
                 {"ms", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      std::chrono::steady_clock::now() - started)
                                                      .count())}});
}

}  // namespace vik::app
