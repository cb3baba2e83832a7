#include "rpc/grpc_metrics.h"

#include <chrono>
#include <string>

#include "core/internal_errors.h"
#include "core/status.h"
#include "metrics/declare.h"

namespace vik::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  // `method`: a registered method or "unknown"; `single_request`: the method takes one request
  // message, decoded by gRPC before the method runs (unary and server-streaming methods).
  MetricsInterceptor(GrpcMetrics& metrics, std::string method, bool known, bool single_request)
      : metrics_(metrics),
        method_(std::move(method)),
        known_(known),
        single_request_(single_request),
        start_(std::chrono::steady_clock::now()) {}

  ~MetricsInterceptor() override {
    if (!recorded_) {
      Record("CANCELLED");  // ended without a status (client went away)
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) && single_request_ &&
        !request_seen_) {
      request_seen_ = true;
      request_decoded_ = methods->GetRecvMessage() != nullptr;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (known_ && status.error_code() == grpc::StatusCode::UNIMPLEMENTED && status.error_message().empty()) {
        if (single_request_ && !request_decoded_) {
          status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "the request is not a valid protobuf message for " + method_);
        } else {
          core::ReportInternalError(core::ErrorBoundary::kGrpcReactor, method_,
                                    "the service method threw (caught by gRPC, which ended the call)");
          status = grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
        }
        methods->ModifySendStatus(status);
      }
      Record(std::string(core::StatusCodeName(static_cast<core::StatusCode>(static_cast<int>(status.error_code())))));
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
  const bool known_;
  const bool single_request_;
  const std::chrono::steady_clock::time_point start_;
  bool request_seen_ = false;
  bool request_decoded_ = false;
  bool recorded_ = false;
};

}  // namespace

GrpcMetrics::GrpcMetrics(prometheus::Registry& r)
    : requests(metrics::CounterFamily(
          r, "vik_grpc_requests_total",
          "gRPC calls finished, by full method name (registered ones, else \"unknown\") and status code")),
      duration(metrics::HistogramFamily(r, "vik_grpc_request_duration_seconds",
                                        "gRPC call duration (streams: until the status is sent), by method")) {}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(ServerRpcInfo* info) {
  const bool known = info->method() != nullptr && methods_.count(info->method()) > 0;
  const bool single_request =
      info->type() == ServerRpcInfo::Type::UNARY || info->type() == ServerRpcInfo::Type::SERVER_STREAMING;
  return new MetricsInterceptor(metrics_, known ? std::string(info->method()) : "unknown", known, single_request);
}

}  // namespace vik::rpc
