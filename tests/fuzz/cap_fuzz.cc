// libFuzzer target for the CAP module: untrusted bytes through ParseAlert, then Validate and the
// typed-value functions on every field they apply to. Built and run by tests/fuzz/run.sh.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cap/parser.h"
#include "cap/validator.h"
#include "cap/values.h"

namespace {

void DateTimeAllWays(std::string_view text) {
  for (const bool z : {false, true}) {
    for (const bool fraction : {false, true}) {
      (void)vik::cap::ParseDateTime(text, z, fraction);
    }
  }
}

void Values(const vik::cap::Alert& alert) {
  std::string error;
  DateTimeAllWays(alert.sent);
  (void)vik::cap::ParseReferences(alert.references, &error);
  (void)vik::cap::SplitQuotedList(alert.addresses);
  (void)vik::cap::SplitQuotedList(alert.incidents);
  for (const auto& info : alert.infos) {
    DateTimeAllWays(info.effective);
    DateTimeAllWays(info.onset);
    DateTimeAllWays(info.expires);
    for (const auto& area : info.areas) {
      for (const auto& p : area.polygons) {
        (void)vik::cap::ParsePolygon(p, &error);
      }
      for (const auto& c : area.circles) {
        (void)vik::cap::ParseCircle(c, &error);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The value functions also take raw text (short inputs reach their edge cases directly).
  if (size <= 4096) {
    std::string error;
    DateTimeAllWays(bytes);
    (void)vik::cap::ParsePolygon(bytes, &error);
    (void)vik::cap::ParseCircle(bytes, &error);
    (void)vik::cap::ParseReferences(bytes, &error);
    (void)vik::cap::SplitQuotedList(bytes);
  }
  const auto parsed = vik::cap::ParseAlert(bytes);
  if (!parsed.ok()) {
    return 0;
  }
  std::size_t total = 0;
  for (const auto& v : vik::cap::Validate(*parsed)) {
    total += vik::cap::Format(v).size();
  }
  (void)total;
  Values(*parsed);
  return 0;
}
