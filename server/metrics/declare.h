#pragma once

// Declaring a Prometheus metric in one line instead of the builder chain: a family (series added
// later with labels) or a single series with fixed labels. The name, help and labels are exactly
// what the builder would get, so what /metrics shows does not depend on which form declared it.
// Call while wiring (constructors); the references stay valid as long as the registry.
// Thread-safety: as prometheus::Registry (safe for concurrent use).

#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vik::metrics {

using Labels = std::map<std::string, std::string>;
using Buckets = prometheus::Histogram::BucketBoundaries;

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& r, const std::string& name,
                                                       const std::string& help);
prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& r, const std::string& name,
                                                   const std::string& help);
prometheus::Family<prometheus::Histogram>& HistogramFamily(prometheus::Registry& r, const std::string& name,
                                                           const std::string& help);

// One series of a new family: `labels` ({} for none).
prometheus::Counter& Counter(prometheus::Registry& r, const std::string& name, const std::string& help,
                             const Labels& labels = {});
prometheus::Gauge& Gauge(prometheus::Registry& r, const std::string& name, const std::string& help,
                         const Labels& labels = {});
prometheus::Histogram& Histogram(prometheus::Registry& r, const std::string& name, const std::string& help,
                                 const Buckets& buckets, const Labels& labels = {});

}  // namespace vik::metrics
