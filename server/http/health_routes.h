#pragma once

// GET /healthz (the process is alive), GET /readyz (database reachable, schema current, not
// draining: 200 or 503 with a JSON reason) and GET /metrics (Prometheus text exposition of the
// registry). These three need no authentication.

#include <functional>
#include <vector>

#include <prometheus/metric_family.h>

#include "core/readiness.h"
#include "http/router.h"

namespace vik::http {

// Everything /metrics exposes, gathered at scrape time. Safe for concurrent use.
using MetricsCollector = std::function<std::vector<prometheus::MetricFamily>()>;

// REQUIRES: `readiness` outlives the router.
void AddHealthRoutes(Router& router, const core::ReadinessState& readiness, MetricsCollector collect);

}  // namespace vik::http
