// domain::AreaLocator and domain::ParseRing: which municipalities a CAP polygon, circle or point
// touches. Synthetic shapes first, then the VR21 boundaries from migrations/0006.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "domain/geometry.h"

namespace vik::domain {
namespace {

using Codes = std::vector<std::string>;

constexpr double kKmPerDegree = 6371.0088 * 3.14159265358979323846 / 180.0;

Polygon Poly(std::vector<Point> points) { return Polygon{std::move(points)}; }

// An axis-aligned closed ring, lat [lat0, lat1] x lon [lon0, lon1].
std::vector<Point> Box(double lat0, double lon0, double lat1, double lon1) {
  return {{lat0, lon0}, {lat0, lon1}, {lat1, lon1}, {lat1, lon0}, {lat0, lon0}};
}

AreaLocator Single(const std::string& code, std::vector<Point> ring) {
  return AreaLocator({MunicipalityShape(code, {std::move(ring)})});
}

// ----------------------------------------------------------------------------------------------
// ParseRing

TEST_CASE("ParseRing reads the CAP polygon form lat,lon separated by whitespace", "[geometry]") {
  const auto ring = ParseRing("51.5,5.25 51.75,5.5\t51.6,+5.4\n 51.5,5.25 ");
  REQUIRE(ring);
  REQUIRE(ring->size() == 4);
  CHECK((*ring)[0].lat == 51.5);
  CHECK((*ring)[0].lon == 5.25);
  CHECK((*ring)[2].lon == 5.4);
  CHECK((*ring)[3].lat == 51.5);

  const auto negative = ParseRing("-33.9,-151.2");
  REQUIRE(negative);
  CHECK((*negative)[0].lat == -33.9);
  CHECK((*negative)[0].lon == -151.2);
}

TEST_CASE("ParseRing rejects empty, malformed and out-of-range text", "[geometry]") {
  for (const char* text :
       {"", "   ", "51.5", "51.5,", ",5.2", "51.5;5.2", "51.5,5.2,1", "51.5, 5.2", "a,b", "51.5x,5.2", "nan,5.2",
        "51.5,inf", "90.1,5", "-90.5,5", "51,180.5", "51,-181", "++51,5", "51.5,5.2 garbage"}) {
    INFO('"' << text << '"');
    CHECK_FALSE(ParseRing(text));
  }
  CHECK(ParseRing("90,180 -90,-180"));
}

// ----------------------------------------------------------------------------------------------
// Points

TEST_CASE("a point inside a square is located, one outside is not", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(0, 0, 1, 1));
  CHECK(loc.Locate(Point{0.5, 0.5}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{1.5, 0.5}).empty());
  CHECK(loc.Locate(Point{0.5, -0.01}).empty());
}

TEST_CASE("points on a boundary edge or vertex count as inside", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(0, 0, 1, 1));
  CHECK(loc.Locate(Point{0, 0.5}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{0.3, 1}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{1, 1}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{0, 0}) == Codes{"GM0001"});

  const AreaLocator triangle = Single("GM0002", {{0, 0}, {0, 2}, {2, 0}, {0, 0}});
  CHECK(triangle.Locate(Point{1, 1}) == Codes{"GM0002"});  // on the hypotenuse
  CHECK(triangle.Locate(Point{1.0001, 1}).empty());
}

TEST_CASE("a point in the notch of a concave shape is outside it", "[geometry]") {
  // A "U": lat 0..3, lon 0..3 with the notch lat 1..3, lon 1..2 cut out of the top.
  const AreaLocator u = Single("GM0003", {{0, 0}, {0, 3}, {3, 3}, {3, 2}, {1, 2}, {1, 1}, {3, 1}, {3, 0}, {0, 0}});
  CHECK(u.Locate(Point{2, 1.5}).empty());
  CHECK(u.Locate(Point{2, 0.5}) == Codes{"GM0003"});
  CHECK(u.Locate(Point{2, 2.5}) == Codes{"GM0003"});
  CHECK(u.Locate(Point{0.5, 1.5}) == Codes{"GM0003"});
  // A ray cast through a vertex must not flip parity twice.
  CHECK(u.Locate(Point{1, 0.5}) == Codes{"GM0003"});
  CHECK(u.Locate(Point{3, -1}).empty());
}

