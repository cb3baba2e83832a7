// libFuzzer target for the CAP module: untrusted bytes through ParseAlert, then Validate and the
// typed-value functions on every field they apply to; the same bytes through ParseFeed. A valid
// alert is also mapped to signals (with a small region and boundary) and each signal written back
// as CAP, which must parse and validate again: a generated document vik itself refuses is a crash.
// Built and run by tests/fuzz/run.sh.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cap/feed.h"
#include "cap/mapping.h"
#include "cap/parser.h"
#include "cap/validator.h"
#include "cap/values.h"
#include "cap/writer.h"
#include "domain/geometry.h"

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

const vik::domain::ReferenceData& Region() {
  static const vik::domain::ReferenceData region = [] {
    vik::domain::ReferenceData r;
    r.region = "VR21";
    r.municipalities = {"GM0796", "GM0828"};
    r.themes = {"1", "1.3", "2", "2.1", "9"};
    r.cap_category_themes = {{"Met", "1.3"}, {"Fire", "2.1"}, {"Other", "9"}};
    std::vector<vik::domain::MunicipalityShape> shapes;
    shapes.emplace_back("GM0796", std::vector<std::vector<vik::domain::Point>>{
                                      {{51.6, 5.2}, {51.8, 5.2}, {51.8, 5.3}, {51.6, 5.3}, {51.6, 5.2}}});
    r.areas = std::make_shared<const vik::domain::AreaLocator>(std::move(shapes));
    return r;
  }();
  return region;
}

// Every signal of a valid alert, written as CAP, parses and validates again.
void RoundTrip(const vik::cap::Alert& alert) {
  for (const auto& mapped : vik::cap::MapAlert(alert, Region()).signals) {
    const std::string xml = vik::cap::WriteAlert(mapped.signal);
    const auto again = vik::cap::ParseAlert(xml);
    if (!again.ok() || !vik::cap::Validate(*again).empty()) {
      __builtin_trap();
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
  (void)vik::cap::ParseFeed(bytes);
  const auto parsed = vik::cap::ParseAlert(bytes);
  if (!parsed.ok()) {
    return 0;
  }
  const auto violations = vik::cap::Validate(*parsed);
  std::size_t total = 0;
  for (const auto& v : violations) {
    total += vik::cap::Format(v).size();
  }
  (void)total;
  Values(*parsed);
  if (violations.empty()) {
    RoundTrip(*parsed);
  }
  return 0;
}
