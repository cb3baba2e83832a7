// cap/values.h: CAP dateTime, polygon, circle, references and quoted lists.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "cap/values.h"

namespace vik::cap {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

core::WallTime Utc(int y, unsigned m, unsigned d, std::chrono::seconds s = 0s) {
  return std::chrono::time_point_cast<core::WallTime::duration>(
      sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} + s);
}

TEST_CASE("a CAP dateTime is converted to UTC using its offset", "[cap][values]") {
  CHECK(ParseDateTime("2003-06-17T14:57:00-07:00") == Utc(2003, 6, 17, 21h + 57min));
  CHECK(ParseDateTime("2024-03-01T00:30:00+01:00") == Utc(2024, 2, 29, 23h + 30min));
  CHECK(ParseDateTime("2024-03-01T10:00:00-00:00") == Utc(2024, 3, 1, 10h));
  CHECK(ParseDateTime("2024-03-01T10:00:00+05:45") == Utc(2024, 3, 1, 4h + 15min));
}

TEST_CASE("malformed CAP dateTimes are refused", "[cap][values]") {
  for (const char* bad : {"", "2003-06-17 14:57", "2003-06-17T14:57:00", "2003-06-17T14:57-07:00",
                          "2003-06-17T14:57:00Z", "2003-06-17T14:57:00.5-07:00", "2003-13-17T14:57:00-07:00",
                          "2023-02-29T14:57:00-07:00", "2003-06-17T24:00:00-07:00", "2003-06-17T14:60:00-07:00",
                          "2003-06-17T14:57:00-0700", "2003-06-17T14:57:00-07:00 ", "03-06-17T14:57:00-07:00",
                          "2003-06-17T14:57:00+15:00", "2003-06-17t14:57:00-07:00", "20a3-06-17T14:57:00-07:00"}) {
    INFO(bad);
    CHECK_FALSE(ParseDateTime(bad));
  }
}

TEST_CASE("dateTimes outside what WallTime can hold are refused, not overflowed", "[cap][values]") {
  CHECK_FALSE(ParseDateTime("9999-12-31T23:59:59+00:00"));
  CHECK_FALSE(ParseDateTime("0001-01-01T00:00:00-14:00"));
  CHECK_FALSE(ParseDateTime("2263-01-01T00:00:00+00:00"));
  CHECK(ParseDateTime("2261-12-31T23:59:59+00:00"));
  CHECK(ParseDateTime("1700-01-01T00:00:00+00:00"));
}

TEST_CASE("Z and fractional seconds pass only when allowed", "[cap][values]") {
  CHECK(ParseDateTime("2024-03-01T10:00:00Z", /*allow_z=*/true) == Utc(2024, 3, 1, 10h));
  CHECK_FALSE(ParseDateTime("2024-03-01T10:00:00.250+00:00", true, false));
  const auto t = ParseDateTime("2024-03-01T10:00:00.250+00:00", false, true);
  REQUIRE(t);
  CHECK(*t == Utc(2024, 3, 1, 10h) + std::chrono::milliseconds(250));
  CHECK_FALSE(ParseDateTime("2024-03-01T10:00:00.Z", true, true));
}

TEST_CASE("a polygon parses into closed points", "[cap][values]") {
  std::string error;
  const auto p = ParsePolygon(" 38.47,-120.14 38.34,-119.95\n38.52,-119.74 38.62,-119.89 38.47,-120.14 ", &error);
  REQUIRE(p);
  CHECK(error.empty());
  REQUIRE(p->size() == 5);
  CHECK((*p)[1].lat == 38.34);
  CHECK((*p)[1].lon == -119.95);
}

TEST_CASE("a leading plus sign on a coordinate is tolerated", "[cap][values]") {
  CHECK(ParsePolygon("+41.12,-117.61 +41.06,-117.47 +41.04,-117.47 +41.12,-117.61"));
}