TEST_CASE("a point on an edge shared by two municipalities belongs to both", "[geometry]") {
  const AreaLocator loc(
      {MunicipalityShape("GM0001", {Box(0, 0, 1, 1)}), MunicipalityShape("GM0002", {Box(0, 1, 1, 2)})});
  CHECK(loc.Locate(Point{0.5, 1}) == Codes{"GM0001", "GM0002"});
  CHECK(loc.Locate(Point{0.5, 0.9}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{0.5, 1.1}) == Codes{"GM0002"});
}

// ----------------------------------------------------------------------------------------------
// Polygons

TEST_CASE("polygons that overlap, contain or are contained by a shape touch it", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(0, 0, 1, 1));
  SECTION("edges crossing") { CHECK(loc.Locate(Poly(Box(0.5, 0.5, 1.5, 1.5))) == Codes{"GM0001"}); }
  SECTION("query inside the shape, no edge crossing") {
    CHECK(loc.Locate(Poly(Box(0.2, 0.2, 0.4, 0.4))) == Codes{"GM0001"});
  }
  SECTION("shape inside the query, no edge crossing") { CHECK(loc.Locate(Poly(Box(-5, -5, 5, 5))) == Codes{"GM0001"}); }
  SECTION("a cross through the shape with no vertex inside either") {
    CHECK(loc.Locate(Poly(Box(0.4, -1, 0.6, 2))) == Codes{"GM0001"});
  }
  SECTION("disjoint") { CHECK(loc.Locate(Poly(Box(2, 2, 3, 3))).empty()); }
  SECTION("bounding boxes overlap but the shapes do not") {
    CHECK(loc.Locate(Poly({{1.5, 0.8}, {1.5, 1.5}, {0.8, 1.5}, {1.5, 0.8}})).empty());
  }
}

TEST_CASE("a polygon that only touches a shape's edge or corner touches it", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(0, 0, 1, 1));
  CHECK(loc.Locate(Poly(Box(0, 1, 1, 2))) == Codes{"GM0001"});      // shares an edge
  CHECK(loc.Locate(Poly(Box(0.2, 1, 0.4, 2))) == Codes{"GM0001"});  // part of an edge
  CHECK(loc.Locate(Poly(Box(1, 1, 2, 2))) == Codes{"GM0001"});      // one corner
  CHECK(loc.Locate(Poly(Box(0.2, 1.000001, 0.4, 2))).empty());      // 0.1 m away
}

TEST_CASE("a polygon in the notch of a concave shape does not touch it", "[geometry]") {
  const AreaLocator u = Single("GM0003", {{0, 0}, {0, 3}, {3, 3}, {3, 2}, {1, 2}, {1, 1}, {3, 1}, {3, 0}, {0, 0}});
  CHECK(u.Locate(Poly(Box(1.5, 1.2, 2.5, 1.8))).empty());
  CHECK(u.Locate(Poly(Box(1.5, 1.2, 2.5, 2.2))) == Codes{"GM0003"});
  // A concave query whose arms reach round a shape without touching it.
  const AreaLocator inner = Single("GM0004", Box(1.5, 1.2, 2.5, 1.8));
  CHECK(inner.Locate(Poly({{0, 0}, {0, 3}, {3, 3}, {3, 2}, {1, 2}, {1, 1}, {3, 1}, {3, 0}, {0, 0}})).empty());
}

TEST_CASE("Locate returns each touched code once, sorted", "[geometry]") {
  const AreaLocator loc({MunicipalityShape("GM0009", {Box(0, 2, 1, 3)}), MunicipalityShape("GM0001", {Box(0, 0, 1, 1)}),
                         MunicipalityShape("GM0005", {Box(5, 5, 6, 6)}),
                         MunicipalityShape("GM0001", {Box(0, 4, 1, 5), Box(3, 3, 4, 4)})});
  CHECK(loc.Locate(Poly(Box(0.5, -1, 0.6, 6))) == Codes{"GM0001", "GM0009"});
  CHECK(loc.Locate(Poly(Box(-10, -10, 10, 10))) == Codes{"GM0001", "GM0005", "GM0009"});
}

