#pragma once

// The server interceptor that every gRPC call passes (health and reflection included):
// - per-RPC metrics vik_grpc_requests_total{method,code} and vik_grpc_request_duration_seconds{method},
//   where `method` is one of the registered methods (collected from the services' descriptors at
//   start) or "unknown": a client cannot add series by calling made-up names;
// - the answer to a request that does not decode: gRPC's callback API never calls the method then
//   and answers UNIMPLEMENTED; the interceptor turns that into INVALID_ARGUMENT naming the method;
// - the catch boundary of the service methods themselves: a method that throws is caught by gRPC,
//   which then also answers UNIMPLEMENTED (with no message); the interceptor reports it
//   (core::ReportInternalError, ErrorBoundary::kGrpcReactor) and answers INTERNAL instead.
// Reactor callbacks and completions have their own boundary (rpc/grpc_boundary.h).

#include <memory>
#include <set>
#include <string>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vik::rpc {

struct GrpcMetrics {
  explicit GrpcMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& duration;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `methods`: the full names ("/vik.v1.IngestService/Submit") of every registered method.
  MetricsInterceptorFactory(GrpcMetrics& metrics, std::set<std::string> methods)
      : metrics_(metrics), methods_(std::move(methods)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  GrpcMetrics& metrics_;
  const std::set<std::string> methods_;
};

}  // namespace vik::rpc
