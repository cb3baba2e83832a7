#pragma once

// Which of the region's municipalities does a CAP area touch? Pure geometry over WGS84 degrees: no
// I/O, no external libraries.
//
// Model. Rings and query polygons are taken with straight edges in the (lon, lat) plane, which is
// how CAP <polygon> is drawn on every map vik's partners use. Against great circles this differs by
// about L^2 * tan(lat) / (8 * R) for an east-west edge of length L: ~60 m for a 50 km edge at 52N,
// ~1 km for a 200 km edge. Every shape is a closed set: a query that only touches a municipality's
// boundary (a shared vertex or edge, within kBoundaryToleranceDeg) touches that municipality, so a
// polygon equal to one municipality's boundary also touches the neighbours sharing its edges.
//
// Degenerate inputs never crash:
// - empty input, or any non-finite coordinate or radius: no match;
// - one distinct point, or all points on a line (zero area): matched as that point or polyline;
// - repeated points and unclosed rings: accepted (repeats are harmless, rings are closed implicitly);
// - self-intersecting polygons: even-odd rule;
// - edges longer than 180 degrees of longitude are taken to cross the antimeridian (the shorter way
//   round, as CAP producers mean it): the ring is unwrapped to continuous longitudes before testing,
//   and tested one turn east and west as well;
// - a polygon whose unwrapped ring does not close (it winds around a pole) is not supported: no
//   match.

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/signal.h"

namespace vik::domain {

// Two points closer than this (in degrees, ~0.1 mm) count as the same; likewise a point this close to
// an edge lies on it. Absorbs the rounding of decimal coordinates to binary doubles.
inline constexpr double kBoundaryToleranceDeg = 1e-9;

// A closed lat/lon rectangle. Default-constructed it is empty and intersects nothing.
struct BoundingBox {
  double min_lat = std::numeric_limits<double>::infinity();
  double max_lat = -std::numeric_limits<double>::infinity();
  double min_lon = std::numeric_limits<double>::infinity();
  double max_lon = -std::numeric_limits<double>::infinity();

  bool empty() const { return !(min_lat <= max_lat && min_lon <= max_lon); }
  void Extend(const Point& p);
  void Extend(const BoundingBox& other);
  bool Contains(const Point& p) const;
  bool Intersects(const BoundingBox& other) const;
  BoundingBox ShiftedLon(double degrees) const;
};

BoundingBox BoundsOf(const std::vector<Point>& points);

// One municipality's boundary: its outer rings (a municipality may have several parts; holes are not
// modelled). `bounds` is computed by the constructor; AreaLocator recomputes everything it relies on,
// so a shape edited after construction is still located correctly.
struct MunicipalityShape {
  MunicipalityShape() = default;
  MunicipalityShape(std::string code, std::vector<std::vector<Point>> outer_rings);

  std::string gm_code;                    // "GM0796"
  std::vector<std::vector<Point>> rings;  // outer rings, closed (first point == last point)
  BoundingBox bounds;
};

// Answers "which municipalities does this area touch" for one region's boundaries. Each Locate
// returns gm_codes sorted and unique. Shapes are rejected by bounding box first (the region's, then
// each municipality's), so an area far away costs a few comparisons.
// Immutable after construction; safe for concurrent use.
class AreaLocator {
 public:
  // Rings with non-finite coordinates or fewer than three distinct points are dropped, as are shapes
  // left without rings. Several shapes may carry the same gm_code.
  explicit AreaLocator(std::vector<MunicipalityShape> shapes);

  // Municipalities whose boundary intersects the polygon: an edge of one crosses or touches an edge
  // of the other, or one contains the other.
  std::vector<std::string> Locate(const Polygon& polygon) const;

  // Municipalities within radius_km of the centre: the centre is inside, or an edge is within the
  // radius. Distances are measured on a local equirectangular projection around the centre's
  // latitude (x = dlon * cos(lat0), y = dlat, 1 degree = 111.195 km). Its relative error for a point
  // d km away is about (d / 6371) * tan|lat0|: under 1% (0.5 km) for radius 50 km at 52N, ~0.1% at
  // 5 km. For radii over 500 km it switches to great-circle distances to the boundary's vertices,
  // erring by at most half an edge's length (a few km for generalised boundaries). A negative radius
  // counts as zero (the centre point alone).
  std::vector<std::string> Locate(const Circle& circle) const;

  // Municipalities containing the point (even-odd rule); a point on a boundary is inside every
  // municipality sharing that boundary.
  std::vector<std::string> Locate(const Point& point) const;

  // True when no usable shape was given.
  bool empty() const { return shapes_.empty(); }

 private:
  struct Ring {
    std::vector<Point> points;  // closed, longitudes unwrapped to be continuous
    BoundingBox bounds;
  };
  struct Shape {
    std::string gm_code;
    std::vector<Ring> rings;
    BoundingBox bounds;
  };

  std::vector<Shape> shapes_;
  BoundingBox bounds_;  // of all shapes
};

// Parses the CAP polygon form "lat,lon lat,lon ..." (points separated by whitespace, a comma and no
// space inside a point), as stored in municipality_boundaries.ring. Accepts an optional leading '+'.
// Returns nullopt when the text holds no point, a malformed point, or a coordinate outside
// [-90, 90] x [-180, 180]. Does not require the ring to be closed.
std::optional<std::vector<Point>> ParseRing(std::string_view text);

}  // namespace vik::domain
