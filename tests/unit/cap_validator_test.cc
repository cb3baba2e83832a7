// cap::Validate: one small document per CAP 1.2 rule, the violation path and message it yields,
// and the CAP 1.1 differences.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cap/parser.h"
#include "cap/validator.h"

namespace vik::cap {
namespace {

constexpr const char* kValid = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>ID-1</identifier>
  <sender>sender@example.org</sender>
  <sent>2024-03-01T10:00:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Storm</event>
    <responseType>Shelter</responseType>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>SAME</valueName><value>SVR</value></eventCode>
    <effective>2024-03-01T10:00:00+01:00</effective>
    <onset>2024-03-01T11:00:00+01:00</onset>
    <expires>2024-03-01T18:00:00+01:00</expires>
    <parameter><valueName>p</valueName><value>1</value></parameter>
    <resource>
      <resourceDesc>map</resourceDesc>
      <mimeType>image/png</mimeType>
      <size>1024</size>
      <uri>http://example.org/map.png</uri>
      <digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>
    </resource>
    <area>
      <areaDesc>Coast</areaDesc>
      <polygon>52.0,4.0 52.5,4.0 52.5,4.5 52.0,4.0</polygon>
      <circle>52.1,4.3 10</circle>
      <geocode><valueName>NUTS</valueName><value>NL33</value></geocode>
      <altitude>100</altitude>
      <ceiling>2000</ceiling>
    </area>
  </info>
</alert>
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  INFO("replacing " << from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

std::vector<std::string> ViolationsOf(const std::string& xml) {
  const auto parsed = ParseAlert(xml);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  std::vector<std::string> out;
  for (const auto& v : Validate(*parsed)) {
    out.push_back(Format(v));
  }
  return out;
}

// The document with `from` replaced by `to` has exactly the violation `expected`.
void ExpectOnly(const std::string& from, const std::string& to, const std::string& expected,
                const char* base = kValid) {
  const auto violations = ViolationsOf(Replace(base, from, to));
  CHECK(violations == std::vector<std::string>{expected});
}

void ExpectNone(const std::string& from, const std::string& to, const char* base = kValid) {
  const auto violations = ViolationsOf(Replace(base, from, to));
  CHECK(violations.empty());
}

TEST_CASE("the reference document has no violations", "[cap][validator]") { CHECK(ViolationsOf(kValid).empty()); }

TEST_CASE("required alert elements are reported by path", "[cap][validator]") {
  ExpectOnly("<identifier>ID-1</identifier>", "", "alert/identifier: is required (missing or empty)");
  ExpectOnly("<sender>sender@example.org</sender>", "<sender/>", "alert/sender: is required (missing or empty)");
  ExpectOnly("<sent>2024-03-01T10:00:00+01:00</sent>", "", "alert/sent: is required (missing or empty)");
  ExpectOnly("<status>Actual</status>", "", "alert/status: is required (missing or empty)");
  ExpectOnly("<msgType>Alert</msgType>", "", "alert/msgType: is required (missing or empty)");
  ExpectOnly("<scope>Public</scope>", "", "alert/scope: is required (missing or empty)");
}

TEST_CASE("required info elements are reported by path", "[cap][validator]") {
  ExpectOnly("<category>Met</category>", "", "alert/info[0]/category: is required (at least one)");
  ExpectOnly("<event>Storm</event>", "", "alert/info[0]/event: is required (missing or empty)");
  ExpectOnly("<urgency>Expected</urgency>", "", "alert/info[0]/urgency: is required (missing or empty)");
  ExpectOnly("<severity>Severe</severity>", "", "alert/info[0]/severity: is required (missing or empty)");
  ExpectOnly("<certainty>Likely</certainty>", "", "alert/info[0]/certainty: is required (missing or empty)");
}

TEST_CASE("required resource and area elements are reported by path", "[cap][validator]") {
  ExpectOnly("<resourceDesc>map</resourceDesc>", "",
             "alert/info[0]/resource[0]/resourceDesc: is required (missing or empty)");
  ExpectOnly("<mimeType>image/png</mimeType>", "",
             "alert/info[0]/resource[0]/mimeType: is required (missing or empty)");
  ExpectOnly("<areaDesc>Coast</areaDesc>", "", "alert/info[0]/area[0]/areaDesc: is required (missing or empty)");
}

TEST_CASE("every enumeration refuses unknown values and lists the allowed ones", "[cap][validator]") {
  ExpectOnly("<status>Actual</status>", "<status>Real</status>",
             "alert/status: unknown value 'Real' (one of Actual, Exercise, System, Test, Draft)");
  ExpectOnly("<msgType>Alert</msgType>", "<msgType>Warning</msgType>",
             "alert/msgType: unknown value 'Warning' (one of Alert, Update, Cancel, Ack, Error)");
  ExpectOnly("<scope>Public</scope>", "<scope>public</scope>",
             "alert/scope: unknown value 'public' (one of Public, Restricted, Private)");
  ExpectOnly("<category>Met</category>", "<category>Met</category><category>Weather</category>",
             "alert/info[0]/category[1]: unknown value 'Weather' (one of Geo, Met, Safety, Security, Rescue, Fire, "
             "Health, Env, Transport, Infra, CBRNE, Other)");
  ExpectOnly("<responseType>Shelter</responseType>", "<responseType>Run</responseType>",
             "alert/info[0]/responseType[0]: unknown value 'Run' (one of Shelter, Evacuate, Prepare, Execute, "
             "Avoid, Monitor, Assess, AllClear, None)");
  ExpectOnly("<urgency>Expected</urgency>", "<urgency>Soon</urgency>",
             "alert/info[0]/urgency: unknown value 'Soon' (one of Immediate, Expected, Future, Past, Unknown)");
  ExpectOnly("<severity>Severe</severity>", "<severity>High</severity>",
             "alert/info[0]/severity: unknown value 'High' (one of Extreme, Severe, Moderate, Minor, Unknown)");
  ExpectOnly("<certainty>Likely</certainty>", "<certainty>Very Likely</certainty>",
             "alert/info[0]/certainty: unknown value 'Very Likely' (one of Observed, Likely, Possible, Unlikely, "
             "Unknown)");
}

TEST_CASE("every value of every enumeration is accepted", "[cap][validator]") {
  for (const char* v : {"Actual", "Exercise", "System", "Test", "Draft"}) {
    ExpectNone("<status>Actual</status>", std::string("<status>") + v + "</status>");
  }
  for (const char* v : {"Public"}) {
    ExpectNone("<scope>Public</scope>", std::string("<scope>") + v + "</scope>");
  }
  for (const char* v : {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                        "CBRNE", "Other"}) {
    ExpectNone("<category>Met</category>", std::string("<category>") + v + "</category>");
  }
  for (const char* v :
       {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"}) {
    ExpectNone("<responseType>Shelter</responseType>", std::string("<responseType>") + v + "</responseType>");
  }
  for (const char* v : {"Immediate", "Expected", "Future", "Past", "Unknown"}) {
    ExpectNone("<urgency>Expected</urgency>", std::string("<urgency>") + v + "</urgency>");
  }
  for (const char* v : {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}) {
    ExpectNone("<severity>Severe</severity>", std::string("<severity>") + v + "</severity>");
  }
  for (const char* v : {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}) {
    ExpectNone("<certainty>Likely</certainty>", std::string("<certainty>") + v + "</certainty>");
  }
}

TEST_CASE("dateTime values need the CAP form with an explicit numeric time zone", "[cap][validator]") {
  ExpectOnly("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2003-06-17 14:57</sent>",
             "alert/sent: '2003-06-17 14:57' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm)");
  ExpectOnly("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2024-03-01T09:00:00Z</sent>",
             "alert/sent: '2024-03-01T09:00:00Z' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm)");
  ExpectOnly("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2024-03-01T10:00:00</sent>",
             "alert/sent: '2024-03-01T10:00:00' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm)");
  ExpectNone("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2024-03-01T09:00:00-00:00</sent>");
  ExpectOnly("<effective>2024-03-01T10:00:00+01:00</effective>", "<effective>tomorrow</effective>",
             "alert/info[0]/effective: 'tomorrow' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm)");
  ExpectOnly("<onset>2024-03-01T11:00:00+01:00</onset>", "<onset>2024-02-30T11:00:00+01:00</onset>",
             "alert/info[0]/onset: '2024-02-30T11:00:00+01:00' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm)");
  ExpectOnly("<expires>2024-03-01T18:00:00+01:00</expires>", "<expires>2024-03-01T18:00:00.5+01:00</expires>",
             "alert/info[0]/expires: '2024-03-01T18:00:00.5+01:00' is not a CAP dateTime "
             "(YYYY-MM-DDThh:mm:ss+hh:mm)");
}

TEST_CASE("expires may not be before onset or effective", "[cap][validator]") {
  ExpectOnly("<expires>2024-03-01T18:00:00+01:00</expires>", "<expires>2024-03-01T10:30:00+01:00</expires>",
             "alert/info[0]/expires: '2024-03-01T10:30:00+01:00' is before onset '2024-03-01T11:00:00+01:00'");
  ExpectOnly("<onset>2024-03-01T11:00:00+01:00</onset>", "",
             "alert/info[0]/expires: '2024-03-01T18:00:00+01:00' is before effective '2024-03-01T19:00:00+01:00'",
             Replace(kValid, "<effective>2024-03-01T10:00:00+01:00</effective>",
                     "<effective>2024-03-01T19:00:00+01:00</effective>")
                 .c_str());
  // Equal instants in different zones are not "before".
  ExpectNone("<expires>2024-03-01T18:00:00+01:00</expires>", "<expires>2024-03-01T10:00:00+00:00</expires>");
}

TEST_CASE("identifier and sender may not contain spaces, commas, '<' or '&'", "[cap][validator]") {
  ExpectOnly("<identifier>ID-1</identifier>", "<identifier>ID 1</identifier>",
             "alert/identifier: 'ID 1' contains whitespace (spaces, commas, '<' and '&' are not allowed)");
  ExpectOnly("<identifier>ID-1</identifier>", "<identifier>ID,1</identifier>",
             "alert/identifier: 'ID,1' contains ',' (spaces, commas, '<' and '&' are not allowed)");
  ExpectOnly("<sender>sender@example.org</sender>", "<sender>a&lt;b</sender>",
             "alert/sender: 'a<b' contains '<' (spaces, commas, '<' and '&' are not allowed)");
  ExpectOnly("<sender>sender@example.org</sender>", "<sender>a&amp;b</sender>",
             "alert/sender: 'a&b' contains '&' (spaces, commas, '<' and '&' are not allowed)");
}

TEST_CASE("Update, Cancel, Ack and Error need references", "[cap][validator]") {
  for (const char* type : {"Update", "Cancel", "Ack", "Error"}) {
    ExpectOnly(
        "<msgType>Alert</msgType>", std::string("<msgType>") + type + "</msgType>",
        std::string("alert/references: is required when msgType is '") + type + "' (it names the earlier message(s))");
    ExpectNone("<msgType>Alert</msgType>",
               std::string("<msgType>") + type +
                   "</msgType><references>sender@example.org,ID-0,2024-03-01T09:00:00+01:00</references>");
  }
}

TEST_CASE("an empty references element counts as absent", "[cap][validator]") {
  ExpectNone("<scope>Public</scope>", "<scope>Public</scope><references/>");
  ExpectOnly("<msgType>Alert</msgType>", "<msgType>Cancel</msgType><references> </references>",
             "alert/references: is required when msgType is 'Cancel' (it names the earlier message(s))");
}

TEST_CASE("references must be sender,identifier,sent triples", "[cap][validator]") {
  ExpectOnly("<scope>Public</scope>", "<scope>Public</scope><references>a,b</references>",
             "alert/references: reference 'a,b' is not 'sender,identifier,sent'");
  ExpectOnly("<scope>Public</scope>",
             "<scope>Public</scope><references>a,b,2024-03-01T09:00:00+01:00 a,b,yesterday</references>",
             "alert/references: reference 'a,b,yesterday': 'yesterday' is not a CAP dateTime");
  ExpectNone(
      "<scope>Public</scope>",
      "<scope>Public</scope><references>a,b,2024-03-01T09:00:00+01:00\n c,d,2024-03-01T09:30:00-05:00</references>");
}

TEST_CASE("scope Restricted needs restriction and scope Private needs addresses", "[cap][validator]") {
  ExpectOnly("<scope>Public</scope>", "<scope>Restricted</scope>",
             "alert/restriction: is required when scope is 'Restricted'");
  ExpectNone("<scope>Public</scope>", "<scope>Restricted</scope><restriction>officials only</restriction>");
  ExpectOnly("<scope>Public</scope>", "<scope>Private</scope>", "alert/addresses: is required when scope is 'Private'");
  ExpectNone("<scope>Public</scope>", "<scope>Private</scope><addresses>a@example.org \"Ops Room\"</addresses>");
}

TEST_CASE("polygons must be closed rings of at least 4 valid points", "[cap][validator]") {
  const std::string polygon = "<polygon>52.0,4.0 52.5,4.0 52.5,4.5 52.0,4.0</polygon>";
  ExpectOnly(polygon, "<polygon>52.0,4.0 52.5,4.0 52.5,4.5 52.0,4.1</polygon>",
             "alert/info[0]/area[0]/polygon[0]: first and last points differ (a polygon must be closed)");
  ExpectOnly(polygon, "<polygon>52.0,4.0 52.5,4.0 52.0,4.0</polygon>",
             "alert/info[0]/area[0]/polygon[0]: has 3 points (at least 4 required)");
  ExpectOnly(polygon, "<polygon>91.0,4.0 52.5,4.0 52.5,4.5 91.0,4.0</polygon>",
             "alert/info[0]/area[0]/polygon[0]: point 0 '91.0,4.0': latitude is out of range (-90..90)");
  ExpectOnly(polygon, "<polygon>52.0,4.0 52.5,180.5 52.5,4.5 52.0,4.0</polygon>",
             "alert/info[0]/area[0]/polygon[0]: point 1 '52.5,180.5': longitude is out of range (-180..180)");
  ExpectOnly(polygon, "<polygon>52.0,4.0 52.5,4.0, 52.5,4.5 52.0,4.0</polygon>",
             "alert/info[0]/area[0]/polygon[0]: point 1 '52.5,4.0,' is not 'lat,lon'");
  ExpectOnly(polygon, polygon + "<polygon/>", "alert/info[0]/area[0]/polygon[1]: has 0 points (at least 4 required)");
}

TEST_CASE("circles must be 'lat,lon radius' with a non-negative radius", "[cap][validator]") {
  const std::string circle = "<circle>52.1,4.3 10</circle>";
  ExpectOnly(circle, "<circle>52.1,4.3 -1</circle>", "alert/info[0]/area[0]/circle[0]: radius '-1' is negative");
  ExpectOnly(circle, "<circle>52.1,4.3</circle>",
             "alert/info[0]/area[0]/circle[0]: '52.1,4.3' is not 'lat,lon radius'");
  ExpectOnly(circle, "<circle>52.1,4.3 ten</circle>", "alert/info[0]/area[0]/circle[0]: radius 'ten' is not a number");
  ExpectNone(circle, "<circle>32.9525,-115.5527 0</circle>");
}

TEST_CASE("geocode, parameter and eventCode need a valueName", "[cap][validator]") {
  ExpectOnly("<valueName>NUTS</valueName>", "<valueName/>",
             "alert/info[0]/area[0]/geocode[0]/valueName: is required (missing or empty)");
  ExpectOnly("<valueName>p</valueName>", "<valueName> </valueName>",
             "alert/info[0]/parameter[0]/valueName: is required (missing or empty)");
  ExpectOnly("<valueName>SAME</valueName>", "<valueName></valueName>",
             "alert/info[0]/eventCode[0]/valueName: is required (missing or empty)");
  ExpectNone("<value>1</value>", "<value/>");
}

TEST_CASE("resource size is a non-negative integer and digest is SHA-1 hex", "[cap][validator]") {
  ExpectOnly("<size>1024</size>", "<size>-1</size>",
             "alert/info[0]/resource[0]/size: '-1' is not a non-negative integer (bytes)");
  ExpectOnly("<size>1024</size>", "<size>1.5</size>",
             "alert/info[0]/resource[0]/size: '1.5' is not a non-negative integer (bytes)");
  ExpectOnly("<digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>", "<digest>da39a3ee</digest>",
             "alert/info[0]/resource[0]/digest: 'da39a3ee' is not a SHA-1 digest (40 hexadecimal digits)");
  ExpectOnly("<digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>",
             "<digest>za39a3ee5e6b4b0d3255bfef95601890afd80709</digest>",
             "alert/info[0]/resource[0]/digest: 'za39a3ee5e6b4b0d3255bfef95601890afd80709' is not a SHA-1 digest "
             "(40 hexadecimal digits)");
  ExpectNone("<digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>",
             "<digest>DA39A3EE5E6B4B0D3255BFEF95601890AFD80709</digest>");
}

TEST_CASE("language is an RFC 3066 tag", "[cap][validator]") {
  ExpectOnly("<language>en-US</language>", "<language>en_US</language>",
             "alert/info[0]/language: 'en_US' is not an RFC 3066 language tag (e.g. 'en-US')");
  ExpectOnly("<language>en-US</language>", "<language>englishxx-US</language>",
             "alert/info[0]/language: 'englishxx-US' is not an RFC 3066 language tag (e.g. 'en-US')");
  for (const char* tag : {"en", "es-419", "zh-tw", "x-klingon", "fr-CA"}) {
    ExpectNone("<language>en-US</language>", std::string("<language>") + tag + "</language>");
  }
}

TEST_CASE("altitude and ceiling are numbers and ceiling needs altitude", "[cap][validator]") {
  ExpectOnly("<altitude>100</altitude>", "<altitude>high</altitude>",
             "alert/info[0]/area[0]/altitude: 'high' is not a decimal number (feet)");
  ExpectOnly("<altitude>100</altitude>", "", "alert/info[0]/area[0]/ceiling: is only allowed together with altitude");
}

TEST_CASE("violations in later infos and areas carry their indexes", "[cap][validator]") {
  const std::string xml = Replace(kValid, "</info>",
                                  "</info><info><category>Met</category><event>x</event><urgency>Past</urgency>"
                                  "<severity>Minor</severity><certainty>Observed</certainty>"
                                  "<area><areaDesc>a</areaDesc></area><area><areaDesc>b</areaDesc>"
                                  "<polygon>1,1 2,2 3,3 1,2</polygon></area></info>");
  CHECK(ViolationsOf(xml) ==
        std::vector<std::string>{"alert/info[1]/area[1]/polygon[0]: first and last points differ (a polygon must be "
                                 "closed)"});
}

TEST_CASE("a model built in code is validated the same way", "[cap][validator]") {
  Alert alert;
  alert.identifier = "x";
  alert.sender = "y";
  alert.sent = "2024-01-01T00:00:00+00:00";
  alert.status = "Actual";
  alert.msg_type = "Alert";
  alert.scope = "Public";
  CHECK(Validate(alert).empty());
  alert.infos.emplace_back();
  const auto v = Validate(alert);
  REQUIRE(v.size() == 5);
  CHECK(v[0].path == "alert/info[0]/category");
  CHECK(Format(v[1]) == "alert/info[0]/event: is required (missing or empty)");
}

// CAP 1.1: validated with the 1.1 rules (see docs/cap.md).
std::string Cap11(const std::string& xml) { return Replace(xml, "cap:1.2", "cap:1.1"); }

TEST_CASE("CAP 1.1 accepts Very Likely, Z times and a resource without mimeType", "[cap][validator][cap11]") {
  const std::string base = Cap11(kValid);
  ExpectNone("<certainty>Likely</certainty>", "<certainty>Very Likely</certainty>", base.c_str());
  ExpectNone("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2024-03-01T09:00:00Z</sent>", base.c_str());
  ExpectNone("<sent>2024-03-01T10:00:00+01:00</sent>", "<sent>2024-03-01T09:00:00.25-00:00</sent>", base.c_str());
  ExpectNone("<mimeType>image/png</mimeType>", "", base.c_str());
  ExpectNone("<scope>Public</scope>", "<scope>Public</scope><references>a,b,2024-03-01T09:00:00Z</references>",
             base.c_str());
}

TEST_CASE("CAP 1.1 refuses the 1.2-only response types Avoid and AllClear", "[cap][validator][cap11]") {
  const std::string base = Cap11(kValid);
  for (const char* v : {"Avoid", "AllClear"}) {
    ExpectOnly("<responseType>Shelter</responseType>", std::string("<responseType>") + v + "</responseType>",
               std::string("alert/info[0]/responseType[0]: unknown value '") + v +
                   "' (one of Shelter, Evacuate, Prepare, Execute, Monitor, Assess, None)",
               base.c_str());
  }
}

}  // namespace
}  // namespace vik::cap
