// CAP -> signals (cap/mapping.h) and signals -> CAP (cap/writer.h), including the round trip.

#include <catch2/catch.hpp>

#include "../support/large_cap.h"
#include "cap/mapping.h"
#include "cap/parser.h"
#include "cap/validator.h"
#include "cap/writer.h"
#include "core/time_format.h"
#include "domain/geometry.h"
#include "wire/ingest_mapping.h"

namespace {

using namespace vik;

domain::ReferenceData Vr21() {
  domain::ReferenceData r;
  r.region = "VR21";
  r.municipalities = {"GM0796", "GM0828", "GM0865", "GM1721"};
  r.themes = {"1", "1.3", "2", "2.1", "7", "7.1", "9"};
  r.cap_category_themes = {{"Met", "1.3"}, {"Fire", "2.1"}, {"Safety", "7.1"}, {"Other", "9"}};
  // Two square "municipalities" side by side: GM0796 west of 5.3E, GM0828 east of it.
  std::vector<domain::MunicipalityShape> shapes;
  shapes.emplace_back("GM0796", std::vector<std::vector<domain::Point>>{
                                    {{51.6, 5.2}, {51.8, 5.2}, {51.8, 5.3}, {51.6, 5.3}, {51.6, 5.2}}});
  shapes.emplace_back("GM0828", std::vector<std::vector<domain::Point>>{
                                    {{51.6, 5.3}, {51.8, 5.3}, {51.8, 5.4}, {51.6, 5.4}, {51.6, 5.3}}});
  r.areas = std::make_shared<const domain::AreaLocator>(std::move(shapes));
  return r;
}

cap::Alert Parse(const std::string& xml) {
  auto parsed = cap::ParseAlert(xml);
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  const auto violations = cap::Validate(*parsed);
  for (const auto& v : violations) {
    UNSCOPED_INFO(cap::Format(v));
  }
  REQUIRE(violations.empty());
  return *parsed;
}

std::string Info(const std::string& language, const std::string& headline, const std::string& area,
                 const std::string& extra = "") {
  return "<info><language>" + language +
         "</language><category>Met</category><event>Storm</event>"
         "<urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>"
         "<onset>2026-11-25T18:00:00+01:00</onset><expires>2026-11-26T06:00:00+01:00</expires>" +
         extra + "<headline>" + headline + "</headline><area>" + area + "</area></info>";
}

std::string Alert(const std::string& infos, const std::string& identifier = "KNMI-1") {
  return "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>" + identifier +
         "</identifier><sender>knmi@knmi.nl</sender><sent>2026-11-25T10:00:00+01:00</sent><status>Actual</status>"
         "<msgType>Alert</msgType><scope>Public</scope>" +
         infos + "</alert>";
}

const std::string kGeocode =
    "<areaDesc>Den Bosch</areaDesc><geocode><valueName>CBS_GM</valueName><value>GM0796"
    "</value></geocode>";

}  // namespace

TEST_CASE("language variants of one info become one signal, other infos their own", "[cap][mapping]") {
  const auto alert =
      Parse(Alert(Info("en-GB", "Storm warning", kGeocode) + Info("nl-NL", "Stormwaarschuwing", kGeocode) +
                  Info("nl-NL", "Tweede golf", kGeocode, "<effective>2026-11-25T20:00:00+01:00</effective>")));
  const auto mapped = cap::MapAlert(alert, Vr21());
  REQUIRE(mapped.signals.size() == 2);
  const auto& first = mapped.signals[0];
  CHECK(first.info_index == 1);  // the Dutch block carries the text
  CHECK(first.language_variants == std::vector<int>{0});
  CHECK(first.signal.headline == "Stormwaarschuwing");
  CHECK(first.signal.attributes.at("cap.headline.en-GB") == "Storm warning");
  CHECK(first.signal.external_id == "KNMI-1/info1");
  CHECK(mapped.signals[1].signal.external_id == "KNMI-1/info2");
  CHECK(first.signal.theme == "1.3");  // the region's default for Met
  CHECK(first.signal.area.municipalities == std::vector<std::string>{"GM0796"});
  CHECK(first.signal.area.geocodes.empty());  // a municipality of the region is a field, not a geocode
}

TEST_CASE("a single-info alert keeps its identifier, odd identifiers get a stable hashed key", "[cap][mapping]") {
  CHECK(cap::ExternalId("KNMI-1", 0, 1) == "KNMI-1");
  CHECK(cap::ExternalId("KNMI-1", 3, 2) == "KNMI-1/info3");
  const std::string odd = cap::ExternalId("AusBoM-IDN21033-2019-01-16T03:15:58+00:00", 0, 1);
  CHECK_THAT(odd, Catch::StartsWith("cap-"));
  CHECK(odd == cap::ExternalId("AusBoM-IDN21033-2019-01-16T03:15:58+00:00", 0, 1));
  CHECK(odd.size() == 36);
}

