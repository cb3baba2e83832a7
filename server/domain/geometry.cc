#include "domain/geometry.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

namespace vik::domain {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEarthRadiusKm = 6371.0088;  // IUGG mean radius
constexpr double kKmPerDegree = kEarthRadiusKm * kPi / 180.0;
// Beyond this radius the local projection's error passes ~1%; larger circles use great-circle
// distances to vertices instead.
constexpr double kMaxProjectedRadiusKm = 500.0;
// Queries are also tested one turn east and west, so that a shape or query unwrapped across the
// antimeridian meets its counterpart on the other side.
constexpr std::array<double, 3> kLonOffsets = {0.0, -360.0, 360.0};

bool Finite(const Point& p) { return std::isfinite(p.lat) && std::isfinite(p.lon); }

// The longitude step from one vertex to the next, the shorter way round: in [-180, 180].
double LonStep(double from, double to) {
  double d = to - from;
  if (d > 180.0) {
    d -= 360.0 * std::ceil((d - 180.0) / 360.0);
  } else if (d < -180.0) {
    d += 360.0 * std::ceil((-d - 180.0) / 360.0);
  }
  return d;
}

// A closed ring with consecutive duplicates removed and longitudes made continuous (an edge never
// spans more than 180 degrees), shifted so that its westernmost point lies in [-180, 180).
// nullopt when empty, non-finite, or winding around a pole.
std::optional<std::vector<Point>> NormaliseRing(const std::vector<Point>& in) {
  std::vector<Point> pts;
  pts.reserve(in.size() + 1);
  for (const Point& p : in) {
    if (!Finite(p)) {
      return std::nullopt;
    }
    if (pts.empty() || pts.back().lat != p.lat || pts.back().lon != p.lon) {
      pts.push_back(p);
    }
  }
  if (pts.empty()) {
    return std::nullopt;
  }
  if (pts.size() > 1 && pts.front().lat == pts.back().lat && pts.front().lon == pts.back().lon) {
    pts.pop_back();
  }
  std::vector<Point> out;
  out.reserve(pts.size() + 1);
  out.push_back(pts.front());
  for (std::size_t i = 1; i < pts.size(); ++i) {
    out.push_back({pts[i].lat, out.back().lon + LonStep(pts[i - 1].lon, pts[i].lon)});
  }
  const double closing = out.back().lon + LonStep(pts.back().lon, pts.front().lon);
  if (std::fabs(closing - out.front().lon) > 1e-6) {
    return std::nullopt;  // the ring winds around a pole
  }
  out.push_back(out.front());

  double west = out.front().lon;
  for (const Point& p : out) {
    west = std::min(west, p.lon);
  }
  const double shift = -360.0 * std::floor((west + 180.0) / 360.0);
  if (shift != 0.0) {
    for (Point& p : out) {
      p.lon += shift;
    }
  }
  return out;
}

BoundingBox Padded(BoundingBox b) {
  if (!b.empty()) {
    b.min_lat -= kBoundaryToleranceDeg;
    b.max_lat += kBoundaryToleranceDeg;
    b.min_lon -= kBoundaryToleranceDeg;
    b.max_lon += kBoundaryToleranceDeg;
  }
  return b;
}

// Planar geometry in the (lon, lat) plane, in degrees.
double Cross(const Point& a, const Point& b, const Point& c) {
  return (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon);
}

double PointSegmentDistanceSq(const Point& p, const Point& a, const Point& b) {
  const double dx = b.lon - a.lon;
  const double dy = b.lat - a.lat;
  const double len_sq = dx * dx + dy * dy;
  double t = 0.0;
  if (len_sq > 0.0) {
    t = std::clamp(((p.lon - a.lon) * dx + (p.lat - a.lat) * dy) / len_sq, 0.0, 1.0);
  }
  const double ex = a.lon + t * dx - p.lon;
  const double ey = a.lat + t * dy - p.lat;
  return ex * ex + ey * ey;
}

bool OnSegment(const Point& p, const Point& a, const Point& b) {
  return PointSegmentDistanceSq(p, a, b) <= kBoundaryToleranceDeg * kBoundaryToleranceDeg;
}

bool OppositeSides(double u, double v) { return (u > 0.0 && v < 0.0) || (u < 0.0 && v > 0.0); }

// Segments ab and cd cross or touch (within the tolerance).
bool SegmentsTouch(const Point& a, const Point& b, const Point& c, const Point& d) {
  if (OppositeSides(Cross(a, b, c), Cross(a, b, d)) && OppositeSides(Cross(c, d, a), Cross(c, d, b))) {
    return true;
  }
  return OnSegment(a, c, d) || OnSegment(b, c, d) || OnSegment(c, a, b) || OnSegment(d, a, b);
}

BoundingBox SegmentBounds(const Point& a, const Point& b) {
  BoundingBox box;
  box.Extend(a);
  box.Extend(b);
  return box;
}

// Even-odd rule; a point on the boundary is inside. REQUIRES: ring closed.
bool RingContains(const std::vector<Point>& ring, const Point& p) {
  for (std::size_t i = 1; i < ring.size(); ++i) {
    if (OnSegment(p, ring[i - 1], ring[i])) {
      return true;
    }
  }
  bool inside = false;
  for (std::size_t i = 1; i < ring.size(); ++i) {
    const Point& a = ring[i - 1];
    const Point& b = ring[i];
    if ((a.lat > p.lat) != (b.lat > p.lat)) {
      const double x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (p.lon < x) {
        inside = !inside;
      }
    }
  }
  return inside;
}

// Closed rings q and r (with their bounds) intersect: an edge pair touches, or one contains the
// other (then it contains each of the other's vertices; the first one suffices).
bool RingsIntersect(const std::vector<Point>& q, const BoundingBox& q_bounds, const std::vector<Point>& r,
                    const BoundingBox& r_bounds) {
  const BoundingBox q_padded = Padded(q_bounds);
  std::vector<std::size_t> r_edges;  // edges of r near q
  for (std::size_t j = 1; j < r.size(); ++j) {
    if (SegmentBounds(r[j - 1], r[j]).Intersects(q_padded)) {
      r_edges.push_back(j);
    }
  }
  for (std::size_t i = 1; i < q.size() && !r_edges.empty(); ++i) {
    if (!Padded(SegmentBounds(q[i - 1], q[i])).Intersects(r_bounds)) {
      continue;
    }
    for (const std::size_t j : r_edges) {
      if (SegmentsTouch(q[i - 1], q[i], r[j - 1], r[j])) {
        return true;
      }
    }
  }
  return RingContains(r, q.front()) || RingContains(q, r.front());
}

// Distance in km from the origin to segment ab, both given in projected km.
double OriginSegmentDistanceKm(double ax, double ay, double bx, double by) {
  const double dx = bx - ax;
  const double dy = by - ay;
  const double len_sq = dx * dx + dy * dy;
  double t = 0.0;
  if (len_sq > 0.0) {
    t = std::clamp(-(ax * dx + ay * dy) / len_sq, 0.0, 1.0);
  }
  return std::hypot(ax + t * dx, ay + t * dy);
}

double GreatCircleKm(const Point& a, const Point& b) {
  const double to_rad = kPi / 180.0;
  const double dlat = (b.lat - a.lat) * to_rad;
  const double dlon = (b.lon - a.lon) * to_rad;
  const double s = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * to_rad) * std::cos(b.lat * to_rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(s)));
}

