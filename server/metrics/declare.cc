#include "metrics/declare.h"

namespace vik::metrics {

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& r, const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& r, const std::string& name,
                                                   const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Histogram>& HistogramFamily(prometheus::Registry& r, const std::string& name,
                                                           const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

prometheus::Counter& Counter(prometheus::Registry& r, const std::string& name, const std::string& help,
                             const Labels& labels) {
  return CounterFamily(r, name, help).Add(labels);
}

prometheus::Gauge& Gauge(prometheus::Registry& r, const std::string& name, const std::string& help,
                         const Labels& labels) {
  return GaugeFamily(r, name, help).Add(labels);
}

prometheus::Histogram& Histogram(prometheus::Registry& r, const std::string& name, const std::string& help,
                                 const Buckets& buckets, const Labels& labels) {
  return HistogramFamily(r, name, help).Add(labels, buckets);
}

}  // namespace vik::metrics