TEST_CASE("areas without municipality geocodes are located by geometry, radius 0 is a point", "[cap][mapping]") {
  const auto alert = Parse(Alert(Info("nl-NL", "Brand",
                                      "<areaDesc>grens</areaDesc>"
                                      "<polygon>51.7,5.25 51.71,5.25 51.71,5.35 51.7,5.25</polygon>"
                                      "<circle>51.65,5.38 0</circle>")));
  const auto mapped = cap::MapAlert(alert, Vr21());
  REQUIRE(mapped.signals.size() == 1);
  const auto& area = mapped.signals[0].signal.area;
  CHECK(area.municipalities == std::vector<std::string>{"GM0796", "GM0828"});
  REQUIRE(area.points.size() == 1);
  CHECK(area.points[0].lat == Approx(51.65));
  CHECK(area.circles.empty());
  CHECK(area.polygons.size() == 1);
}

TEST_CASE("crisistype and vik parameters set theme and kind, other parameters become attributes", "[cap][mapping]") {
  const auto alert = Parse(Alert(Info("nl-NL", "Paniek", kGeocode,
                                      "<parameter><valueName>crisistype</valueName><value>7.1</value></parameter>"
                                      "<parameter><valueName>vik:kind</valueName><value>forecast</value></parameter>"
                                      "<parameter><valueName>awareness_level</valueName><value>3; orange; Severe"
                                      "</value></parameter>")));
  const auto mapped = cap::MapAlert(alert, Vr21());
  const auto& s = mapped.signals.at(0).signal;
  CHECK(s.theme == "7.1");
  CHECK(s.kind == domain::SignalKind::kForecast);
  CHECK(s.attributes.at("awareness_level") == "3; orange; Severe");
  CHECK(s.attributes.count("crisistype") == 0);
  CHECK(s.attributes.at("cap.event") == "Storm");
}

TEST_CASE("Ack and Error alerts make no signals, references are kept", "[cap][mapping]") {
  auto xml = Alert("", "ACK-1");
  xml.replace(xml.find("<msgType>Alert"), 14, "<msgType>Ack");
  xml.replace(xml.find("<scope>"), 0, "");
  xml.insert(xml.find("</scope>") + 8, "<references>knmi@knmi.nl,KNMI-1,2026-11-25T10:00:00+01:00</references>");
  const auto mapped = cap::MapAlert(Parse(xml), Vr21());
  CHECK(mapped.signals.empty());
  REQUIRE(mapped.references.size() == 1);
  CHECK(mapped.references[0].identifier == "KNMI-1");
}

TEST_CASE("a signal written as CAP validates and maps back to the same signal", "[cap][writer]") {
  domain::Signal s;
  s.source = "caco@vr21.nl";
  s.external_id = "inc-42";
  s.msg_type = domain::MsgType::kUpdate;
  s.references = {{"caco@vr21.nl", "inc-41"}};
  s.status = domain::SignalStatus::kExercise;
  s.kind = domain::SignalKind::kIncident;
  s.categories = {domain::Category::kFire, domain::Category::kSafety};
  s.theme = "2.1";
  s.urgency = domain::Urgency::kImmediate;
  s.severity = domain::Severity::kExtreme;
  s.certainty = domain::Certainty::kObserved;
  s.sent_at = core::WallTime{std::chrono::seconds(1795000000)};
  s.onset_at = core::WallTime{std::chrono::seconds(1795000600)};
  s.expires_at = core::WallTime{std::chrono::seconds(1795086400)};
  s.area.description = "Industrieterrein <De Rietvelden> & omgeving";
  s.area.municipalities = {"GM0796", "GM0865"};
  s.area.points = {{51.7123456789, 5.2987654321}};
  s.area.polygons = {{{{51.7, 5.29}, {51.72, 5.29}, {51.72, 5.31}, {51.7, 5.29}}}};
  s.area.circles = {{{51.71, 5.3}, 1.5}};
  s.area.geocodes = {{"EMMA_ID", "NL007"}};
  s.headline = "Grote brand \"Rietvelden\"";
  s.description = "Rook trekt richting Vught.\nRamen en deuren sluiten.";
  s.instruction = "Blijf binnen.";
  s.sender_name = "CaCo Brabant-Noord";
  s.web = "https://www.vrbn.nl/";
  s.attributes = {{"grip", "2"}, {"meldkamer", "MKOB"}};

  const std::string xml = cap::WriteAlert(s);
  INFO(xml);
  const auto alert = Parse(xml);
  const auto mapped = cap::MapAlert(alert, Vr21());
  REQUIRE(mapped.signals.size() == 1);
  const domain::Signal& back = mapped.signals[0].signal;
  CHECK(back.external_id == s.external_id);
  CHECK(back.area.municipalities == s.area.municipalities);
  CHECK(back.attributes == s.attributes);
  // Byte-identical canonical payloads: the same signal for idempotency and content hashing.
  CHECK(wire::CanonicalPayloadOf(back) == wire::CanonicalPayloadOf(s));
}

