// domain::ValidateSignal and domain::FormatViolation: every rule with a failing and a passing example.

#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "domain/reference_data.h"
#include "domain/signal.h"
#include "domain/signal_validation.h"

namespace vik::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Strings = std::vector<std::string>;

// 2026-11-18T23:33:20Z.
const core::WallTime kNow{seconds{1'795'563'200}};

ReferenceData Vr21() {
  ReferenceData r;
  r.region = "VR21";
  r.municipalities = {"GM1721", "GM0755", "GM0757", "GM0796", "GM0797", "GM1982",
                      "GM1991", "GM1948", "GM0828", "GM0845", "GM0865"};
  r.themes = {"1",   "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2",   "2.1", "2.2", "3",
              "3.1", "3.2", "3.3", "4",   "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5",
              "5.1", "5.2", "5.3", "5.4", "6",   "6.1", "6.2", "7",   "7.1", "7.2"};
  return r;
}

// A closed ring around the centre of 's-Hertogenbosch.
Polygon Ring() { return Polygon{{{51.69, 5.30}, {51.69, 5.31}, {51.70, 5.31}, {51.69, 5.30}}}; }

// Every field populated, every value valid.
Signal ValidSignal() {
  Signal s;
  s.source = "brandweer-vr21";
  s.external_id = "inc:2026/00017@meldkamer_ob.1";
  s.msg_type = MsgType::kAlert;
  s.status = SignalStatus::kActual;
  s.kind = SignalKind::kIncident;
  s.categories = {Category::kFire, Category::kEnv};
  s.theme = "1.2.10";
  s.urgency = Urgency::kImmediate;
  s.severity = Severity::kSevere;
  s.certainty = Certainty::kObserved;
  s.sent_at = kNow - minutes(1);
  s.onset_at = kNow - minutes(20);
  s.expires_at = kNow + hours(6);
  s.area.description = "Heide bij Vught";
  s.area.municipalities = {"GM0865", "GM0796"};
  s.area.points = {{51.66, 5.29}};
  s.area.polygons = {Ring()};
  s.area.circles = {Circle{{51.66, 5.29}, 2.5}};
  s.area.geocodes = {Geocode{"CBS", "GM0865"}};
  s.headline = "Natuurbrand Vughtse Heide";
  s.description = "Grote heidebrand, rookontwikkeling richting 's-Hertogenbosch.";
  s.instruction = "Sluit ramen en deuren.";
  s.sender_name = "Brandweer Brabant-Noord";
  s.web = "https://www.brabantalert.nl/incident/17";
  s.attributes = {{"vehicle.count", "3"}, {"grip", "1"}};
  return s;
}

// Only what is required.
Signal MinimalSignal() {
  Signal s;
  s.source = "knmi";
  s.external_id = "w1";
  s.msg_type = MsgType::kAlert;
  s.status = SignalStatus::kActual;
  s.kind = SignalKind::kWarning;
  s.categories = {Category::kMet};
  s.theme = "1.3";
  s.urgency = Urgency::kExpected;
  s.severity = Severity::kModerate;
  s.certainty = Certainty::kLikely;
  s.sent_at = kNow;
  s.area.municipalities = {"GM0828"};
  s.headline = "Code oranje";
  return s;
}

Strings Formatted(const std::vector<FieldViolation>& violations) {
  Strings out;
  for (const FieldViolation& v : violations) {
    out.push_back(FormatViolation(v));
  }
  return out;
}

Strings Check(const Signal& s, const SignalLimits& limits = SignalLimits{}, core::WallTime now = kNow) {
  return Formatted(ValidateSignal(s, Vr21(), limits, now));
}

TEST_CASE("a fully populated valid signal has no violations", "[domain][signal_validation]") {
  CHECK(Check(ValidSignal()).empty());
}

TEST_CASE("a signal with only the required fields has no violations", "[domain][signal_validation]") {
  CHECK(Check(MinimalSignal()).empty());
}

TEST_CASE("a violation is formatted as field and description, optionally prefixed", "[domain][signal_validation]") {
  const FieldViolation v{"area.polygons[0]", "first and last point differ"};
  CHECK(FormatViolation(v) == "area.polygons[0]: first and last point differ");
  CHECK(FormatViolation(v, "signals[3]") == "signals[3].area.polygons[0]: first and last point differ");
  CHECK(FormatViolation(FieldViolation{"", "is empty"}, "signals[3]") == "signals[3]: is empty");
  CHECK(FormatViolation(FieldViolation{"", "is empty"}) == "is empty");
}

TEST_CASE("required strings, times and enumerations that are missing are reported", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("source") {
    s.source.clear();
    CHECK(Check(s) == Strings{"source: is required"});
  }
  SECTION("external_id") {
    s.external_id.clear();
    CHECK(Check(s) == Strings{"external_id: is required"});
  }
  SECTION("msg_type") {
    s.msg_type = MsgType::kUnspecified;
    CHECK(Check(s) == Strings{"msg_type: is required"});
  }
  SECTION("status") {
    s.status = SignalStatus::kUnspecified;
    CHECK(Check(s) == Strings{"status: is required"});
  }
  SECTION("kind") {
    s.kind = SignalKind::kUnspecified;
    CHECK(Check(s) == Strings{"kind: is required"});
  }
  SECTION("theme") {
    s.theme.clear();
    CHECK(Check(s) == Strings{"theme: is required"});
  }
  SECTION("urgency") {
    s.urgency = Urgency::kUnspecified;
    CHECK(Check(s) == Strings{"urgency: is required"});
  }
  SECTION("severity") {
    s.severity = Severity::kUnspecified;
    CHECK(Check(s) == Strings{"severity: is required"});
  }
  SECTION("certainty") {
    s.certainty = Certainty::kUnspecified;
    CHECK(Check(s) == Strings{"certainty: is required"});
  }
  SECTION("sent_at") {
    s.sent_at.reset();
    CHECK(Check(s) == Strings{"sent_at: is required"});
  }
  SECTION("headline") {
    s.headline.clear();
    CHECK(Check(s) == Strings{"headline: is required"});
  }
  SECTION("optional fields may be left out") {
    s.onset_at.reset();
    s.expires_at.reset();
    s.references.clear();
    s.description.clear();
    s.instruction.clear();
    s.sender_name.clear();
    s.web.clear();
    s.area.description.clear();
    s.attributes.clear();
    CHECK(Check(s).empty());
  }
}

TEST_CASE("a signal needs at least one known category", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("no category") {
    s.categories.clear();
    CHECK(Check(s) == Strings{"categories: needs at least one category"});
  }
  SECTION("an unspecified category") {
    s.categories = {Category::kFire, Category::kUnspecified};
    CHECK(Check(s) == Strings{"categories[1]: must not be unspecified"});
  }
  SECTION("a category beyond the enumeration") {
    s.categories = {static_cast<Category>(13)};
    CHECK(Check(s) == Strings{"categories[0]: unknown value 13"});
  }
  SECTION("every known category") {
    for (int v = 1; v <= static_cast<int>(Category::kOther); ++v) {
      INFO("category " << v);
      s.categories = {static_cast<Category>(v)};
      CHECK(Check(s).empty());
    }
  }
}

TEST_CASE("enumeration values beyond the enumeration's range are unknown", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("msg_type") {
    s.msg_type = static_cast<MsgType>(17);
    CHECK(Check(s) == Strings{"msg_type: unknown value 17"});
  }
  SECTION("status") {
    s.status = static_cast<SignalStatus>(-1);
    CHECK(Check(s) == Strings{"status: unknown value -1"});
  }
  SECTION("kind") {
    s.kind = static_cast<SignalKind>(6);
    CHECK(Check(s) == Strings{"kind: unknown value 6"});
  }
  SECTION("urgency, severity and certainty") {
    s.urgency = static_cast<Urgency>(6);
    s.severity = static_cast<Severity>(99);
    s.certainty = static_cast<Certainty>(6);
    CHECK(Check(s) == Strings{"urgency: unknown value 6", "severity: unknown value 99", "certainty: unknown value 6"});
  }
  SECTION("every known value") {
    for (int v = 1; v <= 5; ++v) {
      INFO("value " << v);
      s.status = static_cast<SignalStatus>(v);
      s.kind = static_cast<SignalKind>(v);
      s.urgency = static_cast<Urgency>(v);
      s.severity = static_cast<Severity>(v);
      s.certainty = static_cast<Certainty>(v);
      CHECK(Check(s).empty());
    }
  }
}

TEST_CASE("ids are 1 to max_id_bytes printable characters from a fixed set", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("every allowed character and the longest allowed id pass") {
    s.source = "AZaz09._:@/-";
    s.external_id = std::string(128, 'x');
    CHECK(Check(s).empty());
  }
  SECTION("an id over the limit") {
    s.external_id = std::string(129, 'x');
    CHECK(Check(s) == Strings{"external_id: is 129 bytes long (limit 128)"});
  }
  SECTION("an id with a space") {
    s.source = "bra ndweer";
    CHECK(Check(s) == Strings{"source: contains \" \" at byte 3; allowed are A-Z a-z 0-9 . _ : @ / -"});
  }
  SECTION("an id with a control character or non-ASCII byte") {
    s.source = "a\nb";
    s.external_id = "caf\xc3\xa9";
    CHECK(Check(s) == Strings{"source: contains \"\\x0a\" at byte 1; allowed are A-Z a-z 0-9 . _ : @ / -",
                              "external_id: contains \"\\xc3\" at byte 3; allowed are A-Z a-z 0-9 . _ : @ / -"});
  }
  SECTION("reference ids follow the same rules") {
    s.msg_type = MsgType::kUpdate;
    s.references = {{"politie", "a b"}, {"", "x"}, {"knmi", std::string(129, 'k')}};
    CHECK(Check(s) ==
          Strings{"references[0].external_id: contains \" \" at byte 1; allowed are A-Z a-z 0-9 . _ : @ / -",
                  "references[1].source: is required", "references[2].external_id: is 129 bytes long (limit 128)"});
  }
  SECTION("valid reference ids") {
    s.msg_type = MsgType::kUpdate;
    s.references = {{"politie", "p/2026:1"}, {"brandweer-vr21", "inc:2026/00016"}};
    CHECK(Check(s).empty());
  }
}

TEST_CASE("updates and cancels reference earlier signals, alerts none", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("an update without a reference") {
    s.msg_type = MsgType::kUpdate;
    CHECK(Check(s) == Strings{"references: needs at least one reference for an update"});
  }
  SECTION("a cancel without a reference") {
    s.msg_type = MsgType::kCancel;
    CHECK(Check(s) == Strings{"references: needs at least one reference for a cancel"});
  }
  SECTION("an alert with a reference") {
    s.references = {{"brandweer-vr21", "inc:2026/00016"}};
    CHECK(Check(s) == Strings{"references: must be empty for an alert"});
  }
  SECTION("a reference to the signal itself") {
    s.msg_type = MsgType::kUpdate;
    s.references = {{"brandweer-vr21", "inc:2026/00016"}, {s.source, s.external_id}};
    CHECK(Check(s) == Strings{"references[1]: refers to the signal itself"});
  }
  SECTION("an update and a cancel with a reference") {
    s.references = {{"brandweer-vr21", "inc:2026/00016"}};
    s.msg_type = MsgType::kUpdate;
    CHECK(Check(s).empty());
    s.msg_type = MsgType::kCancel;
    CHECK(Check(s).empty());
  }
  SECTION("the same external id from another source is not a self-reference") {
    s.msg_type = MsgType::kUpdate;
    s.references = {{"politie", s.external_id}};
    CHECK(Check(s).empty());
  }
}

TEST_CASE("the theme must be a code of the crisis taxonomy", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("known themes, crisis types and incident types") {
    for (const char* theme : {"1", "1.3", "1.3.20", "7.2", "5.3.10"}) {
      INFO(theme);
      s.theme = theme;
      CHECK(Check(s).empty());
    }
  }
  SECTION("an unknown code") {
    s.theme = "9.9";
    CHECK(Check(s) == Strings{"theme: unknown theme code \"9.9\""});
  }
  SECTION("an incident type under an unknown crisis type") {
    s.theme = "1.9.10";
    CHECK(Check(s) == Strings{"theme: unknown theme code \"1.9.10\""});
  }
  SECTION("a theme over the limit") {
    s.theme = "1.3.20.1.1.1.1.1.1";
    CHECK(Check(s) == Strings{"theme: is 18 bytes long (limit 16)"});
  }
}

TEST_CASE("times are in order and sent_at is not ahead of the server clock", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("expires before onset") {
    s.onset_at = kNow + hours(2);
    s.expires_at = kNow + hours(1);
    CHECK(Check(s) == Strings{"expires_at: is before onset_at"});
  }
  SECTION("expires at onset") {
    s.onset_at = kNow + hours(1);
    s.expires_at = kNow + hours(1);
    CHECK(Check(s).empty());
  }
  SECTION("expires at or before sent_at") {
    s.onset_at.reset();
    s.expires_at = *s.sent_at;
    CHECK(Check(s) == Strings{"expires_at: is not after sent_at"});
    s.expires_at = *s.sent_at - seconds(1);
    CHECK(Check(s) == Strings{"expires_at: is not after sent_at"});
    s.expires_at = *s.sent_at + seconds(1);
    CHECK(Check(s).empty());
  }
  SECTION("sent_at ahead of the clock, then the clock catches up") {
    core::FakeClock clock(kNow);
    s.sent_at = clock.Now() + minutes(12);
    CHECK(Check(s, SignalLimits{}, clock.Now()) == Strings{"sent_at: is 12m ahead of the server clock (limit 5m)"});
    clock.Advance(minutes(7));
    CHECK(Check(s, SignalLimits{}, clock.Now()).empty());
  }
  SECTION("sent_at just over the skew limit") {
    s.sent_at = kNow + minutes(5) + seconds(1);
    CHECK(Check(s) == Strings{"sent_at: is 5m1s ahead of the server clock (limit 5m)"});
  }
  SECTION("sent_at long ago") {
    s.sent_at = kNow - hours(24 * 365);
    s.onset_at.reset();
    CHECK(Check(s).empty());
  }
}

TEST_CASE("an area needs at least one location", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  const Area full = s.area;
  s.area = Area{};
  SECTION("nothing") {
    s.area.description = "Ergens";
    CHECK(Check(s) == Strings{"area: needs at least one municipality, point, polygon, circle or geocode"});
  }
  SECTION("any one kind of location is enough") {
    Area one;
    one.municipalities = full.municipalities;
    Area point;
    point.points = full.points;
    Area polygon;
    polygon.polygons = full.polygons;
    Area circle;
    circle.circles = full.circles;
    Area geocode;
    geocode.geocodes = full.geocodes;
    for (const Area& a : {one, point, polygon, circle, geocode}) {
      s.area = a;
      CHECK(Check(s).empty());
    }
  }
}

TEST_CASE("municipalities are codes of the region, each named once", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("all eleven VR21 municipalities") {
    s.area.municipalities = {"GM1721", "GM0755", "GM0757", "GM0796", "GM0797", "GM1982",
                             "GM1991", "GM1948", "GM0828", "GM0845", "GM0865"};
    CHECK(Check(s).empty());
  }
  SECTION("a municipality outside the region") {
    s.area.municipalities = {"GM0796", "GM0772"};
    CHECK(Check(s) == Strings{"area.municipalities[1]: unknown municipality \"GM0772\" (not in region VR21)"});
  }
  SECTION("a repeated municipality") {
    s.area.municipalities = {"GM0796", "GM0828", "GM0796"};
    CHECK(Check(s) == Strings{"area.municipalities[2]: repeats \"GM0796\" (also at [0])"});
  }
}

TEST_CASE("points are finite WGS84 coordinates", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("the corners of the range") {
    s.area.points = {{90, 180}, {-90, -180}, {0, 0}};
    CHECK(Check(s).empty());
  }
  SECTION("out of range") {
    s.area.points = {{51.7, 5.3}, {90.5, 5.3}, {51.7, -180.25}};
    CHECK(Check(s) == Strings{"area.points[1]: latitude 90.5 is outside -90..90",
                              "area.points[2]: longitude -180.25 is outside -180..180"});
  }
  SECTION("not finite") {
    s.area.points = {{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}};
    CHECK(Check(s) == Strings{"area.points[0]: latitude is not a finite number",
                              "area.points[0]: longitude is not a finite number"});
  }
}

TEST_CASE("polygons are closed rings of at least four valid points", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("a closed ring") {
    s.area.polygons = {Ring(), Ring()};
    CHECK(Check(s).empty());
  }
  SECTION("too few points") {
    s.area.polygons = {Polygon{{{51.69, 5.30}, {51.69, 5.31}, {51.69, 5.30}}}};
    CHECK(Check(s) == Strings{"area.polygons[0]: has 3 points (needs at least 4)"});
  }
  SECTION("first and last point differ") {
    Polygon open = Ring();
    open.points.back().lon = 5.32;
    s.area.polygons = {Ring(), open};
    CHECK(Check(s) == Strings{"area.polygons[1]: first and last point differ"});
  }
  SECTION("a point out of range") {
    Polygon bad = Ring();
    bad.points[2].lat = 95;
    s.area.polygons = {bad};
    CHECK(Check(s) == Strings{"area.polygons[0].points[2]: latitude 95 is outside -90..90"});
  }
}

TEST_CASE("circles have a valid center and a radius above 0 and up to 1000 km", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("the smallest and largest radius") {
    s.area.circles = {Circle{{51.7, 5.3}, 0.001}, Circle{{51.7, 5.3}, 1000}};
    CHECK(Check(s).empty());
  }
  SECTION("a center out of range") {
    s.area.circles = {Circle{{51.7, 200}, 1}};
    CHECK(Check(s) == Strings{"area.circles[0].center: longitude 200 is outside -180..180"});
  }
  SECTION("a radius that is zero, negative, too large or not finite") {
    s.area.circles = {Circle{{51.7, 5.3}, 0}, Circle{{51.7, 5.3}, -1}, Circle{{51.7, 5.3}, 1000.5},
                      Circle{{51.7, 5.3}, std::numeric_limits<double>::quiet_NaN()}};
    CHECK(Check(s) == Strings{"area.circles[0].radius_km: must be greater than 0 (got 0)",
                              "area.circles[1].radius_km: must be greater than 0 (got -1)",
                              "area.circles[2].radius_km: is 1000.5 (limit 1000)",
                              "area.circles[3].radius_km: is not a finite number"});
  }
}

TEST_CASE("geocodes have a name and a value within the short text limit", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("name and value present, the value at the limit") {
    s.area.geocodes = {Geocode{"CBS", "GM0796"}, Geocode{"postcode", std::string(512, 'p')}};
    CHECK(Check(s).empty());
  }
  SECTION("empty name, long value") {
    s.area.geocodes = {Geocode{"CBS", "GM0796"}, Geocode{"", std::string(513, 'p')}};
    CHECK(Check(s) ==
          Strings{"area.geocodes[1].name: is required", "area.geocodes[1].value: is 513 bytes long (limit 512)"});
  }
  SECTION("empty value") {
    s.area.geocodes = {Geocode{"CBS", ""}};
    CHECK(Check(s) == Strings{"area.geocodes[0].value: is required"});
  }
}

TEST_CASE("web is empty or an http(s) URL without spaces", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("valid URLs") {
    for (const char* web : {"", "http://vr21.nl", "HTTPS://Example.nl/p?q=1#x"}) {
      INFO(web);
      s.web = web;
      CHECK(Check(s).empty());
    }
  }
  SECTION("another scheme or no host") {
    for (const char* web : {"ftp://vr21.nl", "www.vr21.nl", "https://", "http:///path"}) {
      INFO(web);
      s.web = web;
      CHECK(Check(s) == Strings{"web: is not an http:// or https:// URL"});
    }
  }
  SECTION("a space") {
    s.web = "https://vr21.nl/a b";
    CHECK(Check(s) == Strings{"web: contains a space or control character"});
  }
  SECTION("over the limit") {
    s.web = "https://vr21.nl/" + std::string(2048 - 16 + 1, 'a');
    CHECK(Check(s) == Strings{"web: is 2049 bytes long (limit 2048)"});
  }
}

TEST_CASE("every string is within its byte limit", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("at the limits") {
    s.headline = std::string(256, 'h');
    s.description = std::string(16 * 1024, 'd');
    s.instruction = std::string(16 * 1024, 'i');
    s.sender_name = std::string(512, 's');
    s.area.description = std::string(512, 'a');
    CHECK(Check(s).empty());
  }
  SECTION("one byte over") {
    s.headline = std::string(257, 'h');
    s.description = std::string(16 * 1024 + 1, 'd');
    s.instruction = std::string(16 * 1024 + 1, 'i');
    s.sender_name = std::string(513, 's');
    s.area.description = std::string(513, 'a');
    CHECK(Check(s) ==
          Strings{"area.description: is 513 bytes long (limit 512)", "headline: is 257 bytes long (limit 256)",
                  "description: is 16385 bytes long (limit 16384)", "instruction: is 16385 bytes long (limit 16384)",
                  "sender_name: is 513 bytes long (limit 512)"});
  }
}

TEST_CASE("strings must be valid UTF-8", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("multi-byte text") {
    s.headline = "Brand in caf\xc3\xa9 \xe2\x80\x93 \xf0\x9f\x9a\x92";
    s.attributes = {{"naam", "Sint-Michielsgestel \xe2\x82\xac"}};
    CHECK(Check(s).empty());
  }
  SECTION("invalid, overlong, surrogate and truncated sequences") {
    for (const char* bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82", "\xf4\x90\x80\x80"}) {
      s.headline = bad;
      CHECK(Check(s) == Strings{"headline: is not valid UTF-8"});
    }
  }
  SECTION("in every free-text field") {
    s.area.description = "\xff";
    s.area.geocodes = {Geocode{"\xff", "\xff"}};
    s.description = "\xff";
    s.instruction = "\xff";
    s.sender_name = "\xff";
    s.web = "https://vr21.nl/\xff";
    s.attributes = {{"k", "\xff"}};
    CHECK(Check(s) == Strings{"area.description: is not valid UTF-8", "area.geocodes[0].name: is not valid UTF-8",
                              "area.geocodes[0].value: is not valid UTF-8", "description: is not valid UTF-8",
                              "instruction: is not valid UTF-8", "sender_name: is not valid UTF-8",
                              "web: is not valid UTF-8", "attributes[\"k\"]: value is not valid UTF-8"});
  }
}

TEST_CASE("attributes have valid keys and short values", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("keys and values at the limits") {
    s.attributes = {{std::string(64, 'k'), std::string(1024, 'v')}, {"A.z_0-9", ""}};
    CHECK(Check(s).empty());
  }
  SECTION("an empty key") {
    s.attributes = {{"", "x"}};
    CHECK(Check(s) == Strings{"attributes[\"\"]: key is empty"});
  }
  SECTION("a key with a character outside the set") {
    s.attributes = {{"a b", "x"}, {"c\"d", "y"}};
    CHECK(Check(s) ==
          Strings{"attributes[\"a b\"]: key contains \" \" at byte 1; allowed are A-Z a-z 0-9 . _ -",
                  "attributes[\"c\\\"d\"]: key contains \"\\\"\" at byte 1; allowed are A-Z a-z 0-9 . _ -"});
  }
  SECTION("a key or value over the limit") {
    s.attributes = {{std::string(65, 'k'), "x"}, {"v", std::string(1025, 'v')}};
    CHECK(Check(s) == Strings{"attributes[\"" + std::string(64, 'k') + "\"...]: key is 65 bytes long (limit 64)",
                              "attributes[\"v\"]: value is 1025 bytes long (limit 1024)"});
  }
}

TEST_CASE("a list over its count limit is reported once, elements beyond it unchecked", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SignalLimits limits;
  const Point bad_point{99, 0};
  SECTION("references") {
    limits.max_references = 1;
    s.msg_type = MsgType::kUpdate;
    s.references = {{"politie", "p1"}, {"", ""}};
    CHECK(Check(s, limits) == Strings{"references: has 2 references (limit 1)"});
  }
  SECTION("categories") {
    limits.max_categories = 2;
    s.categories = {Category::kFire, Category::kEnv, Category::kUnspecified};
    CHECK(Check(s, limits) == Strings{"categories: has 3 categories (limit 2)"});
  }
  SECTION("municipalities") {
    limits.max_municipalities = 2;
    s.area.municipalities = {"GM0796", "GM0828", "GM9999"};
    CHECK(Check(s, limits) == Strings{"area.municipalities: has 3 municipalities (limit 2)"});
  }
  SECTION("points, checked up to the limit") {
    limits.max_points = 2;
    s.area.points = {bad_point, {51.7, 5.3}, bad_point};
    CHECK(Check(s, limits) ==
          Strings{"area.points: has 3 points (limit 2)", "area.points[0]: latitude 99 is outside -90..90"});
  }
  SECTION("polygons") {
    limits.max_polygons = 1;
    s.area.polygons = {Ring(), Polygon{}};
    CHECK(Check(s, limits) == Strings{"area.polygons: has 2 polygons (limit 1)"});
  }
  SECTION("polygon points") {
    limits.max_polygon_points = 4;
    Polygon big = Ring();
    big.points.insert(big.points.begin() + 1, bad_point);
    s.area.polygons = {big};
    CHECK(Check(s, limits) == Strings{"area.polygons[0]: has 5 points (limit 4)",
                                      "area.polygons[0].points[1]: latitude 99 is outside -90..90"});
  }
  SECTION("circles") {
    limits.max_circles = 1;
    s.area.circles = {Circle{{51.7, 5.3}, 1}, Circle{bad_point, -1}};
    CHECK(Check(s, limits) == Strings{"area.circles: has 2 circles (limit 1)"});
  }
  SECTION("geocodes") {
    limits.max_geocodes = 1;
    s.area.geocodes = {Geocode{"CBS", "GM0796"}, Geocode{}};
    CHECK(Check(s, limits) == Strings{"area.geocodes: has 2 geocodes (limit 1)"});
  }
  SECTION("attributes") {
    limits.max_attributes = 2;
    s.attributes = {{"a", "1"}, {"b", "2"}, {"c d", "3"}};
    CHECK(Check(s, limits) == Strings{"attributes: has 3 attributes (limit 2)"});
  }
  SECTION("lists at their limits") {
    limits.max_references = 1;
    limits.max_categories = 2;
    limits.max_municipalities = 2;
    limits.max_points = 1;
    limits.max_polygons = 1;
    limits.max_polygon_points = 4;
    limits.max_circles = 1;
    limits.max_geocodes = 1;
    limits.max_attributes = 2;
    s.msg_type = MsgType::kUpdate;
    s.references = {{"politie", "p1"}};
    CHECK(Check(s, limits).empty());
  }
}

TEST_CASE("all violations are reported in field order", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  s.source.clear();
  s.msg_type = MsgType::kCancel;
  s.categories.clear();
  s.theme = "8";
  s.sent_at = kNow + hours(1);
  s.expires_at = kNow;
  s.area.polygons = {Polygon{{{1, 1}, {2, 2}, {3, 3}, {1, 4}}}};
  s.headline.clear();
  s.web = "mailto:x@vr21.nl";
  s.attributes = {{"", ""}};
  CHECK(Check(s) == Strings{"source: is required", "references: needs at least one reference for a cancel",
                            "categories: needs at least one category", "theme: unknown theme code \"8\"",
                            "sent_at: is 1h ahead of the server clock (limit 5m)", "expires_at: is not after sent_at",
                            "area.polygons[0]: first and last point differ", "headline: is required",
                            "web: is not an http:// or https:// URL", "attributes[\"\"]: key is empty"});
}

TEST_CASE("text fields refuse NUL and control characters but keep tab and newlines", "[domain][signal_validation]") {
  Signal s = ValidSignal();
  SECTION("tab, LF and CR are free text") {
    s.description = "regel 1\nregel 2\r\n\tingesprongen";
    s.attributes = {{"note", "a\tb\nc"}};
    CHECK(Check(s).empty());
  }
  SECTION("a\\u0001b in an attribute value, ESC in the headline, NUL in a description, C1 in an instruction") {
    s.attributes = {{"note",
                     "a\x01"
                     "b"}};
    s.headline = "rood\x1b[2J";
    s.description = std::string("a\0b", 3);
    s.instruction =
        "x\xc2\x9b"
        "y";
    CHECK(Check(s) == Strings{"headline: contains control character \"\\x1b\" at byte 4",
                              "description: contains a NUL character",
                              "instruction: contains control character \"\\xc2\" at byte 1",
                              "attributes[\"note\"]: value contains control character \"\\x01\" at byte 1"});
  }
}

TEST_CASE("FindControlCharacter finds C0, DEL and C1, and tab and newlines only when asked", "[domain][text]") {
  CHECK(FindControlCharacter("plain text, caf\xc3\xa9", false) == std::string_view::npos);
  CHECK(FindControlCharacter("a\tb", true) == std::string_view::npos);
  CHECK(FindControlCharacter("a\tb", false) == 1);
  CHECK(FindControlCharacter("ab\n", false) == 2);
  CHECK(FindControlCharacter("ab\x7f", true) == 2);
  CHECK(FindControlCharacter("a\xc2\x85", true) == 1);                       // NEL, a C1 control
  CHECK(FindControlCharacter("a\xc2\xa0", true) == std::string_view::npos);  // NBSP is text
  CHECK(FindControlCharacter(std::string_view("\0", 1), true) == 0);
}

}  // namespace
}  // namespace vik::domain