TEST_CASE("degenerate query polygons are located as what they collapse to", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(0, 0, 1, 1));
  SECTION("empty") { CHECK(loc.Locate(Poly({})).empty()); }
  SECTION("one point, repeated") {
    CHECK(loc.Locate(Poly({{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}})) == Codes{"GM0001"});
    CHECK(loc.Locate(Poly({{2, 2}, {2, 2}})).empty());
  }
  SECTION("a zero-area line across the shape") { CHECK(loc.Locate(Poly({{0.5, -1}, {0.5, 2}})) == Codes{"GM0001"}); }
  SECTION("a zero-area line beside the shape") { CHECK(loc.Locate(Poly({{2, -1}, {2, 2}, {2, -1}})).empty()); }
  SECTION("repeated vertices and an unclosed ring") {
    CHECK(loc.Locate(Poly({{0.2, 0.2}, {0.2, 0.2}, {0.2, 0.4}, {0.4, 0.4}, {0.4, 0.4}})) == Codes{"GM0001"});
  }
  SECTION("a self-intersecting bow tie") {
    CHECK(loc.Locate(Poly({{-1, -1}, {2, 2}, {2, -1}, {-1, 2}, {-1, -1}})) == Codes{"GM0001"});
  }
  SECTION("non-finite coordinates") {
    CHECK(loc.Locate(Poly({{0.5, 0.5}, {std::nan(""), 0.5}, {0.6, 0.6}})).empty());
    CHECK(loc.Locate(Point{std::nan(""), 0.5}).empty());
    CHECK(loc.Locate(Point{0.5, INFINITY}).empty());
  }
}

TEST_CASE("far-away polygons are not located in the region", "[geometry]") {
  const AreaLocator loc = Single("GM0796", Box(51.6, 5.2, 51.8, 5.5));
  CHECK(loc.Locate(Poly(Box(45, -80, 50, -70))).empty());          // Canada
  CHECK(loc.Locate(Poly(Box(-38, 140, -30, 150))).empty());        // Australia
  CHECK(loc.Locate(Poly(Box(-51.8, -5.5, -51.6, -5.2))).empty());  // the mirror image
  CHECK(loc.Locate(Point{51.7, 5.3 + 360}) == Codes{"GM0796"});    // the same place one turn east
}

// ----------------------------------------------------------------------------------------------
// The antimeridian and the poles

TEST_CASE("a polygon crossing the antimeridian is taken the short way round", "[geometry]") {
  const AreaLocator vr = Single("GM0796", Box(51.6, 5.2, 51.8, 5.5));
  // Read naively (lon -170..170) this band would cover the Netherlands.
  CHECK(vr.Locate(Poly({{40, 170}, {40, -170}, {60, -170}, {60, 170}, {40, 170}})).empty());

  // A shape straddling the antimeridian, like Fiji's or Chukotka's.
  const AreaLocator fiji = Single("GM9999", {{-17, 179}, {-17, -179}, {-16, -179}, {-16, 179}, {-17, 179}});
  CHECK(fiji.Locate(Point{-16.5, 179.5}) == Codes{"GM9999"});
  CHECK(fiji.Locate(Point{-16.5, -179.5}) == Codes{"GM9999"});
  CHECK(fiji.Locate(Point{-16.5, 180}) == Codes{"GM9999"});
  CHECK(fiji.Locate(Point{-16.5, 0}).empty());
  CHECK(fiji.Locate(Point{-16.5, 178.5}).empty());
  CHECK(fiji.Locate(Poly(Box(-16.8, -179.8, -16.2, -179.2))) == Codes{"GM9999"});
  CHECK(fiji.Locate(Poly({{-16.8, 179.8}, {-16.8, -178}, {-16.2, -178}, {-16.2, 179.8}})) == Codes{"GM9999"});
  CHECK(fiji.Locate(Poly(Box(-16.8, -178.5, -16.2, -178))).empty());
  // 0.1 degree of longitude east of the shape at -16.5 is ~10.7 km.
  CHECK(fiji.Locate(Circle{{-16.5, -178.9}, 11}) == Codes{"GM9999"});
  CHECK(fiji.Locate(Circle{{-16.5, -178.9}, 10}).empty());
  CHECK(fiji.Locate(Circle{{-16.5, 178.9}, 11}) == Codes{"GM9999"});
}

TEST_CASE("a polygon winding around a pole is not supported and matches nothing", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(80, 0, 85, 10));
  CHECK(loc.Locate(Poly({{70, 0}, {70, 90}, {70, 180}, {70, -90}, {70, 0}})).empty());
}

// ----------------------------------------------------------------------------------------------
// Circles

