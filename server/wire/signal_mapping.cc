#include "wire/signal_mapping.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vik::wire {
namespace {

using domain::FieldViolation;

// Equal numeric values on both sides are what makes the enum mapping a cast after a range check.
static_assert(v1::MsgType_MIN == 0 && v1::MsgType_MAX == static_cast<int>(domain::MsgType::kCancel));
static_assert(v1::SignalStatus_MIN == 0 && v1::SignalStatus_MAX == static_cast<int>(domain::SignalStatus::kDraft));
static_assert(v1::SignalKind_MIN == 0 && v1::SignalKind_MAX == static_cast<int>(domain::SignalKind::kAssessment));
static_assert(v1::Category_MIN == 0 && v1::Category_MAX == static_cast<int>(domain::Category::kOther));
static_assert(v1::Urgency_MIN == 0 && v1::Urgency_MAX == static_cast<int>(domain::Urgency::kUnknown));
static_assert(v1::Severity_MIN == 0 && v1::Severity_MAX == static_cast<int>(domain::Severity::kUnknown));
static_assert(v1::Certainty_MIN == 0 && v1::Certainty_MAX == static_cast<int>(domain::Certainty::kUnknown));

// google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr std::int64_t kTimestampMinSeconds = -62135596800;
constexpr std::int64_t kTimestampMaxSeconds = 253402300799;
// What core::WallTime can hold, with room for the nanos added to the last second.
constexpr std::int64_t kWallMinSeconds =
    std::chrono::ceil<std::chrono::seconds>(core::WallTime::min().time_since_epoch()).count();
constexpr std::int64_t kWallMaxSeconds =
    std::chrono::floor<std::chrono::seconds>(core::WallTime::max().time_since_epoch()).count() - 1;
constexpr std::int64_t kMinSeconds = std::max(kTimestampMinSeconds, kWallMinSeconds);
constexpr std::int64_t kMaxSeconds = std::min(kTimestampMaxSeconds, kWallMaxSeconds);
constexpr std::int32_t kMaxNanos = 999'999'999;

class Mapper {
 public:
  MappedSignal Run(const v1::Signal& in) && {
    domain::Signal& s = out_.signal;
    s.source = in.source();
    s.external_id = in.external_id();
    s.msg_type = Enum<domain::MsgType>("msg_type", in.msg_type(), v1::MsgType_MAX);
    s.references.reserve(static_cast<std::size_t>(in.references_size()));
    for (const v1::SignalReference& r : in.references()) {
      s.references.push_back(domain::SignalReference{r.source(), r.external_id()});
    }
    s.status = Enum<domain::SignalStatus>("status", in.status(), v1::SignalStatus_MAX);
    s.kind = Enum<domain::SignalKind>("kind", in.kind(), v1::SignalKind_MAX);
    s.categories.reserve(static_cast<std::size_t>(in.categories_size()));
    for (int i = 0; i < in.categories_size(); ++i) {
      s.categories.push_back(
          Enum<domain::Category>("categories[" + std::to_string(i) + "]", in.categories(i), v1::Category_MAX));
    }
    s.theme = in.theme();
    s.urgency = Enum<domain::Urgency>("urgency", in.urgency(), v1::Urgency_MAX);
    s.severity = Enum<domain::Severity>("severity", in.severity(), v1::Severity_MAX);
    s.certainty = Enum<domain::Certainty>("certainty", in.certainty(), v1::Certainty_MAX);
    if (in.has_sent_at()) {
      s.sent_at = Time("sent_at", in.sent_at());
    }
    if (in.has_onset_at()) {
      s.onset_at = Time("onset_at", in.onset_at());
    }
    if (in.has_expires_at()) {
      s.expires_at = Time("expires_at", in.expires_at());
    }
    s.area = AreaFrom(in.area());
    s.headline = in.headline();
    s.description = in.description();
    s.instruction = in.instruction();
    s.sender_name = in.sender_name();
    s.web = in.web();
    for (const auto& [key, value] : in.attributes()) {
      s.attributes.emplace(key, value);
    }
    return std::move(out_);
  }

 private:
  template <typename E>
  E Enum(const std::string& path, int wire, int max) {
    if (wire < 0 || wire > max) {
      out_.violations.push_back(FieldViolation{path, "unknown value " + std::to_string(wire)});
      return E::kUnspecified;
    }
    return static_cast<E>(wire);
  }

  std::optional<core::WallTime> Time(const std::string& path, const google::protobuf::Timestamp& t) {
    if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds) {
      out_.violations.push_back(FieldViolation{path, "seconds " + std::to_string(t.seconds()) + " are out of range"});
      return std::nullopt;
    }
    if (t.nanos() < 0 || t.nanos() > kMaxNanos) {
      out_.violations.push_back(
          FieldViolation{path, "nanos " + std::to_string(t.nanos()) + " are outside 0..999999999"});
      return std::nullopt;
    }
    return core::WallTime{} + std::chrono::duration_cast<core::WallTime::duration>(std::chrono::seconds(t.seconds())) +
           std::chrono::floor<core::WallTime::duration>(std::chrono::nanoseconds(t.nanos()));
  }

