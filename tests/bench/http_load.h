#pragma once

// HTTP against vikd: POST /v1/signals load over keep-alive connections (one blocking Boost.Beast
// client per thread), and scraping /metrics.

#include <map>
#include <string>

#include "bench/signals.h"
#include "bench/stats.h"

namespace vik::bench {

struct HttpTarget {
  std::string host;
  std::string port;
};

// "127.0.0.1:8080" -> {"127.0.0.1", "8080"}; throws std::invalid_argument when there is no port.
HttpTarget ParseHttpTarget(const std::string& host_port);

// `connections` concurrent clients, each posting batches of `batch` signals as JSON and the next as
// soon as the answer arrives, until `duration` has passed. Safe for concurrent use.
Recorder HttpLoad(const HttpTarget& target, const std::string& token, SignalFactory& factory, int connections,
                  int batch, Clock::duration duration);

// GET /metrics: every sample without labels, name -> value. Throws when vikd does not answer 200.
std::map<std::string, double> ScrapeMetrics(const HttpTarget& target);

}  // namespace vik::bench
