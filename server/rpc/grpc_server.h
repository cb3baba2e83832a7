#pragma once

// The gRPC server (callback API): vik's services, the standard grpc.health.v1.Health service
// (Check and Watch) following process readiness, server reflection when enabled, per-RPC metrics.
// Limits (docs/operations.md, "gRPC limits"): messages, concurrent calls per connection, at most
// `max_health_watchers` Health.Watch streams (unauthenticated), connections without calls closed
// after `max_connection_idle`, and a ResourceQuota of `memory_quota_bytes` for gRPC's buffers (gRPC
// 1.51 has no cap on the number of connections itself; the quota and the idle limit bound them).
// Thread-safety: methods are called by the owner (app::Runtime); gRPC runs its own threads.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>
#include <grpcpp/server.h>

#include "core/readiness.h"
#include "core/result.h"
#include "rpc/grpc_metrics.h"
#include "rpc/health_service.h"

namespace vik::rpc {

struct GrpcOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9090;  // 0: pick a free port
  int max_message_bytes = 4 * 1024 * 1024;
  int max_concurrent_streams = 256;                       // per connection
  bool reflection = false;                                // server reflection (grpcurl, ...) on this listener
  int max_health_watchers = 64;                           // concurrent grpc.health.v1.Health/Watch streams
  std::chrono::milliseconds max_connection_idle{300000};  // a connection without calls is closed (0: never)
  std::size_t memory_quota_bytes = 256 * 1024 * 1024;     // gRPC's ResourceQuota
};

class GrpcServer {
 public:
  GrpcServer(GrpcOptions options, prometheus::Registry& registry, core::ReadinessState& readiness);
  ~GrpcServer();

  // REQUIRES: before Start(). The service must outlive the server. `full_name` (e.g.
  // "vik.v1.IngestService") is what health checks may ask about.
  void AddService(grpc::Service* service, std::string full_name);

  core::Status Start();
  std::uint16_t port() const { return bound_port_; }

  // Health answers NOT_SERVING from now on (Watch streams are told at once, then ended).
  void BeginShutdown();
  // Stops accepting calls, waits for calls in flight until `deadline`, then cancels the rest.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  const GrpcOptions options_;
  GrpcMetrics metrics_;
  core::ReadinessState& readiness_;
  std::vector<grpc::Service*> services_;
  std::set<std::string> service_names_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace vik::rpc