TEST_CASE("bad polygons say what is wrong", "[cap][values]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "has 0 points (at least 4 required)"},
      {"1,1 2,2 1,1", "has 3 points (at least 4 required)"},
      {"1,1 2,2 3,3 4,4", "first and last points differ (a polygon must be closed)"},
      {"1,1 2;2 3,3 1,1", "point 1 '2;2' is not 'lat,lon'"},
      {"1,1 2,x 3,3 1,1", "point 1 '2,x' is not 'lat,lon' in decimal degrees"},
      {"1,1 nan,2 3,3 1,1", "point 1 'nan,2' is not 'lat,lon' in decimal degrees"},
      {"1,1 inf,2 3,3 1,1", "point 1 'inf,2' is not 'lat,lon' in decimal degrees"},
      {"1,1 1e999,2 3,3 1,1", "point 1 '1e999,2' is not 'lat,lon' in decimal degrees"},
      {"1,1 +-2,2 3,3 1,1", "point 1 '+-2,2' is not 'lat,lon' in decimal degrees"},
      {"-90.5,1 2,2 3,3 -90.5,1", "point 0 '-90.5,1': latitude is out of range (-90..90)"},
      {"1,-181 2,2 3,3 1,-181", "point 0 '1,-181': longitude is out of range (-180..180)"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    std::string error;
    CHECK_FALSE(ParsePolygon(text, &error));
    CHECK(error == message);
  }
  CHECK_FALSE(ParsePolygon("1,1"));  // no error sink is fine
}

TEST_CASE("a circle parses into centre and radius", "[cap][values]") {
  const auto c = ParseCircle("32.9525,-115.5527 0");
  REQUIRE(c);
  CHECK(c->center.lat == 32.9525);
  CHECK(c->center.lon == -115.5527);
  CHECK(c->radius_km == 0);
  const auto d = ParseCircle(" 52.1,4.3\t12.5 ");
  REQUIRE(d);
  CHECK(d->radius_km == 12.5);
}

TEST_CASE("bad circles say what is wrong", "[cap][values]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"52.1,4.3", "'52.1,4.3' is not 'lat,lon radius'"},
      {"52.1,4.3 1 2", "'52.1,4.3 1 2' is not 'lat,lon radius'"},
      {"52.1,4.3 -0.5", "radius '-0.5' is negative"},
      {"52.1,4.3 nan", "radius 'nan' is not a number"},
      {"95,4.3 1", "point 0 '95,4.3': latitude is out of range (-90..90)"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    std::string error;
    CHECK_FALSE(ParseCircle(text, &error));
    CHECK(error == message);
  }
}

TEST_CASE("references parse into triples in order", "[cap][values]") {
  const auto r = ParseReferences(
      " hsas@dhs.gov,43b080713727,2003-04-02T14:39:01-05:00\n\tKSTO@NWS.NOAA.GOV,KSTO1055887203,2003-06-17T14:57:00-07:"
      "00 ");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].sender == "hsas@dhs.gov");
  CHECK((*r)[0].identifier == "43b080713727");
  CHECK((*r)[1].sent == "2003-06-17T14:57:00-07:00");
  const auto empty = ParseReferences("  ");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("malformed references say which triple is wrong", "[cap][values]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a,b", "reference 'a,b' is not 'sender,identifier,sent'"},
      {"a,b,c,d", "reference 'a,b,c,d' is not 'sender,identifier,sent'"},
      {",b,2003-06-17T14:57:00-07:00", "reference ',b,2003-06-17T14:57:00-07:00' is not 'sender,identifier,sent'"},
      {"a,,2003-06-17T14:57:00-07:00", "reference 'a,,2003-06-17T14:57:00-07:00' is not 'sender,identifier,sent'"},
      {"a,b,", "reference 'a,b,' is not 'sender,identifier,sent'"},
      {"a,b,2003-06-17", "reference 'a,b,2003-06-17': '2003-06-17' is not a CAP dateTime"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    std::string error;
    CHECK_FALSE(ParseReferences(text, &error));
    CHECK(error == message);
  }
}

TEST_CASE("quoted lists split on whitespace and keep quoted values whole", "[cap][values]") {
  CHECK(SplitQuotedList("a@example.org  \"Ops Room\"\tb") ==
        std::vector<std::string>{"a@example.org", "Ops Room", "b"});
  CHECK(SplitQuotedList("").empty());
  CHECK(SplitQuotedList("  \"\"  ").empty());
  CHECK(SplitQuotedList("\"unterminated value") == std::vector<std::string>{"unterminated value"});
  CHECK(SplitQuotedList("x\"y z\"") == std::vector<std::string>{"x\"y", "z\""});
}

}  // namespace
}  // namespace vik::cap