TEST_CASE("the Atom index escapes text and links each alert as application/cap+xml", "[cap][writer]") {
  cap::AtomFeed feed;
  feed.id = "urn:vik:VR21:cap:alerts";
  feed.title = "vik VR21";
  feed.self_link = "/cap/alerts.atom";
  feed.updated = core::WallTime{std::chrono::seconds(1795000000)};
  cap::AtomEntry e;
  e.id = "urn:uuid:1";
  e.title = "Brand <groot> & \"fel\"";
  e.link = "/cap/alerts/1.xml";
  e.updated = e.published = feed.updated;
  feed.entries.push_back(e);
  const std::string xml = cap::WriteAtom(feed);
  CHECK_THAT(xml, Catch::Contains("Brand &lt;groot&gt; &amp; \"fel\""));
  CHECK_THAT(xml, Catch::Contains("type=\"application/cap+xml\""));
  CHECK_THAT(xml, Catch::Contains("<updated>2026-11-18T"));
}

TEST_CASE("real-world excesses are fitted into the signal instead of refusing a valid alert", "[cap][mapping]") {
  std::string geocodes;
  for (int i = 0; i < 100; ++i) {
    geocodes += "<geocode><valueName>UGC</valueName><value>ORZ" + std::to_string(i) + "</value></geocode>";
  }
  const std::string long_headline(400, 'h');
  auto xml = Alert(Info("nl-NL", long_headline, "<areaDesc>veel</areaDesc>" + geocodes,
                        "<description>caf\xC3\xA9 au lait</description><web>www.knmi.nl</web>"));
  const auto mapped = cap::MapAlert(Parse(xml), Vr21());
  REQUIRE(mapped.signals.size() == 1);
  const domain::Signal& s = mapped.signals[0].signal;
  const domain::SignalLimits limits;
  CHECK(s.headline.size() == limits.max_headline_bytes);
  CHECK(s.description == "caf\xC3\xA9 au lait");
  CHECK(s.web.empty());
  CHECK(s.attributes.at("cap.web") == "www.knmi.nl");
  CHECK(s.area.geocodes.size() == limits.max_geocodes);
  domain::ReferenceData reference = Vr21();
  auto relaxed = limits;
  relaxed.require_area = false;
  relaxed.check_time_order = false;
  CHECK(domain::ValidateSignal(s, reference, relaxed, core::WallTime{std::chrono::seconds(1800000000)}).empty());
}

TEST_CASE("a reference whose sender cannot be a source id still makes a valid update that round-trips",
          "[cap][mapping]") {
  auto xml = Alert(Info("nl-NL", "Update", kGeocode), "KNMI-2");
  xml.replace(xml.find("<msgType>Alert"), 14, "<msgType>Update");
  xml.insert(xml.find("</scope>") + 8, "<references>smn.c+na.gob.mx,KNMI-1,2026-11-25T09:00:00+01:00</references>");
  const auto mapped = cap::MapAlert(Parse(xml), Vr21());
  REQUIRE(mapped.signals.size() == 1);
  const auto& s = mapped.signals[0].signal;
  REQUIRE(s.references.size() == 1);
  CHECK_THAT(s.references[0].source, Catch::StartsWith("cap-"));
  auto relaxed = domain::SignalLimits{};
  relaxed.require_area = false;
  relaxed.check_time_order = false;
  CHECK(domain::ValidateSignal(s, Vr21(), relaxed, core::WallTime{std::chrono::seconds(1800000000)}).empty());
  const auto again = cap::MapAlert(Parse(cap::WriteAlert(s)), Vr21());
  REQUIRE(again.signals.size() == 1);
  CHECK(wire::CanonicalPayloadOf(again.signals[0].signal) == wire::CanonicalPayloadOf(s));
}