TEST_CASE("a circle touches a shape when its centre is inside or an edge is within the radius", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(52.0, 5.0, 52.1, 5.2));
  // A centre 10 km east of the eastern edge.
  const double ten_km_lon = 10.0 / (kKmPerDegree * std::cos(52.05 * 3.14159265358979323846 / 180.0));
  const Point east{52.05, 5.2 + ten_km_lon};
  CHECK(loc.Locate(Circle{east, 9.9}).empty());
  CHECK(loc.Locate(Circle{east, 10.0}) == Codes{"GM0001"});
  CHECK(loc.Locate(Circle{east, 10.1}) == Codes{"GM0001"});
  // 10 km north of the north-east corner is closest to the corner, not to an edge's extension.
  const Point north{52.1 + 10.0 / kKmPerDegree, 5.2 + ten_km_lon};
  CHECK(loc.Locate(Circle{north, 14.0}).empty());
  CHECK(loc.Locate(Circle{north, 14.2}) == Codes{"GM0001"});  // sqrt(2) * 10 = 14.14

  CHECK(loc.Locate(Circle{{52.05, 5.1}, 0.5}) == Codes{"GM0001"});  // inside, touching no edge
  CHECK(loc.Locate(Circle{{52.05, 5.1}, 100}) == Codes{"GM0001"});  // containing the shape
  CHECK(loc.Locate(Circle{{52.05, 5.1}, 0}) == Codes{"GM0001"});    // a point
  CHECK(loc.Locate(Circle{{52.05, 5.1}, -3}) == Codes{"GM0001"});   // negative: the centre alone
  CHECK(loc.Locate(Circle{east, -3}).empty());
  CHECK(loc.Locate(Circle{east, std::nan("")}).empty());
  CHECK(loc.Locate(Circle{{std::nan(""), 5}, 10}).empty());
}

TEST_CASE("a circle near a pole does not crash and still finds what it covers", "[geometry]") {
  const AreaLocator loc = Single("GM0001", Box(89.5, 0, 89.9, 10));
  CHECK(loc.Locate(Circle{{90, 0}, 20}) == Codes{"GM0001"});
  CHECK(loc.Locate(Circle{{90, 0}, 5}).empty());
  CHECK(loc.Locate(Circle{{89.7, 5}, 1}) == Codes{"GM0001"});
}

TEST_CASE("a circle of over 500 km uses great-circle distances", "[geometry]") {
  const AreaLocator loc = Single("GM0796", Box(51.6, 5.2, 51.8, 5.5));
  // Rome to the box's nearest corner (51.6, 5.5) is about 1,280 km.
  const Point rome{41.9028, 12.4964};
  CHECK(loc.Locate(Circle{rome, 1200}).empty());
  CHECK(loc.Locate(Circle{rome, 1350}) == Codes{"GM0796"});
  CHECK(loc.Locate(Circle{{51.7, 5.3}, 5000}) == Codes{"GM0796"});
}

// ----------------------------------------------------------------------------------------------
// Construction

TEST_CASE("unusable shapes are dropped and an AreaLocator without any is empty", "[geometry]") {
  CHECK(AreaLocator({}).empty());
  CHECK(AreaLocator({MunicipalityShape("GM0001", {})}).empty());
  CHECK(AreaLocator({MunicipalityShape("GM0001", {{{0, 0}, {1, 1}, {0, 0}}})}).empty());
  CHECK(AreaLocator({MunicipalityShape("GM0001", {{{0, 0}, {0, 1}, {std::nan(""), 1}, {0, 0}}})}).empty());

  const AreaLocator empty({});
  CHECK(empty.Locate(Point{0, 0}).empty());
  CHECK(empty.Locate(Poly(Box(0, 0, 1, 1))).empty());
  CHECK(empty.Locate(Circle{{0, 0}, 1000}).empty());

  // An unclosed ring is closed; a good ring survives next to a bad one.
  const AreaLocator loc({MunicipalityShape("GM0001", {{{0, 0}, {0, 1}, {1, 1}, {1, 0}}, {{5, 5}}})});
  CHECK_FALSE(loc.empty());
  CHECK(loc.Locate(Point{0.5, 0.5}) == Codes{"GM0001"});
  CHECK(loc.Locate(Point{5, 5}).empty());
}

