// wire::FromProto / wire::ToProto / MergeViolations: vik.v1.Signal <-> domain::Signal.

#include <chrono>
#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include "domain/reference_data.h"
#include "domain/signal.h"
#include "domain/signal_validation.h"
#include "vik/v1/signal.pb.h"
#include "wire/signal_mapping.h"

namespace vik::exchange {
namespace {

using Strings = std::vector<std::string>;

constexpr std::int64_t kSent = 1'795'563'200;  // 2026-11-18T23:33:20Z

void SetPoint(v1::Point* p, double lat, double lon) {
  p->set_lat(lat);
  p->set_lon(lon);
}

// Every field set, including nanos, several list elements and attributes.
v1::Signal FullProto() {
  v1::Signal s;
  s.set_source("brandweer-vr21");
  s.set_external_id("inc:2026/00018");
  s.set_msg_type(v1::MSG_TYPE_UPDATE);
  v1::SignalReference* ref = s.add_references();
  ref->set_source("brandweer-vr21");
  ref->set_external_id("inc:2026/00017");
  ref = s.add_references();
  ref->set_source("politie");
  ref->set_external_id("p-991");
  s.set_status(v1::SIGNAL_STATUS_EXERCISE);
  s.set_kind(v1::SIGNAL_KIND_ASSESSMENT);
  s.add_categories(v1::CATEGORY_FIRE);
  s.add_categories(v1::CATEGORY_OTHER);
  s.set_theme("1.2.10");
  s.set_urgency(v1::URGENCY_FUTURE);
  s.set_severity(v1::SEVERITY_MINOR);
  s.set_certainty(v1::CERTAINTY_UNLIKELY);
  s.mutable_sent_at()->set_seconds(kSent);
  s.mutable_sent_at()->set_nanos(123'456'789);
  s.mutable_onset_at()->set_seconds(kSent - 600);
  s.mutable_expires_at()->set_seconds(kSent + 3600);
  s.mutable_expires_at()->set_nanos(1);
  v1::Area* area = s.mutable_area();
  area->set_description("Vughtse Heide");
  area->add_municipalities("GM0865");
  area->add_municipalities("GM0796");
  SetPoint(area->add_points(), 51.66, 5.29);
  SetPoint(area->add_points(), -0.5, -179.75);
  v1::Polygon* polygon = area->add_polygons();
  SetPoint(polygon->add_points(), 51.69, 5.30);
  SetPoint(polygon->add_points(), 51.69, 5.31);
  SetPoint(polygon->add_points(), 51.70, 5.31);
  SetPoint(polygon->add_points(), 51.69, 5.30);
  v1::Circle* circle = area->add_circles();
  SetPoint(circle->mutable_center(), 51.66, 5.29);
  circle->set_radius_km(2.5);
  v1::Geocode* geocode = area->add_geocodes();
  geocode->set_name("CBS");
  geocode->set_value("GM0865");
  s.set_headline("Natuurbrand Vughtse Heide");
  s.set_description("Grote heidebrand.");
  s.set_instruction("Sluit ramen en deuren.");
  s.set_sender_name("Brandweer Brabant-Noord");
  s.set_web("https://www.brabantalert.nl/incident/18");
  (*s.mutable_attributes())["vehicle.count"] = "3";
  (*s.mutable_attributes())["grip"] = "1";
  return s;
}

Strings Formatted(const std::vector<domain::FieldViolation>& violations) {
  Strings out;
  for (const domain::FieldViolation& v : violations) {
    out.push_back(domain::FormatViolation(v));
  }
  return out;
}

core::WallTime At(std::int64_t seconds, std::int64_t nanos) {
  return core::WallTime{} + std::chrono::seconds(seconds) +
         std::chrono::duration_cast<core::WallTime::duration>(std::chrono::nanoseconds(nanos));
}

TEST_CASE("a fully populated signal survives proto -> domain -> proto unchanged", "[exchange][signal_mapping]") {
  const v1::Signal in = FullProto();
  const wire::MappedSignal mapped = wire::FromProto(in);
  CHECK(Formatted(mapped.violations).empty());

  v1::Signal out;
  out.set_headline("stale content that wire::ToProto must clear");
  wire::ToProto(mapped.signal, &out);
  INFO("in:\n" << in.DebugString() << "out:\n" << out.DebugString());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(in, out));
}

TEST_CASE("fields map to their domain counterparts", "[exchange][signal_mapping]") {
  const wire::MappedSignal mapped = wire::FromProto(FullProto());
  const domain::Signal& s = mapped.signal;
  CHECK(s.source == "brandweer-vr21");
  CHECK(s.external_id == "inc:2026/00018");
  CHECK(s.msg_type == domain::MsgType::kUpdate);
  REQUIRE(s.references.size() == 2);
  CHECK(s.references[1].source == "politie");
  CHECK(s.references[1].external_id == "p-991");
  CHECK(s.status == domain::SignalStatus::kExercise);
  CHECK(s.kind == domain::SignalKind::kAssessment);
  CHECK(s.categories == std::vector<domain::Category>{domain::Category::kFire, domain::Category::kOther});
  CHECK(s.urgency == domain::Urgency::kFuture);
  CHECK(s.severity == domain::Severity::kMinor);
  CHECK(s.certainty == domain::Certainty::kUnlikely);
  CHECK(s.sent_at == At(kSent, 123'456'789));
  CHECK(s.onset_at == At(kSent - 600, 0));
  CHECK(s.expires_at == At(kSent + 3600, 1));
  CHECK(s.area.municipalities == std::vector<std::string>{"GM0865", "GM0796"});
  REQUIRE(s.area.points.size() == 2);
  CHECK(s.area.points[1].lat == -0.5);
  CHECK(s.area.points[1].lon == -179.75);
  REQUIRE(s.area.polygons.size() == 1);
  CHECK(s.area.polygons[0].points.size() == 4);
  REQUIRE(s.area.circles.size() == 1);
  CHECK(s.area.circles[0].radius_km == 2.5);
  REQUIRE(s.area.geocodes.size() == 1);
  CHECK(s.area.geocodes[0].value == "GM0865");
  CHECK(s.attributes == std::map<std::string, std::string>{{"grip", "1"}, {"vehicle.count", "3"}});

  domain::ReferenceData reference;
  reference.region = "VR21";
  reference.municipalities = {"GM0796", "GM0865"};
  reference.themes = {"1", "1.2"};
  CHECK(Formatted(domain::ValidateSignal(s, reference, domain::SignalLimits{}, At(kSent, 0))).empty());
}

TEST_CASE("unset timestamps and an empty area stay unset in both directions", "[exchange][signal_mapping]") {
  v1::Signal in;
  in.set_source("knmi");
  const wire::MappedSignal mapped = wire::FromProto(in);
  CHECK(mapped.violations.empty());
  CHECK_FALSE(mapped.signal.sent_at.has_value());
  CHECK_FALSE(mapped.signal.onset_at.has_value());
  CHECK_FALSE(mapped.signal.expires_at.has_value());

  v1::Signal out;
  wire::ToProto(mapped.signal, &out);
  CHECK_FALSE(out.has_sent_at());
  CHECK_FALSE(out.has_onset_at());
  CHECK_FALSE(out.has_expires_at());
  CHECK_FALSE(out.has_area());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(in, out));
}

