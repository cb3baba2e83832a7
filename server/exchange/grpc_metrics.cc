#include "exchange/grpc_metrics.h"

#include <chrono>
#include <string>

#include "core/status.h"

namespace vik::exchange {
namespace {

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcMetrics& metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  ~MetricsInterceptor() override {
    if (!recorded_) {
      Record("CANCELLED");  // ended without a status (client went away)
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const auto code = static_cast<core::StatusCode>(static_cast<int>(methods->GetSendStatus().error_code()));
      Record(std::string(core::StatusCodeName(code)));
    }
    methods->Proceed();
  }

 private:
  void Record(const std::string& code) {
    recorded_ = true;
    metrics_.requests.Add({{"method", method_}, {"code", code}}).Increment();
    static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                  0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    metrics_.duration.Add({{"method", method_}}, kBuckets)
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }

  GrpcMetrics& metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

}  // namespace

GrpcMetrics::GrpcMetrics(prometheus::Registry& r)
    : requests(prometheus::BuildCounter()
                   .Name("vik_grpc_requests_total")
                   .Help("gRPC calls finished, by full method name and status code")
                   .Register(r)),
      duration(prometheus::BuildHistogram()
                   .Name("vik_grpc_request_duration_seconds")
                   .Help("gRPC call duration (streams: until the status is sent), by method")
                   .Register(r)) {}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_, info->method() != nullptr ? info->method() : "unknown");
}

}  // namespace vik::exchange