TEST_CASE("MunicipalityShape caches its bounding box", "[geometry]") {
  const MunicipalityShape shape("GM0001", {Box(0, 0, 1, 1), Box(3, -2, 4, 2)});
  CHECK(shape.bounds.min_lat == 0);
  CHECK(shape.bounds.max_lat == 4);
  CHECK(shape.bounds.min_lon == -2);
  CHECK(shape.bounds.max_lon == 2);
  CHECK(MunicipalityShape().bounds.empty());
}

// ----------------------------------------------------------------------------------------------
// The VR21 boundaries of migrations/0006

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// gm_code -> its rings, from the INSERT rows of the migration.
std::map<std::string, std::vector<std::vector<Point>>> MigrationRings() {
  const std::string sql = ReadFile(std::string(VIK_SOURCE_DIR) + "/migrations/0006_municipality_boundaries.sql");
  std::map<std::string, std::vector<std::vector<Point>>> rings;
  // Rows look like ('GM0796', 1, 'lat,lon lat,lon ...', ...). (No std::regex: GCC 12 warns inside it
  // at -O2, and warnings are errors.)
  for (std::size_t at = sql.find("('GM"); at != std::string::npos; at = sql.find("('GM", at + 1)) {
    const std::string code = sql.substr(at + 2, 6);
    const std::size_t open = sql.find('\'', sql.find(',', at) + 1);
    const std::size_t close = sql.find('\'', open + 1);
    REQUIRE(close != std::string::npos);
    INFO(code);
    auto ring = ParseRing(std::string_view(sql).substr(open + 1, close - open - 1));
    REQUIRE(ring);
    rings[code].push_back(std::move(*ring));
  }
  return rings;
}

const AreaLocator& Vr21() {
  static const AreaLocator locator = [] {
    std::vector<MunicipalityShape> shapes;
    for (auto& [code, rings] : MigrationRings()) {
      shapes.emplace_back(code, rings);
    }
    return AreaLocator(std::move(shapes));
  }();
  return locator;
}

const Codes kVr21 = {"GM0755", "GM0757", "GM0796", "GM0797", "GM0828", "GM0845",
                     "GM0865", "GM1721", "GM1948", "GM1982", "GM1991"};

TEST_CASE("migration 0006 holds one closed ring of at most 200 vertices per current VR21 municipality",
          "[geometry][vr21]") {
  const auto rings = MigrationRings();
  Codes codes;
  for (const auto& [code, parts] : rings) {
    codes.push_back(code);
    REQUIRE(parts.size() == 1);
    const auto& ring = parts.front();
    INFO(code);
    CHECK(ring.size() >= 4);
    CHECK(ring.size() <= 200);
    CHECK(ring.front().lat == ring.back().lat);
    CHECK(ring.front().lon == ring.back().lon);
  }
  CHECK(codes == kVr21);
}

TEST_CASE("migration 0006 agrees with the GeoJSON it was generated from", "[geometry][vr21]") {
  const auto geojson =
      nlohmann::json::parse(ReadFile(std::string(VIK_SOURCE_DIR) + "/tests/data/geo/vr21_gemeenten_2025.geojson"));
  const auto rings = MigrationRings();
  REQUIRE(geojson["features"].size() == rings.size());
  for (const auto& feature : geojson["features"]) {
    const std::string code = feature["properties"]["statcode"];
    INFO(code);
    REQUIRE(feature["geometry"]["type"] == "Polygon");
    const auto& coords = feature["geometry"]["coordinates"][0];
    REQUIRE(rings.count(code) == 1);
    const auto& ring = rings.at(code).front();
    REQUIRE(ring.size() == coords.size());
    for (std::size_t i = 0; i < ring.size(); ++i) {
      CHECK(ring[i].lon == Approx(coords[i][0].get<double>()).margin(1e-9));
      CHECK(ring[i].lat == Approx(coords[i][1].get<double>()).margin(1e-9));
    }
  }
}

