#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include <boost/beast/http/verb.hpp>

namespace vik::http {

// Metrics of the HTTP server, declared once at start-up. Every label value comes from a closed set:
// route is a registered route template, "unmatched" or "rejected"; method is MethodLabel's; code
// is a status the server writes; reason is one of those listed below.
struct HttpMetrics {
  explicit HttpMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& requests;    // route, method, code
  prometheus::Family<prometheus::Histogram>& duration;  // route
  prometheus::Gauge& connections_active;
  prometheus::Counter& connections_accepted;
  prometheus::Counter& connections_rejected;  // over the connection cap: answered 503
  // Closed at the cap to make room for a new one: they had sent no complete request header.
  prometheus::Counter& connections_evicted;
  // reason: bad_request, header_too_large, body_too_large, timeout, accept, transfer_encoding,
  // bad_target (a path or query that is not UTF-8 text), evicted
  prometheus::Family<prometheus::Counter>& protocol_errors;

  void Observe(const std::string& route, const std::string& method, unsigned code, double seconds);
};

// The method as a metric label: GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS; any other method,
// known to Beast or made up by the client, is "other".
std::string MethodLabel(boost::beast::http::verb method);

}  // namespace vik::http
