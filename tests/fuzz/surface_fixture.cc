#include "fuzz/surface_fixture.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <prometheus/registry.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "auth/authenticator.h"
#include "auth/tokens.h"
#include "cluster/leader_lease.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/readiness.h"
#include "domain/geometry.h"
#include "http/cap_routes.h"
#include "http/change_routes.h"
#include "http/change_stream.h"
#include "http/cluster_routes.h"
#include "http/health_routes.h"
#include "http/ingest_routes.h"
#include "http/national_routes.h"
#include "http/picture_routes.h"
#include "http/region_routes.h"
#include "http/server.h"
#include "http/signal_routes.h"
#include "http/subscription_routes.h"
#include "ingest/batch_writer.h"
#include "ingest/cap_ingest.h"
#include "ingest/ingest_metrics.h"
#include "ingest/pipeline.h"
#include "ingest/rate_limiter.h"
#include "rpc/exchange_service.h"
#include "rpc/grpc_server.h"
#include "rpc/ingest_service.h"
#include "store/store.h"
#include "wire/ingest_mapping.h"

namespace vik::fuzz {
namespace {

constexpr char kNode[] = "fuzz-node";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "surface fixture: %s\n", what.c_str());
  std::abort();
}

// Everything app::Runtime wires for serving, minus the leader's jobs. Members are never destroyed.
struct Wiring {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  std::vector<std::thread> io_threads;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  core::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<core::ReadinessState> readiness;
  std::unique_ptr<core::BlockingPool> blocking;
  std::unique_ptr<core::BlockingPool> cap_pool;
  std::unique_ptr<ingest::IngestMetrics> ingest_metrics;
  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<ingest::RateLimiter> rate_limiter;
  std::unique_ptr<ingest::BatchWriter> writer;
  std::thread writer_thread;
  std::unique_ptr<ingest::Pipeline> pipeline;
  std::unique_ptr<ingest::CapIngest> cap_ingest;
  std::unique_ptr<rpc::IngestService> ingest_service;
  std::unique_ptr<cluster::ClusterMetrics> cluster_metrics;
  std::unique_ptr<cluster::LeaderLease> lease;
  std::unique_ptr<rpc::ExchangeService> exchange_service;
  std::shared_ptr<http::HttpMetrics> http_metrics;
  http::Router router;
  std::unique_ptr<http::Server> http;
  std::unique_ptr<rpc::GrpcServer> grpc;
  Surface surface;

