#include "domain/signal.h"

namespace vik::domain {
namespace {

template <typename E, std::size_t N>
const char* Lookup(E v, const char* const (&names)[N]) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? names[i] : "unspecified";
}

}  // namespace

const char* Name(MsgType v) {
  static const char* const kNames[] = {"unspecified", "alert", "update", "cancel"};
  return Lookup(v, kNames);
}
const char* Name(SignalStatus v) {
  static const char* const kNames[] = {"unspecified", "actual", "exercise", "system", "test", "draft"};
  return Lookup(v, kNames);
}
const char* Name(SignalKind v) {
  static const char* const kNames[] = {"unspecified", "incident", "warning", "observation", "forecast", "assessment"};
  return Lookup(v, kNames);
}
const char* Name(Category v) {
  static const char* const kNames[] = {"unspecified", "geo", "met",       "safety", "security", "rescue", "fire",
                                       "health",      "env", "transport", "infra",  "cbrne",    "other"};
  return Lookup(v, kNames);
}
const char* Name(Urgency v) {
  static const char* const kNames[] = {"unspecified", "immediate", "expected", "future", "past", "unknown"};
  return Lookup(v, kNames);
}
const char* Name(Severity v) {
  static const char* const kNames[] = {"unspecified", "extreme", "severe", "moderate", "minor", "unknown"};
  return Lookup(v, kNames);
}
const char* Name(Certainty v) {
  static const char* const kNames[] = {"unspecified", "observed", "likely", "possible", "unlikely", "unknown"};
  return Lookup(v, kNames);
}

}  // namespace vik::domain
