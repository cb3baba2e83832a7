#pragma once

// Per-RPC metrics for every gRPC method (including health and reflection), collected by a server
// interceptor: vik_grpc_requests_total{method,code} and vik_grpc_request_duration_seconds{method}.

#include <memory>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vik::exchange {

struct GrpcMetrics {
  explicit GrpcMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& duration;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  GrpcMetrics& metrics_;
};

}  // namespace vik::exchange
