#pragma once

// Generated CAP documents of real-world size, for the tests of the CAP limits (docs/cap.md).
// Header-only: the unit tests use it without the support library.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>

namespace vik::testing {

// A CAP 1.2 Met alert from `sender` whose one <area> holds a single closed <polygon> of about
// `polygon_bytes` bytes (a ring around 52.0N 5.3E, the shape a national weather service sends for
// a whole country), so the whole document is polygon_bytes plus about 1 KB. Deterministic.
inline std::string LargePolygonAlert(const std::string& sender, const std::string& identifier,
                                     std::size_t polygon_bytes) {
  // Each point is "dd.ddddddd,d.ddddddd " (21 bytes); the ring closes on its first point.
  constexpr std::size_t kPointBytes = 21;
  const std::size_t n = std::max<std::size_t>(4, polygon_bytes / kPointBytes + 2);
  std::string polygon;
  polygon.reserve(polygon_bytes + 64);
  char buf[64];
  std::string first;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const double a = 2 * M_PI * static_cast<double>(i) / static_cast<double>(n - 1);
    // A slightly wobbly ring, 1.5 degrees across, so that consecutive points are never collinear.
    const double r = 1.5 + 0.01 * std::sin(37 * a);
    std::snprintf(buf, sizeof buf, "%.7f,%.7f ", 52.0 + r * std::sin(a) / 1.6, 5.3 + r * std::cos(a));
    polygon += buf;
    if (i == 0) {
      first = buf;
    }
  }
  first.pop_back();
  polygon += first;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
         "<identifier>" +
         identifier + "</identifier><sender>" + sender +
         "</sender>"
         "<sent>2026-11-20T10:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType>"
         "<scope>Public</scope>"
         "<info><language>en-GB</language><category>Met</category><event>Severe gale</event>"
         "<urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>"
         "<onset>2026-11-20T12:00:00-00:00</onset><expires>2099-01-01T00:00:00-00:00</expires>"
         "<headline>Severe gale warning for the whole country</headline>"
         "<description>Gusts of 100 km/h expected.</description>"
         "<area><areaDesc>The whole country</areaDesc><polygon>" +
         polygon +
         "</polygon></area>"
         "</info></alert>";
}

}  // namespace vik::testing
