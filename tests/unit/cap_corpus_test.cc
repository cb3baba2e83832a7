// The real-world CAP corpus in tests/data/cap (see its README.md and manifest.tsv): every file the
// manifest marks "accept" parses and validates cleanly, every "reject" is refused with a reason,
// and other CAP versions follow the documented policy (docs/cap.md).

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cap/parser.h"
#include "cap/validator.h"

namespace vik::cap {
namespace {

const std::string kCorpus = std::string(VIK_SOURCE_DIR) + "/tests/data/cap/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Row {
  std::string file;
  std::string expect;
  std::string cls;
  std::size_t bytes = 0;
};

std::vector<Row> Manifest() {
  std::ifstream in(kCorpus + "manifest.tsv");
  REQUIRE(in.good());
  std::vector<Row> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) {
      cols.push_back(col);
    }
    if (header) {
      header = false;
      REQUIRE(cols.size() >= 6);
      REQUIRE(cols[0] == "file");
      REQUIRE(cols[1] == "expect");
      REQUIRE(cols[2] == "class");
      REQUIRE(cols[5] == "bytes");
      continue;
    }
    INFO("manifest line: " << line);
    REQUIRE(cols.size() >= 6);
    rows.push_back(Row{cols[0], cols[1], cols[2], std::stoul(cols[5])});
  }
  return rows;
}

// Feeds belong to the Atom/RSS reader, except the XXE feed, which is an attack on any XML reader.
bool IsAlertFile(const Row& row) {
  return row.file.rfind("feeds/", 0) != 0 || row.file == "feeds/invalid/google_cap-library_xee.atom.xml";
}

// Empty when the document is accepted; otherwise the reason (parser refusal or first violation).
std::string Refusal(const core::Result<Alert>& parsed, std::size_t* violation_count) {
  *violation_count = 0;
  if (!parsed.ok()) {
    return parsed.status().ToString();
  }
  const auto violations = Validate(*parsed);
  *violation_count = violations.size();
  std::string out;
  for (const auto& v : violations) {
    out += (out.empty() ? "" : "; ") + Format(v);
  }
  return out;
}

TEST_CASE("every CAP file in the corpus is classified as its manifest expects", "[cap][corpus]") {
  const auto rows = Manifest();
  REQUIRE(rows.size() > 30);
  std::size_t checked = 0;
  for (const auto& row : rows) {
    INFO("file: " << row.file << " (expect " << row.expect << ", class " << row.cls << ")");
    // A new expect value needs a decision here first.
    REQUIRE((row.expect == "accept" || row.expect == "reject" || row.expect == "version-policy" ||
             row.expect == "accept-or-lenient"));
    const std::string bytes = ReadFile(kCorpus + row.file);
    CHECK(bytes.size() == row.bytes);
    if (!IsAlertFile(row)) {
      continue;
    }
    ++checked;
    const auto parsed = ParseAlert(bytes);
    std::size_t violations = 0;
    const std::string reason = Refusal(parsed, &violations);
    INFO("reason: " << reason);

    if (row.file.rfind("edxlde/", 0) == 0) {
      // Policy: EDXL-DE envelopes are not unwrapped (one envelope carries several alerts).
      CHECK_FALSE(parsed.ok());
      CHECK(reason.find("EDXL-DE") != std::string::npos);
      WARN(row.file << ": refused by policy: " << reason);
    } else if (row.expect == "accept" || row.expect == "accept-or-lenient") {
      CHECK(reason.empty());
      CHECK(parsed.ok());
      if (parsed.ok()) {
        CHECK(parsed->version == Version::kCap12);
      }
    } else if (row.expect == "reject") {
      CHECK_FALSE(reason.empty());
      WARN(row.file << ": rejected: " << reason);
    } else if (row.cls == "cap11") {
      // Policy: CAP 1.1 is accepted and validated with the 1.1 rules.
      CHECK(reason.empty());
      REQUIRE(parsed.ok());
      CHECK(parsed->version == Version::kCap11);
    } else if (row.cls == "cap10") {
      CHECK_FALSE(parsed.ok());
      CHECK(parsed.status().code() == core::StatusCode::kInvalidArgument);
      CHECK(reason.find("CAP 1.0, which vik does not accept") != std::string::npos);
      WARN(row.file << ": refused by policy: " << reason);
    } else {
      FAIL("version-policy row with an unknown class: " << row.cls);
    }
  }
  CHECK(checked >= 30);
}

TEST_CASE("the Latin-1 corpus alert comes out as UTF-8", "[cap][corpus]") {
  const auto parsed = ParseAlert(ReadFile(kCorpus + "valid/google_cap-library_earthquake-iso8859-1.xml"));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->infos.size() == 1);
  CHECK(parsed->infos[0].headline == "EQ 4.6 Usulut\xC3\xA1n, Usulut\xC3\xA1n, El Salvador - PRELIMINARY REPORT");
}

TEST_CASE("the signed corpus alert is marked as signed and its signature is not read as CAP", "[cap][corpus]") {
  const auto parsed = ParseAlert(ReadFile(kCorpus + "valid/google_cap-library_canada_signed.xml"));
  REQUIRE(parsed.ok());
  CHECK(parsed->signed_xml);
  const auto unsigned_alert = ParseAlert(ReadFile(kCorpus + "valid/google_cap-library_canada.xml"));
  REQUIRE(unsigned_alert.ok());
  CHECK_FALSE(unsigned_alert->signed_xml);
}

TEST_CASE("the corpus cancel without info blocks parses with no infos", "[cap][corpus]") {
  const auto parsed = ParseAlert(ReadFile(kCorpus + "valid/kelvinn_capparselib_no_info_tag.xml"));
  REQUIRE(parsed.ok());
  CHECK(parsed->infos.empty());
  CHECK_FALSE(parsed->references.empty());
}

TEST_CASE("the corpus XXE alert and feed are refused by the pre-scan", "[cap][corpus][attack]") {
  for (const char* file : {"invalid/google_cap-library_xee.xml", "feeds/invalid/google_cap-library_xee.atom.xml"}) {
    INFO(file);
    const auto parsed = ParseAlert(ReadFile(kCorpus + file));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == core::StatusCode::kInvalidArgument);
    CHECK(parsed.status().message() == "line 3: DOCTYPE is not allowed (entities are never declared or expanded)");
  }
}

}  // namespace
}  // namespace vik::cap