TEST_CASE("a national alert with one 877 KB polygon parses, validates and maps to a simplified polygon",
          "[cap][mapping][limits]") {
  const std::string xml = testing::LargePolygonAlert("knmi@knmi.nl", "KNMI-NATIONAL-1", 877 * 1024);
  REQUIRE(xml.size() > 877 * 1024);
  REQUIRE(xml.size() < cap::ParseLimits{}.max_bytes);  // inside the document limit
  const auto alert = Parse(xml);
  REQUIRE(alert.infos.size() == 1);
  REQUIRE(alert.infos[0].areas[0].polygons[0].size() > 877 * 1024);

  const domain::SignalLimits limits;
  const auto mapped = cap::MapAlert(alert, Vr21(), limits);
  REQUIRE(mapped.signals.size() == 1);
  const auto& s = mapped.signals[0].signal;
  REQUIRE(s.area.polygons.size() == 1);
  const auto& ring = s.area.polygons[0].points;
  CHECK(ring.size() == limits.max_polygon_points);
  CHECK(ring.front().lat == ring.back().lat);
  CHECK(ring.front().lon == ring.back().lon);
  // The ring surrounds both municipalities of the test region.
  CHECK(s.area.municipalities == std::vector<std::string>{"GM0796", "GM0828"});
  CHECK(domain::ValidateSignal(
            s, Vr21(),
            [] {
              domain::SignalLimits l;
              l.require_area = false;
              l.check_time_order = false;
              return l;
            }(),
            core::FromUnixSeconds(1.9e9))
            .empty());
}

TEST_CASE("an update that lists its own message among its references ignores it with a warning", "[cap][mapping]") {
  // The self-reference writes `sent` as +00:00 where the alert says -00:00 (a real sender's habit).
  const std::string xml =
      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>KNMI-2</identifier>"
      "<sender>knmi@knmi.nl</sender><sent>2026-11-25T10:00:00-00:00</sent><status>Actual</status>"
      "<msgType>Update</msgType><scope>Public</scope>"
      "<references>knmi@knmi.nl,KNMI-1,2026-11-25T09:00:00-00:00 knmi@knmi.nl,KNMI-2,2026-11-25T10:00:00+00:00"
      "</references>" +
      Info("nl-NL", "Storm", kGeocode) + "</alert>";
  const auto alert = Parse(xml);
  const auto mapped = cap::MapAlert(alert, Vr21());
  REQUIRE(mapped.references.size() == 1);
  CHECK(mapped.references[0].identifier == "KNMI-1");
  REQUIRE(mapped.warnings.size() == 1);
  CHECK(mapped.warnings[0] ==
        "alert/references: the reference to this message itself (knmi@knmi.nl,KNMI-2,2026-11-25T10:00:00+00:00) "
        "is ignored");
  REQUIRE(mapped.signals.size() == 1);
  const auto& s = mapped.signals[0].signal;
  REQUIRE(s.references.size() == 1);
  CHECK(s.references[0].external_id == "KNMI-1");
  domain::SignalLimits limits;
  limits.check_time_order = false;
  CHECK(domain::ValidateSignal(s, Vr21(), limits, core::FromUnixSeconds(1.9e9)).empty());
}

TEST_CASE("generated CAP stays well-formed XML 1.0 even when given control characters", "[cap][writer][text]") {
  domain::Signal s;
  s.source = "caco@vr21.nl";
  s.external_id = "ctl-1";
  s.msg_type = domain::MsgType::kAlert;
  s.status = domain::SignalStatus::kActual;
  s.kind = domain::SignalKind::kIncident;
  s.categories = {domain::Category::kFire};
  s.theme = "2.1";
  s.urgency = domain::Urgency::kImmediate;
  s.severity = domain::Severity::kSevere;
  s.certainty = domain::Certainty::kObserved;
  s.sent_at = core::WallTime{std::chrono::seconds(1795000000)};
  s.area.municipalities = {"GM0796"};
  s.headline = "Brand\x1b[2J";
  s.attributes = {{"note",
                   "a\x01"
                   "b"}};  // validation refuses these; the writer must not pass them on
  const std::string xml = cap::WriteAlert(s);
  CHECK(xml.find('\x01') == std::string::npos);
  CHECK(xml.find('\x1b') == std::string::npos);
  const auto alert = Parse(xml);  // parses and validates
  CHECK(alert.infos[0].headline == "Brand[2J");
  // Mapping CAP in drops the control characters XML 1.0 lets through (DEL, C1 such as NEL).
  auto parsed = cap::ParseAlert(Alert(Info("nl-NL", "Storm\x7f\xc2\x85", kGeocode)));
  REQUIRE(parsed.ok());
  const auto mapped = cap::MapAlert(*parsed, Vr21());
  REQUIRE(mapped.signals.size() == 1);
  CHECK(mapped.signals[0].signal.headline == "Storm");
}
