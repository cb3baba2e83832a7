#pragma once

// The domain model of a signal (see proto/vik/v1/signal.proto for the wire form and docs/api.md for
// every field). Pure data: no I/O, no protobuf. Enumerations mirror CAP 1.2; the numeric values
// equal the proto enum values so mapping is a cast after a range check.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace vik::domain {

enum class MsgType { kUnspecified = 0, kAlert = 1, kUpdate = 2, kCancel = 3 };
enum class SignalStatus { kUnspecified = 0, kActual = 1, kExercise = 2, kSystem = 3, kTest = 4, kDraft = 5 };
enum class SignalKind {
  kUnspecified = 0,
  kIncident = 1,
  kWarning = 2,
  kObservation = 3,
  kForecast = 4,
  kAssessment = 5
};
enum class Category {
  kUnspecified = 0,
  kGeo,
  kMet,
  kSafety,
  kSecurity,
  kRescue,
  kFire,
  kHealth,
  kEnv,
  kTransport,
  kInfra,
  kCbrne,
  kOther
};
enum class Urgency { kUnspecified = 0, kImmediate, kExpected, kFuture, kPast, kUnknown };
enum class Severity { kUnspecified = 0, kExtreme, kSevere, kModerate, kMinor, kUnknown };
enum class Certainty { kUnspecified = 0, kObserved, kLikely, kPossible, kUnlikely, kUnknown };

// Lower-case CAP-style names used in the database and logs: "alert", "actual", "met", "severe", ...
const char* Name(MsgType v);
const char* Name(SignalStatus v);
const char* Name(SignalKind v);
const char* Name(Category v);
const char* Name(Urgency v);
const char* Name(Severity v);
const char* Name(Certainty v);

// The inverse of Name: the value whose name is `name`, or nullopt (also for "unspecified").
template <typename E>
std::optional<E> FromName(std::string_view name) {
  for (int i = 1; i < 16; ++i) {
    const char* n = Name(static_cast<E>(i));
    if (std::string_view(n) == "unspecified") {
      return std::nullopt;
    }
    if (name == n) {
      return static_cast<E>(i);
    }
  }
  return std::nullopt;
}

struct Point {
  double lat = 0;
  double lon = 0;
};

struct Polygon {
  std::vector<Point> points;
};

struct Circle {
  Point center;
  double radius_km = 0;
};

struct Geocode {
  std::string name;
  std::string value;
};

struct Area {
  std::string description;
  std::vector<std::string> municipalities;  // CBS codes, e.g. "GM0796"
  std::vector<Point> points;
  std::vector<Polygon> polygons;
  std::vector<Circle> circles;
  std::vector<Geocode> geocodes;
};

struct SignalReference {
  std::string source;
  std::string external_id;
};

struct Signal {
  std::string source;
  std::string external_id;
  MsgType msg_type = MsgType::kUnspecified;
  std::vector<SignalReference> references;
  SignalStatus status = SignalStatus::kUnspecified;
  SignalKind kind = SignalKind::kUnspecified;
  std::vector<Category> categories;
  std::string theme;
  Urgency urgency = Urgency::kUnspecified;
  Severity severity = Severity::kUnspecified;
  Certainty certainty = Certainty::kUnspecified;
  std::optional<core::WallTime> sent_at;
  std::optional<core::WallTime> onset_at;
  std::optional<core::WallTime> expires_at;
  Area area;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string sender_name;
  std::string web;
  std::map<std::string, std::string> attributes;
};

}  // namespace vik::domain