std::vector<std::string> SortedUnique(std::vector<std::string> codes) {
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

std::optional<double> ParseCoordinate(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

void BoundingBox::Extend(const Point& p) {
  min_lat = std::min(min_lat, p.lat);
  max_lat = std::max(max_lat, p.lat);
  min_lon = std::min(min_lon, p.lon);
  max_lon = std::max(max_lon, p.lon);
}

void BoundingBox::Extend(const BoundingBox& other) {
  if (other.empty()) {
    return;
  }
  min_lat = std::min(min_lat, other.min_lat);
  max_lat = std::max(max_lat, other.max_lat);
  min_lon = std::min(min_lon, other.min_lon);
  max_lon = std::max(max_lon, other.max_lon);
}

bool BoundingBox::Contains(const Point& p) const {
  return p.lat >= min_lat && p.lat <= max_lat && p.lon >= min_lon && p.lon <= max_lon;
}

bool BoundingBox::Intersects(const BoundingBox& other) const {
  return min_lat <= other.max_lat && other.min_lat <= max_lat && min_lon <= other.max_lon && other.min_lon <= max_lon;
}

BoundingBox BoundingBox::ShiftedLon(double degrees) const {
  BoundingBox b = *this;
  b.min_lon += degrees;
  b.max_lon += degrees;
  return b;
}

BoundingBox BoundsOf(const std::vector<Point>& points) {
  BoundingBox b;
  for (const Point& p : points) {
    b.Extend(p);
  }
  return b;
}

MunicipalityShape::MunicipalityShape(std::string code, std::vector<std::vector<Point>> outer_rings)
    : gm_code(std::move(code)), rings(std::move(outer_rings)) {
  for (const auto& ring : rings) {
    bounds.Extend(BoundsOf(ring));
  }
}

AreaLocator::AreaLocator(std::vector<MunicipalityShape> shapes) {
  for (MunicipalityShape& in : shapes) {
    Shape shape;
    shape.gm_code = std::move(in.gm_code);
    for (const auto& raw : in.rings) {
      auto ring = NormaliseRing(raw);
      if (!ring || ring->size() < 4) {
        continue;  // fewer than three distinct points: no area to locate anything in
      }
      Ring r;
      r.bounds = Padded(BoundsOf(*ring));
      r.points = std::move(*ring);
      shape.bounds.Extend(r.bounds);
      shape.rings.push_back(std::move(r));
    }
    if (!shape.rings.empty()) {
      bounds_.Extend(shape.bounds);
      shapes_.push_back(std::move(shape));
    }
  }
}

std::vector<std::string> AreaLocator::Locate(const Polygon& polygon) const {
  std::vector<std::string> found;
  auto ring = NormaliseRing(polygon.points);
  if (!ring || shapes_.empty()) {
    return found;
  }
  const BoundingBox ring_bounds = BoundsOf(*ring);
  std::vector<std::pair<std::vector<Point>, BoundingBox>> queries;  // the ring, shifted by each offset
  for (const double offset : kLonOffsets) {
    const BoundingBox shifted = ring_bounds.ShiftedLon(offset);
    if (!shifted.Intersects(bounds_)) {
      continue;
    }
    std::vector<Point> points = *ring;
    for (Point& p : points) {
      p.lon += offset;
    }
    queries.emplace_back(std::move(points), shifted);
  }
  for (const Shape& shape : shapes_) {
    bool hit = false;
    for (const auto& [points, bounds] : queries) {
      if (!bounds.Intersects(shape.bounds)) {
        continue;
      }
      for (const Ring& r : shape.rings) {
        if (bounds.Intersects(r.bounds) && RingsIntersect(points, bounds, r.points, r.bounds)) {
          hit = true;
          break;
        }
      }
      if (hit) {
        break;
      }
    }
    if (hit) {
      found.push_back(shape.gm_code);
    }
  }
  return SortedUnique(std::move(found));
}

std::vector<std::string> AreaLocator::Locate(const Circle& circle) const {
  std::vector<std::string> found;
  if (!Finite(circle.center) || !std::isfinite(circle.radius_km) || shapes_.empty()) {
    return found;
  }
  const double radius = std::max(0.0, circle.radius_km);
  const Point& c = circle.center;

  if (radius > kMaxProjectedRadiusKm) {
    for (const Shape& shape : shapes_) {
      bool hit = false;
      for (const Ring& r : shape.rings) {
        for (const double offset : kLonOffsets) {
          hit = hit || RingContains(r.points, {c.lat, c.lon + offset});
        }
        for (std::size_t i = 0; i < r.points.size() && !hit; ++i) {
          hit = GreatCircleKm(c, r.points[i]) <= radius;
        }
        if (hit) {
          break;
        }
      }
      if (hit) {
        found.push_back(shape.gm_code);
      }
    }
    return SortedUnique(std::move(found));
  }

  const double cos_lat = std::cos(c.lat * kPi / 180.0);
  const double dlat = radius / kKmPerDegree;
  const double dlon = cos_lat > 1e-9 ? radius / (kKmPerDegree * cos_lat) : 360.0;
  BoundingBox box;
  box.min_lat = c.lat - dlat - kBoundaryToleranceDeg;
  box.max_lat = c.lat + dlat + kBoundaryToleranceDeg;
  box.min_lon = c.lon - std::min(dlon, 360.0) - kBoundaryToleranceDeg;
  box.max_lon = c.lon + std::min(dlon, 360.0) + kBoundaryToleranceDeg;
  // Slack for rounding in the projection: a micrometre.
  const double reach_km = radius + 1e-9;

  for (const Shape& shape : shapes_) {
    bool hit = false;
    for (const double offset : kLonOffsets) {
      const BoundingBox shifted = box.ShiftedLon(offset);
      if (!shifted.Intersects(shape.bounds)) {
        continue;
      }
      const Point centre{c.lat, c.lon + offset};
      for (const Ring& r : shape.rings) {
        if (!shifted.Intersects(r.bounds)) {
          continue;
        }
        if (RingContains(r.points, centre)) {
          hit = true;
          break;
        }
        const auto project_x = [&](const Point& p) { return (p.lon - centre.lon) * cos_lat * kKmPerDegree; };
        const auto project_y = [&](const Point& p) { return (p.lat - centre.lat) * kKmPerDegree; };
        for (std::size_t i = 1; i < r.points.size(); ++i) {
          const Point& a = r.points[i - 1];
          const Point& b = r.points[i];
          if (OriginSegmentDistanceKm(project_x(a), project_y(a), project_x(b), project_y(b)) <= reach_km) {
            hit = true;
            break;
          }
        }
        if (hit) {
          break;
        }
      }
      if (hit) {
        break;
      }
    }
    if (hit) {
      found.push_back(shape.gm_code);
    }
  }
  return SortedUnique(std::move(found));
}

std::vector<std::string> AreaLocator::Locate(const Point& point) const {
  std::vector<std::string> found;
  if (!Finite(point)) {
    return found;
  }
  for (const Shape& shape : shapes_) {
    bool hit = false;
    for (const double offset : kLonOffsets) {
      const Point p{point.lat, point.lon + offset};
      if (!shape.bounds.Contains(p)) {
        continue;
      }
      for (const Ring& r : shape.rings) {
        if (r.bounds.Contains(p) && RingContains(r.points, p)) {
          hit = true;
          break;
        }
      }
      if (hit) {
        break;
      }
    }
    if (hit) {
      found.push_back(shape.gm_code);
    }
  }
  return SortedUnique(std::move(found));
}

std::optional<std::vector<Point>> ParseRing(std::string_view text) {
  std::vector<Point> points;
  std::size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) {
      ++end;
    }
    const std::string_view token = text.substr(i, end - i);
    i = end;
    const std::size_t comma = token.find(',');
    if (comma == std::string_view::npos || token.find(',', comma + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    const auto lat = ParseCoordinate(token.substr(0, comma));
    const auto lon = ParseCoordinate(token.substr(comma + 1));
    if (!lat || !lon || *lat < -90.0 || *lat > 90.0 || *lon < -180.0 || *lon > 180.0) {
      return std::nullopt;
    }
    points.push_back({*lat, *lon});
  }
  if (points.empty()) {
    return std::nullopt;
  }
  return points;
}

}  // namespace vik::domain