TEST_CASE("texts with control characters other than tab, newline and carriage return are refused",
          "[domain][validation]") {
  vik::domain::ReferenceData reference;
  reference.region = "VR21";
  reference.municipalities = {"GM0796"};
  reference.themes = {"2", "2.1"};
  vik::domain::Signal s;
  s.source = "brandweer-vr21";
  s.external_id = "x-1";
  s.msg_type = vik::domain::MsgType::kAlert;
  s.status = vik::domain::SignalStatus::kActual;
  s.kind = vik::domain::SignalKind::kIncident;
  s.categories = {vik::domain::Category::kFire};
  s.theme = "2.1";
  s.urgency = vik::domain::Urgency::kImmediate;
  s.severity = vik::domain::Severity::kSevere;
  s.certainty = vik::domain::Certainty::kObserved;
  s.sent_at = vik::core::WallTime{std::chrono::seconds(1795000000)};
  s.area.municipalities = {"GM0796"};
  s.headline = "Brand";
  s.description = "regel 1\nregel 2\ttab\r\n";
  const auto now = vik::core::WallTime{std::chrono::seconds(1795000100)};
  CHECK(vik::domain::ValidateSignal(s, reference, {}, now).empty());
  s.description = "bel\x07";
  const auto v = vik::domain::ValidateSignal(s, reference, {}, now);
  REQUIRE(v.size() == 1);
  CHECK(v[0].field == "description");
  CHECK_THAT(v[0].description, Catch::Contains("control character"));
}