  static domain::Point PointFrom(const v1::Point& p) { return domain::Point{p.lat(), p.lon()}; }

  static domain::Area AreaFrom(const v1::Area& a) {
    domain::Area out;
    out.description = a.description();
    out.municipalities.assign(a.municipalities().begin(), a.municipalities().end());
    out.points.reserve(static_cast<std::size_t>(a.points_size()));
    for (const v1::Point& p : a.points()) {
      out.points.push_back(PointFrom(p));
    }
    out.polygons.reserve(static_cast<std::size_t>(a.polygons_size()));
    for (const v1::Polygon& polygon : a.polygons()) {
      domain::Polygon& dp = out.polygons.emplace_back();
      dp.points.reserve(static_cast<std::size_t>(polygon.points_size()));
      for (const v1::Point& p : polygon.points()) {
        dp.points.push_back(PointFrom(p));
      }
    }
    out.circles.reserve(static_cast<std::size_t>(a.circles_size()));
    for (const v1::Circle& c : a.circles()) {
      out.circles.push_back(domain::Circle{PointFrom(c.center()), c.radius_km()});
    }
    out.geocodes.reserve(static_cast<std::size_t>(a.geocodes_size()));
    for (const v1::Geocode& g : a.geocodes()) {
      out.geocodes.push_back(domain::Geocode{g.name(), g.value()});
    }
    return out;
  }

  MappedSignal out_;
};

void SetTime(core::WallTime t, google::protobuf::Timestamp* out) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
  // Truncate toward zero first so that converting back cannot overflow near WallTime::min().
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(ns);
  auto rem = ns - secs;
  if (rem < std::chrono::nanoseconds::zero()) {
    secs -= std::chrono::seconds(1);
    rem += std::chrono::seconds(1);
  }
  out->set_seconds(secs.count());
  out->set_nanos(static_cast<std::int32_t>(rem.count()));
}

void SetPoint(const domain::Point& p, v1::Point* out) {
  out->set_lat(p.lat);
  out->set_lon(p.lon);
}

bool IsEmpty(const domain::Area& a) {
  return a.description.empty() && a.municipalities.empty() && a.points.empty() && a.polygons.empty() &&
         a.circles.empty() && a.geocodes.empty();
}

}  // namespace

MappedSignal FromProto(const v1::Signal& in) { return Mapper().Run(in); }

void ToProto(const domain::Signal& in, v1::Signal* out) {
  out->Clear();
  out->set_source(in.source);
  out->set_external_id(in.external_id);
  out->set_msg_type(static_cast<v1::MsgType>(in.msg_type));
  for (const domain::SignalReference& r : in.references) {
    v1::SignalReference* ref = out->add_references();
    ref->set_source(r.source);
    ref->set_external_id(r.external_id);
  }
  out->set_status(static_cast<v1::SignalStatus>(in.status));
  out->set_kind(static_cast<v1::SignalKind>(in.kind));
  for (domain::Category c : in.categories) {
    out->add_categories(static_cast<v1::Category>(c));
  }
  out->set_theme(in.theme);
  out->set_urgency(static_cast<v1::Urgency>(in.urgency));
  out->set_severity(static_cast<v1::Severity>(in.severity));
  out->set_certainty(static_cast<v1::Certainty>(in.certainty));
  if (in.sent_at) {
    SetTime(*in.sent_at, out->mutable_sent_at());
  }
  if (in.onset_at) {
    SetTime(*in.onset_at, out->mutable_onset_at());
  }
  if (in.expires_at) {
    SetTime(*in.expires_at, out->mutable_expires_at());
  }
  if (!IsEmpty(in.area)) {
    v1::Area* area = out->mutable_area();
    area->set_description(in.area.description);
    for (const std::string& m : in.area.municipalities) {
      area->add_municipalities(m);
    }
    for (const domain::Point& p : in.area.points) {
      SetPoint(p, area->add_points());
    }
    for (const domain::Polygon& polygon : in.area.polygons) {
      v1::Polygon* wire = area->add_polygons();
      for (const domain::Point& p : polygon.points) {
        SetPoint(p, wire->add_points());
      }
    }
    for (const domain::Circle& c : in.area.circles) {
      v1::Circle* wire = area->add_circles();
      SetPoint(c.center, wire->mutable_center());
      wire->set_radius_km(c.radius_km);
    }
    for (const domain::Geocode& g : in.area.geocodes) {
      v1::Geocode* wire = area->add_geocodes();
      wire->set_name(g.name);
      wire->set_value(g.value);
    }
  }
  out->set_headline(in.headline);
  out->set_description(in.description);
  out->set_instruction(in.instruction);
  out->set_sender_name(in.sender_name);
  out->set_web(in.web);
  auto& attributes = *out->mutable_attributes();
  for (const auto& [key, value] : in.attributes) {
    attributes[key] = value;
  }
}

}  // namespace vik::wire
