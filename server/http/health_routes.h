#pragma once

// GET /healthz (the process is alive), GET /readyz (database reachable, schema current, not
// draining: 200 or 503 with a JSON reason) and GET /metrics (Prometheus text exposition of the
// registry). These need no authentication.
//
// /readyz on a listener that faces partners answers only generic reasons ("database check
// failed", "database schema is not usable"): the driver's text (host, port, errors) goes to the
// log. With `detailed` (the management listener, http.management) it also carries that text.

#include <functional>
#include <vector>

#include <prometheus/metric_family.h>

#include "core/readiness.h"
#include "http/router.h"

namespace vik::http {

// Everything /metrics exposes, gathered at scrape time. Safe for concurrent use.
using MetricsCollector = std::function<std::vector<prometheus::MetricFamily>()>;

// /healthz and /readyz. REQUIRES: `readiness` outlives the router.
void AddProbeRoutes(Router& router, const core::ReadinessState& readiness, bool detailed);

// /metrics.
void AddMetricsRoute(Router& router, MetricsCollector collect);

}  // namespace vik::http