TEST_CASE("times before 1970 and at nanosecond precision round trip", "[exchange][signal_mapping]") {
  v1::Signal in;
  in.mutable_sent_at()->set_seconds(-1);
  in.mutable_sent_at()->set_nanos(500'000'000);
  in.mutable_onset_at()->set_seconds(-9'000'000'000);   // 1684
  in.mutable_expires_at()->set_seconds(9'000'000'000);  // 2255
  in.mutable_expires_at()->set_nanos(999'999'999);
  const wire::MappedSignal mapped = wire::FromProto(in);
  CHECK(mapped.violations.empty());
  CHECK(mapped.signal.sent_at == core::WallTime{} - std::chrono::milliseconds(500));

  v1::Signal out;
  wire::ToProto(mapped.signal, &out);
  INFO("in:\n" << in.DebugString() << "out:\n" << out.DebugString());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(in, out));
}

TEST_CASE("enum values the domain does not know become violations and stay unspecified", "[exchange][signal_mapping]") {
  v1::Signal in = FullProto();
  in.set_msg_type(static_cast<v1::MsgType>(17));
  in.set_status(static_cast<v1::SignalStatus>(-1));
  in.set_kind(static_cast<v1::SignalKind>(6));
  in.mutable_categories()->Set(1, 99);
  in.set_urgency(static_cast<v1::Urgency>(6));
  in.set_severity(static_cast<v1::Severity>(1000));
  in.set_certainty(static_cast<v1::Certainty>(6));
  const wire::MappedSignal mapped = wire::FromProto(in);
  CHECK(Formatted(mapped.violations) == Strings{"msg_type: unknown value 17", "status: unknown value -1",
                                                "kind: unknown value 6", "categories[1]: unknown value 99",
                                                "urgency: unknown value 6", "severity: unknown value 1000",
                                                "certainty: unknown value 6"});
  const domain::Signal& s = mapped.signal;
  CHECK(s.msg_type == domain::MsgType::kUnspecified);
  CHECK(s.status == domain::SignalStatus::kUnspecified);
  CHECK(s.kind == domain::SignalKind::kUnspecified);
  CHECK(s.categories == std::vector<domain::Category>{domain::Category::kFire, domain::Category::kUnspecified});
  CHECK(s.urgency == domain::Urgency::kUnspecified);
  CHECK(s.severity == domain::Severity::kUnspecified);
  CHECK(s.certainty == domain::Certainty::kUnspecified);
}

TEST_CASE("timestamps out of range become violations and stay unset", "[exchange][signal_mapping]") {
  v1::Signal in = FullProto();
  SECTION("seconds beyond year 9999 or before year 1") {
    in.mutable_sent_at()->set_seconds(253'402'300'800);
    in.mutable_onset_at()->set_seconds(-62'135'596'801);
    const wire::MappedSignal mapped = wire::FromProto(in);
    CHECK(Formatted(mapped.violations) ==
          Strings{"sent_at: seconds 253402300800 are out of range", "onset_at: seconds -62135596801 are out of range"});
    CHECK_FALSE(mapped.signal.sent_at.has_value());
    CHECK_FALSE(mapped.signal.onset_at.has_value());
    CHECK(mapped.signal.expires_at.has_value());
  }
  SECTION("seconds a Timestamp allows but a WallTime cannot hold") {
    in.mutable_expires_at()->set_seconds(10'000'000'000);  // 2286
    const wire::MappedSignal mapped = wire::FromProto(in);
    CHECK(Formatted(mapped.violations) == Strings{"expires_at: seconds 10000000000 are out of range"});
    CHECK_FALSE(mapped.signal.expires_at.has_value());
  }
  SECTION("nanos outside 0..999999999") {
    in.mutable_sent_at()->set_nanos(1'000'000'000);
    in.mutable_expires_at()->set_nanos(-1);
    const wire::MappedSignal mapped = wire::FromProto(in);
    CHECK(Formatted(mapped.violations) == Strings{"sent_at: nanos 1000000000 are outside 0..999999999",
                                                  "expires_at: nanos -1 are outside 0..999999999"});
    CHECK_FALSE(mapped.signal.sent_at.has_value());
    CHECK_FALSE(mapped.signal.expires_at.has_value());
  }
}

TEST_CASE("mapping and validation violations merge in field order without repeats", "[exchange][signal_mapping]") {
  v1::Signal in = FullProto();
  in.set_source("");
  in.set_msg_type(static_cast<v1::MsgType>(17));
  in.mutable_categories()->Set(0, 42);
  in.mutable_sent_at()->set_nanos(-5);
  in.set_headline("");
  const wire::MappedSignal mapped = wire::FromProto(in);

  domain::ReferenceData reference;
  reference.region = "VR21";
  reference.municipalities = {"GM0796", "GM0865"};
  reference.themes = {"1", "1.2"};
  const auto validation = domain::ValidateSignal(mapped.signal, reference, domain::SignalLimits{}, At(kSent, 0));
  CHECK(Formatted(domain::MergeViolations(mapped.violations, validation)) ==
        Strings{"source: is required", "msg_type: unknown value 17", "categories[0]: unknown value 42",
                "sent_at: nanos -5 are outside 0..999999999", "headline: is required"});
}

}  // namespace
}  // namespace vik::exchange
