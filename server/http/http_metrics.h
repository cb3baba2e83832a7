#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vik::http {

// Metrics of the HTTP server, declared once at start-up.
struct HttpMetrics {
  explicit HttpMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& requests;    // route, method, code
  prometheus::Family<prometheus::Histogram>& duration;  // route
  prometheus::Gauge& connections_active;
  prometheus::Counter& connections_accepted;
  prometheus::Counter& connections_rejected;  // over the connection cap: answered 503
  // reason: bad_request, header_too_large, body_too_large, timeout, accept
  prometheus::Family<prometheus::Counter>& protocol_errors;

  void Observe(const std::string& route, const std::string& method, unsigned code, double seconds);
};

}  // namespace vik::http
