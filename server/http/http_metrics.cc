#include "http/http_metrics.h"

#include <string>

#include "metrics/declare.h"

namespace vik::http {

HttpMetrics::HttpMetrics(prometheus::Registry& r)
    : requests(metrics::CounterFamily(r, "vik_http_requests_total",
                                      "HTTP requests answered, by route, method and status code")),
      duration(metrics::HistogramFamily(r, "vik_http_request_duration_seconds",
                                        "Time from a complete request to its response being written, by route")),
      connections_active(metrics::Gauge(r, "vik_http_connections_active", "Open HTTP connections")),
      connections_accepted(metrics::Counter(r, "vik_http_connections_accepted_total", "HTTP connections accepted")),
      connections_rejected(
          metrics::Counter(r, "vik_http_connections_rejected_total",
                           "HTTP connections refused with 503 because the connection cap was reached")),
      connections_evicted(metrics::Counter(r, "vik_http_connections_evicted_total",
                                           "HTTP connections closed at the connection cap to admit a new one, because "
                                           "they had sent no complete request header (idle or slow)")),
      protocol_errors(
          metrics::CounterFamily(r, "vik_http_protocol_errors_total", "Requests that could not be read, by reason")) {}

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
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  duration.Add({{"route", route}}, kBuckets).Observe(seconds);
}

}  // namespace vik::http