  void Build() {
    store::StoreOptions store_options;
    // Port 1 on loopback refuses at once; the pool then answers UNAVAILABLE without reconnecting
    // during its backoff.
    store_options.dsn = "host=127.0.0.1 port=1 user=vik dbname=vik connect_timeout=1";
    store_options.pool_size = 2;
    store_options.acquire_timeout = std::chrono::milliseconds(200);
    auto opened = store::Store::Open(store_options, *registry);
    if (!opened.ok()) {
      Fail("cannot open the store: " + opened.status().message());
    }
    store = std::move(opened).value();
    readiness = std::make_unique<core::ReadinessState>(store->LatestSchemaVersion());
    readiness->Record(true, "", true, "", clock.Now());
    blocking = std::make_unique<core::BlockingPool>("fuzz-blocking", 2, 1024);
    blocking->Start();
    cap_pool = std::make_unique<core::BlockingPool>("fuzz-cap", 1, 64);
    cap_pool->Start();

    ingest_metrics = std::make_unique<ingest::IngestMetrics>(*registry);
    auth = std::make_unique<auth::Authenticator>(*store);
    const auto id = auth::TokenId(kToken);
    if (!id.ok()) {
      Fail("kToken is malformed: " + id.status().message());
    }
    store::Credentials credentials;
    store::TokenRecord token;
    token.id = *id;
    token.partner = std::string(kPartner);
    token.digest = auth::TokenDigest(kToken);
    token.scopes = {"ingest", "read", "analyst", "admin", "push"};
    credentials.tokens.push_back(token);
    credentials.sources.push_back({std::string(kSource), std::string(kPartner), 300});
    auth->Load(credentials);

    rate_limiter = std::make_unique<ingest::RateLimiter>(0, 0, clock);
    ingest::WriterOptions writer_options;
    writer = std::make_unique<ingest::BatchWriter>(*store, writer_options, kNode, *ingest_metrics);
    writer_thread = std::thread([this] { writer->Run(); });
    ingest::PipelineOptions pipeline_options;
    pipeline =
        std::make_unique<ingest::Pipeline>(pipeline_options, *auth, *rate_limiter, *writer, clock, *ingest_metrics);
    pipeline->SetReferenceData(std::make_shared<const domain::ReferenceData>(Region()));
    ingest::CapIngestOptions cap_options;
    cap_options.signal_limits = pipeline_options.limits;
    cap_ingest = std::make_unique<ingest::CapIngest>(cap_options, *auth, *rate_limiter, *cap_pool, *store, *pipeline,
                                                     clock, *ingest_metrics, wire::CanonicalPayloadOf, kNode);
    ingest_service = std::make_unique<rpc::IngestService>(*pipeline, *cap_ingest, *auth, 256);

    cluster_metrics = std::make_unique<cluster::ClusterMetrics>(*registry);
    cluster::LeaseOptions lease_options;
    lease = std::make_unique<cluster::LeaderLease>(*store, lease_options, kNode, clock, *cluster_metrics);

    const wire::StatusContext status{kRegion, kNode, lease->options().name, std::chrono::seconds(30)};
    usecases::NationalSource national{
        {domain::NodeRole::kRegional, kRegion, std::chrono::seconds(30)}, status, {"vr05"}};
    rpc::ExchangeOptions exchange_options;
    exchange_options.own_region = kRegion;
    exchange_options.push_peers = {{std::string(kPartner), "VR05"}};
    exchange_service =
        std::make_unique<rpc::ExchangeService>(*store, *auth, *blocking, status, exchange_options, national);

    http_metrics = std::make_shared<http::HttpMetrics>(*registry);
    auto reg = registry;
    http::AddProbeRoutes(router, *readiness, /*detailed=*/false);
    http::AddMetricsRoute(router, [reg] { return reg->Collect(); });
    http::AddIngestRoutes(router, *pipeline, *auth);
    http::AddSignalRoutes(router, {store.get(), blocking.get(), auth.get()});
    http::AddRegionRoutes(router, {kRegion, store.get(), blocking.get(), auth.get()});
    http::AddPictureRoutes(router, {status, store.get(), blocking.get(), auth.get()});
    http::AddChangeRoutes(router, {status, store.get(), blocking.get(), auth.get(), 4 * 1024 * 1024});
    http::ChangeStreamContext stream;
    stream.status = status;
    stream.store = store.get();
    stream.blocking = blocking.get();
    stream.auth = auth.get();
    stream.executor = ioc.get_executor();
    stream.heartbeat = std::chrono::milliseconds(200);
    http::AddChangeStreamRoute(router, stream);
    http::AddSubscriptionRoutes(router, {store.get(), blocking.get(), auth.get(), false, 20});
    http::AddCapRoutes(router, {kRegion, cap_ingest.get(), store.get(), cap_pool.get(), auth.get()});
    http::AddNationalRoutes(router, {national, store.get(), blocking.get(), auth.get()});
    http::AddClusterRoutes(
        router, {kNode, kRegion, store.get(), lease.get(), blocking.get(), auth.get(), std::chrono::seconds(30)});

    http::HttpOptions http_options;
    http_options.port = 0;
    http_options.max_body_bytes = kMaxBodyBytes;
    http_options.read_timeout = std::chrono::milliseconds(1000);
    http_options.idle_timeout = std::chrono::milliseconds(1000);
    // Every store call fails here (503 with Retry-After): with the refusal pause, each input's later
    // pipelined requests would wait a second and go unread within the harness's deadline. The pause
    // has its own unit test (http_server_test.cc).
    http_options.refusal_pause = std::chrono::milliseconds(0);
    http = std::make_unique<http::Server>(ioc, http_options, router, http_metrics);
    if (auto s = http->Start(); !s.ok()) {
      Fail("cannot start HTTP: " + s.message());
    }
    rpc::GrpcOptions grpc_options;
    grpc_options.port = 0;
    grpc = std::make_unique<rpc::GrpcServer>(grpc_options, *registry, *readiness);
    grpc->AddService(ingest_service.get(), vik::v1::IngestService::service_full_name());
    grpc->AddService(exchange_service.get(), vik::v1::ExchangeService::service_full_name());
    if (auto s = grpc->Start(); !s.ok()) {
      Fail("cannot start gRPC: " + s.message());
    }
    for (int i = 0; i < 2; ++i) {
      io_threads.emplace_back([this] { ioc.run(); });
    }
    surface = {&router, http->port(), grpc->port()};
  }
};

}  // namespace

const domain::ReferenceData& Region() {
  static const domain::ReferenceData region = [] {
    domain::ReferenceData r;
    r.region = kRegion;
    r.municipalities = {"GM0796", "GM0828"};
    r.themes = {"1", "1.3", "2", "2.1", "9"};
    r.cap_category_themes = {{"Met", "1.3"}, {"Fire", "2.1"}, {"Other", "9"}};
    std::vector<domain::MunicipalityShape> shapes;
    shapes.emplace_back("GM0796", std::vector<std::vector<domain::Point>>{
                                      {{51.6, 5.2}, {51.8, 5.2}, {51.8, 5.3}, {51.6, 5.3}, {51.6, 5.2}}});
    r.areas = std::make_shared<const domain::AreaLocator>(std::move(shapes));
    return r;
  }();
  return region;
}

const Surface& GetSurface() {
  static Wiring* wiring = [] {
    auto* w = new Wiring();  // never destroyed: threads keep running until the process exits
    w->Build();
    return w;
  }();
  return wiring->surface;
}

}  // namespace vik::fuzz