TEST_CASE("known places in VR21 are located in their municipality", "[geometry][vr21]") {
  const AreaLocator& vr21 = Vr21();
  REQUIRE_FALSE(vr21.empty());
  CHECK(vr21.Locate(Point{51.6886, 5.3039}) == Codes{"GM0796"});  // 's-Hertogenbosch, Markt
  CHECK(vr21.Locate(Point{51.765, 5.518}) == Codes{"GM0828"});    // Oss
  CHECK(vr21.Locate(Point{51.660, 5.618}) == Codes{"GM1991"});    // Uden
  CHECK(vr21.Locate(Point{51.727, 5.879}) == Codes{"GM1982"});    // Cuijk
  CHECK(vr21.Locate(Point{51.590, 5.329}) == Codes{"GM0757"});    // Boxtel
  CHECK(vr21.Locate(Point{51.652, 5.293}) == Codes{"GM0865"});    // Vught
  CHECK(vr21.Locate(Point{51.620, 5.547}) == Codes{"GM1948"});    // Veghel
  CHECK(vr21.Locate(Point{51.600, 5.709}) == Codes{"GM0755"});    // Boekel
  CHECK(vr21.Locate(Point{51.703, 5.562}) == Codes{"GM1721"});    // Nistelrode
  CHECK(vr21.Locate(Point{51.6417, 5.3528}) == Codes{"GM0845"});  // Sint-Michielsgestel
  CHECK(vr21.Locate(Point{51.686, 5.133}) == Codes{"GM0797"});    // Drunen
  CHECK(vr21.Locate(Point{52.3728, 4.8936}).empty());             // Amsterdam
  CHECK(vr21.Locate(Point{51.4416, 5.4697}).empty());             // Eindhoven
}

TEST_CASE("a 5 km circle around 's-Hertogenbosch touches it and its neighbours", "[geometry][vr21]") {
  // Nearest boundary (great-circle, by an independent check): Vught and 's-Hertogenbosch's own 1.3 km,
  // Sint-Michielsgestel 2.3 km, Heusden 3.9 km, Boxtel 6.0 km, Meierijstad 7.2 km, Oss 8.2 km.
  CHECK(Vr21().Locate(Circle{{51.6886, 5.3039}, 5}) == Codes{"GM0796", "GM0797", "GM0845", "GM0865"});
  CHECK(Vr21().Locate(Circle{{51.6886, 5.3039}, 6.5}) == Codes{"GM0757", "GM0796", "GM0797", "GM0845", "GM0865"});
  CHECK(Vr21().Locate(Circle{{51.6886, 5.3039}, 0.5}) == Codes{"GM0796"});
}

TEST_CASE("a polygon over the whole region touches all eleven municipalities", "[geometry][vr21]") {
  CHECK(Vr21().Locate(Poly(Box(51.4, 5.0, 51.9, 6.1))) == kVr21);
  CHECK(Vr21().Locate(Circle{{51.68, 5.55}, 60}) == kVr21);
  CHECK(Vr21().Locate(Poly(Box(52.2, 4.7, 52.5, 5.1))).empty());  // around Amsterdam
}

TEST_CASE("points, zero circles and tiny polygons at the same place agree", "[geometry][vr21]") {
  // Deterministic: mt19937's output is fixed by the standard (distributions are not, so none is used).
  std::mt19937 random(21);
  const auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * (random() / 4294967296.0); };
  int inside_region = 0;
  for (int i = 0; i < 2000; ++i) {
    const Point p{uniform(51.50, 51.85), uniform(5.10, 6.10)};
    INFO(p.lat << "," << p.lon);
    const Codes at_point = Vr21().Locate(p);
    CHECK(at_point.size() <= 1);  // random points never land exactly on a shared edge
    inside_region += at_point.empty() ? 0 : 1;
    CHECK(Vr21().Locate(Circle{p, 0}) == at_point);
    const Codes around =
        Vr21().Locate(Poly({{p.lat - 1e-4, p.lon}, {p.lat + 1e-4, p.lon + 1e-4}, {p.lat, p.lon - 1e-4}}));
    CHECK(std::includes(around.begin(), around.end(), at_point.begin(), at_point.end()));
    const Codes near = Vr21().Locate(Circle{p, 2});
    CHECK(std::includes(near.begin(), near.end(), around.begin(), around.end()));
  }
  CHECK(inside_region > 1000);
}

TEST_CASE("a municipality's own boundary as a polygon also touches the neighbours sharing its edges",
          "[geometry][vr21]") {
  const auto vught = MigrationRings().at("GM0865").front();
  CHECK(Vr21().Locate(Poly(vught)) == Codes{"GM0757", "GM0796", "GM0797", "GM0845", "GM0865"});
  // A small triangle well inside Vught touches Vught alone.
  CHECK(Vr21().Locate(Poly({{51.645, 5.28}, {51.655, 5.30}, {51.66, 5.27}, {51.645, 5.28}})) == Codes{"GM0865"});
}

}  // namespace
}  // namespace vik::domain
