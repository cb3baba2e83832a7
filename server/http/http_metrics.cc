#include "http/http_metrics.h"

#include <string>

namespace vik::http {

HttpMetrics::HttpMetrics(prometheus::Registry& r)
    : requests(prometheus::BuildCounter()
                   .Name("vik_http_requests_total")
                   .Help("HTTP requests answered, by route, method and status code")
                   .Register(r)),
      duration(prometheus::BuildHistogram()
                   .Name("vik_http_request_duration_seconds")
                   .Help("Time from a complete request to its response being written, by route")
                   .Register(r)),
      connections_active(prometheus::BuildGauge()
                             .Name("vik_http_connections_active")
                             .Help("Open HTTP connections")
                             .Register(r)
                             .Add({})),
      connections_accepted(prometheus::BuildCounter()
                               .Name("vik_http_connections_accepted_total")
                               .Help("HTTP connections accepted")
                               .Register(r)
                               .Add({})),
      connections_rejected(prometheus::BuildCounter()
                               .Name("vik_http_connections_rejected_total")
                               .Help("HTTP connections refused with 503 because the connection cap was reached")
                               .Register(r)
                               .Add({})),
      connections_evicted(prometheus::BuildCounter()
                              .Name("vik_http_connections_evicted_total")
                              .Help("HTTP connections closed at the connection cap to admit a new one, because "
                                    "they had sent no complete request header (idle or slow)")
                              .Register(r)
                              .Add({})),
      protocol_errors(prometheus::BuildCounter()
                          .Name("vik_http_protocol_errors_total")
                          .Help("Requests that could not be read, by reason")
                          .Register(r)) {}

std::string MethodLabel(boost::beast::http::verb method) {
  using boost::beast::http::verb;
  switch (method) {
    case verb::get:
    case verb::head:
    case verb::post:
    case verb::put:
    case verb::delete_:
    case verb::patch:
    case verb::options:
      return std::string(boost::beast::http::to_string(method));
    default:
      return "other";
  }
}

void HttpMetrics::Observe(const std::string& route, const std::string& method, unsigned code, double seconds) {
  requests.Add({{"route", route}, {"method", method}, {"code", std::to_string(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1,    2.5, 5, 10};
  duration.Add({{"route", route}}, kBuckets).Observe(seconds);
}

}  // namespace vik::http
