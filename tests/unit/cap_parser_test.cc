// cap::ParseAlert: namespaces and prefixes, the model it fills, encodings, and the structural
// errors it reports with element paths.

#include <catch2/catch.hpp>

#include <string>

#include "cap/parser.h"

namespace vik::cap {
namespace {

constexpr const char* kMinimal = R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>ID-1</identifier>
  <sender>sender@example.org</sender>
  <sent>2024-03-01T10:00:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Storm</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <area>
      <areaDesc>Coast</areaDesc>
    </area>
  </info>
</alert>
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

std::string ErrorOf(std::string_view xml) {
  const auto r = ParseAlert(xml);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("a minimal CAP 1.2 alert fills the model with trimmed text", "[cap][parser]") {
  const auto r = ParseAlert(kMinimal);
  REQUIRE(r.ok());
  CHECK(r->version == Version::kCap12);
  CHECK(r->identifier == "ID-1");
  CHECK(r->sender == "sender@example.org");
  CHECK(r->sent == "2024-03-01T10:00:00+01:00");
  CHECK(r->msg_type == "Alert");
  REQUIRE(r->infos.size() == 1);
  CHECK(r->infos[0].categories == std::vector<std::string>{"Met"});
  REQUIRE(r->infos[0].areas.size() == 1);
  CHECK(r->infos[0].areas[0].area_desc == "Coast");
  CHECK_FALSE(r->signed_xml);
}

TEST_CASE("text is trimmed of XML whitespace but keeps inner whitespace, CDATA and escapes", "[cap][parser]") {
  const auto r =
      ParseAlert(Replace(kMinimal, "<event>Storm</event>", "<event>\n\t Storm &amp; <![CDATA[<rain>]]>  \r\n</event>"));
  REQUIRE(r.ok());
  CHECK(r->infos[0].event == "Storm & <rain>");
}

TEST_CASE("any prefix bound to the CAP namespace is accepted", "[cap][parser][namespace]") {
  const std::string xml = R"(<c:alert xmlns:c="urn:oasis:names:tc:emergency:cap:1.2">
    <c:identifier>P-1</c:identifier><c:info><c:event>x</c:event></c:info></c:alert>)";
  const auto r = ParseAlert(xml);
  REQUIRE(r.ok());
  CHECK(r->identifier == "P-1");
  REQUIRE(r->infos.size() == 1);
  CHECK(r->infos[0].event == "x");
}

TEST_CASE("a child may redeclare the default namespace to the CAP namespace", "[cap][parser][namespace]") {
  const std::string xml = R"(<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
    <identifier xmlns="urn:oasis:names:tc:emergency:cap:1.2">R-1</identifier></cap:alert>)";
  const auto r = ParseAlert(xml);
  REQUIRE(r.ok());
  CHECK(r->identifier == "R-1");
}

TEST_CASE("elements of other namespaces inside the alert are ignored", "[cap][parser][namespace]") {
  const auto r = ParseAlert(Replace(kMinimal, "<scope>Public</scope>",
                                    R"(<scope>Public</scope><ext:thing xmlns:ext="http://example.org/ext">
                                         <ext:identifier>not CAP</ext:identifier></ext:thing>
                                       <other xmlns="http://example.org/other"><identifier>x</identifier></other>)"));
  REQUIRE(r.ok());
  CHECK(r->identifier == "ID-1");
}

TEST_CASE("an XML-DSig Signature marks the alert as signed", "[cap][parser][namespace]") {
  const auto r =
      ParseAlert(Replace(kMinimal, "</alert>",
                         R"(<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature></alert>)"));
  REQUIRE(r.ok());
  CHECK(r->signed_xml);
}

TEST_CASE("a CAP 1.1 alert is read as version 1.1", "[cap][parser][namespace]") {
  const auto r = ParseAlert(Replace(kMinimal, "cap:1.2", "cap:1.1"));
  REQUIRE(r.ok());
  CHECK(r->version == Version::kCap11);
  CHECK(std::string(Name(r->version)) == "1.1");
}

TEST_CASE("a CAP 1.0 alert is refused naming CAP 1.0", "[cap][parser][namespace]") {
  CHECK(ErrorOf(Replace(kMinimal, "urn:oasis:names:tc:emergency:cap:1.2", "http://www.incident.com/cap/1.0")) ==
        "alert: namespace 'http://www.incident.com/cap/1.0' is CAP 1.0, which vik does not accept (accepted: CAP "
        "1.2 'urn:oasis:names:tc:emergency:cap:1.2' and CAP 1.1 'urn:oasis:names:tc:emergency:cap:1.1')");
}

TEST_CASE("an unknown namespace or none is refused naming it and the accepted ones", "[cap][parser][namespace]") {
  const auto other = ErrorOf(Replace(kMinimal, "urn:oasis:names:tc:emergency:cap:1.2", "urn:example:alerts"));
  CHECK(other.find("namespace 'urn:example:alerts' is not a CAP namespace") != std::string::npos);
  CHECK(other.find("urn:oasis:names:tc:emergency:cap:1.2") != std::string::npos);
  const auto none = ErrorOf(Replace(kMinimal, R"( xmlns="urn:oasis:names:tc:emergency:cap:1.2")", ""));
  CHECK(none.rfind("alert: element has no namespace (accepted: ", 0) == 0);
}

TEST_CASE("the root must be alert", "[cap][parser][namespace]") {
  CHECK(ErrorOf(R"(<info xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>)") ==
        "info: root element is 'info', expected 'alert'");
}

TEST_CASE("an undeclared prefix is an error with its path", "[cap][parser][namespace]") {
  CHECK(ErrorOf(Replace(kMinimal, "<event>Storm</event>", "<x:event>Storm</x:event>")) ==
        "alert/info[0]/x:event: namespace prefix 'x' is not declared");
}

TEST_CASE("an element of another CAP version inside the alert is an error", "[cap][parser][namespace]") {
  CHECK(ErrorOf(Replace(kMinimal, "<event>Storm</event>",
                        R"(<event xmlns="urn:oasis:names:tc:emergency:cap:1.1">Storm</event>)")) ==
        "alert/info[0]/event: element of namespace 'urn:oasis:names:tc:emergency:cap:1.1' inside a CAP 1.2 alert");
}

TEST_CASE("an unknown CAP element is an error with its path", "[cap][parser]") {
  CHECK(ErrorOf(Replace(kMinimal, "<event>Storm</event>", "<event>Storm</event><foo>1</foo>")) ==
        "alert/info[0]/foo: unknown element");
  CHECK(ErrorOf(Replace(kMinimal, "<areaDesc>Coast</areaDesc>", "<areaDesc>Coast</areaDesc><radius>3</radius>")) ==
        "alert/info[0]/area[0]/radius: unknown element");
}

TEST_CASE("a repeated single element is an error with its path", "[cap][parser]") {
  CHECK(
      ErrorOf(Replace(kMinimal, "<urgency>Expected</urgency>", "<urgency>Expected</urgency><urgency>Past</urgency>")) ==
      "alert/info[0]/urgency: appears more than once (at most once allowed)");
  CHECK(ErrorOf(Replace(kMinimal, "<sent>", "<sender>again</sender><sent>")) ==
        "alert/sender: appears more than once (at most once allowed)");
}

TEST_CASE("element content where text is expected is an error", "[cap][parser]") {
  CHECK(ErrorOf(Replace(kMinimal, "<event>Storm</event>", "<event>Storm<b>!</b></event>")) ==
        "alert/info[0]/event: element 'b' where text is expected");
}

TEST_CASE("text where elements are expected is an error", "[cap][parser]") {
  CHECK(ErrorOf(Replace(kMinimal, "<info>", "<info>stray")) ==
        "alert/info[0]: text 'stray' where elements are expected");
}

TEST_CASE("geocode, parameter and eventCode need both valueName and value elements", "[cap][parser]") {
  CHECK(ErrorOf(Replace(kMinimal, "<areaDesc>Coast</areaDesc>",
                        "<areaDesc>Coast</areaDesc><geocode><valueName>FIPS6</valueName></geocode>")) ==
        "alert/info[0]/area[0]/geocode[0]/value: is missing (valueName and value are both required)");
  const auto empty_value =
      ParseAlert(Replace(kMinimal, "<areaDesc>Coast</areaDesc>",
                         "<areaDesc>Coast</areaDesc><geocode><valueName>FIPS6</valueName><value/></geocode>"));
  REQUIRE(empty_value.ok());
  CHECK(empty_value->infos[0].areas[0].geocodes[0].name == "FIPS6");
  CHECK(empty_value->infos[0].areas[0].geocodes[0].value.empty());
}

TEST_CASE("repeated elements keep document order", "[cap][parser]") {
  const std::string xml = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <code>c1</code><code>c2</code>
  <info><category>Met</category><category>Env</category><responseType>Shelter</responseType>
    <responseType>Monitor</responseType>
    <eventCode><valueName>a</valueName><value>1</value></eventCode>
    <eventCode><valueName>b</valueName><value>2</value></eventCode>
    <parameter><valueName>p</valueName><value>3</value></parameter>
    <parameter><valueName>q</valueName><value>4</value></parameter>
    <resource><resourceDesc>r1</resourceDesc></resource><resource><resourceDesc>r2</resourceDesc></resource>
    <area><areaDesc>A</areaDesc><polygon>p1</polygon><polygon>p2</polygon><circle>c1</circle><circle>c2</circle>
      <geocode><valueName>g</valueName><value>1</value></geocode><geocode><valueName>h</valueName><value>2</value></geocode>
      <altitude>10</altitude><ceiling>20</ceiling></area>
    <area><areaDesc>B</areaDesc></area>
  </info>
  <info><event>second</event></info>
</alert>)";
  const auto r = ParseAlert(xml);
  REQUIRE(r.ok());
  CHECK(r->codes == std::vector<std::string>{"c1", "c2"});
  REQUIRE(r->infos.size() == 2);
  const auto& info = r->infos[0];
  CHECK(info.categories == std::vector<std::string>{"Met", "Env"});
  CHECK(info.response_types == std::vector<std::string>{"Shelter", "Monitor"});
  REQUIRE(info.event_codes.size() == 2);
  CHECK(info.event_codes[1].name == "b");
  REQUIRE(info.parameters.size() == 2);
  CHECK(info.parameters[0].value == "3");
  REQUIRE(info.resources.size() == 2);
  CHECK(info.resources[1].resource_desc == "r2");
  REQUIRE(info.areas.size() == 2);
  CHECK(info.areas[0].polygons == std::vector<std::string>{"p1", "p2"});
  CHECK(info.areas[0].circles == std::vector<std::string>{"c1", "c2"});
  CHECK(info.areas[0].geocodes[1].name == "h");
  CHECK(info.areas[0].altitude == "10");
  CHECK(info.areas[0].ceiling == "20");
  CHECK(info.areas[1].area_desc == "B");
  CHECK(r->infos[1].event == "second");
}

TEST_CASE("an ISO-8859-1 document is decoded to UTF-8", "[cap][parser][encoding]") {
  std::string xml = Replace(kMinimal, R"(encoding="UTF-8")", R"(encoding="ISO-8859-1")");
  xml = Replace(xml, "<event>Storm</event>", "<event>Usulut\xE1n</event>");
  const auto r = ParseAlert(xml);
  REQUIRE(r.ok());
  CHECK(r->infos[0].event == "Usulut\xC3\xA1n");
}

TEST_CASE("a UTF-8 byte order mark is accepted", "[cap][parser][encoding]") {
  const auto r = ParseAlert("\xEF\xBB\xBF" + std::string(kMinimal));
  REQUIRE(r.ok());
  CHECK(r->identifier == "ID-1");
}

TEST_CASE("text that is not UTF-8 in a UTF-8 document is refused", "[cap][parser][encoding]") {
  CHECK(ErrorOf(Replace(kMinimal, "<event>Storm</event>", "<event>Usulut\xE1n</event>")) ==
        "alert/info[0]/event: text is not valid UTF-8 (declare encoding=\"ISO-8859-1\" for Latin-1 documents)");
}

TEST_CASE("UTF-16 input is refused by the pre-scan", "[cap][parser][encoding]") {
  std::string utf16 = "\xFF\xFE";
  for (const char c : std::string(kMinimal)) {
    utf16 += c;
    utf16 += '\0';
  }
  CHECK(ErrorOf(utf16).find("NUL byte at offset 3 (UTF-16 and UTF-32 documents are not accepted") != std::string::npos);
}

TEST_CASE("malformed XML is reported with line and byte offset", "[cap][parser]") {
  const auto message = ErrorOf(Replace(kMinimal, "</event>", "</evnt>"));
  CHECK(message.rfind("line 11: not well-formed XML: ", 0) == 0);
  CHECK(message.find("(byte offset ") != std::string::npos);
}

TEST_CASE("an empty document and two roots are refused", "[cap][parser]") {
  CHECK_FALSE(ParseAlert("").ok());
  CHECK_FALSE(ParseAlert("   ").ok());
  CHECK(ErrorOf(std::string(kMinimal) + "<alert/>") == "the document has more than one root element");
}

TEST_CASE("an EDXL-DE envelope is refused with a message saying it is not unwrapped", "[cap][parser]") {
  const auto message = ErrorOf(R"(<e:EDXLDistribution xmlns:e="urn:oasis:names:tc:emergency:EDXL:DE:1.0"/>)");
  CHECK(message.rfind("EDXLDistribution: an EDXL-DE envelope is not unwrapped", 0) == 0);
}

TEST_CASE("too many info blocks or areas are refused as resource exhaustion", "[cap][parser][limits]") {
  ParseLimits limits;
  limits.max_infos = 1;
  std::string two_infos = Replace(kMinimal, "</alert>", "<info><event>2</event></info></alert>");
  auto r = ParseAlert(two_infos, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kResourceExhausted);
  CHECK(r.status().message() == "alert/info[1]: more than 1 info blocks");

  limits = {};
  limits.max_areas = 1;
  r = ParseAlert(Replace(kMinimal, "</area>", "</area><area><areaDesc>2</areaDesc></area>"), limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace vik::cap
