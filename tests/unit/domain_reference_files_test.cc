// The region's reference data files (deploy/reference/<region>/*.tsv) and their checks.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "domain/reference_files.h"

namespace {

using vik::domain::ParseReferenceFiles;

std::map<std::string, std::string> RepositoryFiles() {
  std::map<std::string, std::string> files;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(VIK_SOURCE_DIR) / "deploy" / "reference" / "vr21")) {
    if (e.path().extension() == ".tsv") {
      std::ifstream in(e.path());
      std::ostringstream text;
      text << in.rdbuf();
      files[e.path().filename().string()] = text.str();
    }
  }
  return files;
}

std::string ErrorOf(const std::map<std::string, std::string>& files) {
  auto r = ParseReferenceFiles(files);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("the VR21 reference files in the repository are complete and valid", "[domain][reference]") {
  const auto files = RepositoryFiles();
  CHECK(files.size() == vik::domain::ReferenceFileNames().size());
  auto t = ParseReferenceFiles(files);
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(t->regions.size() == 25);
  CHECK(t->municipalities.size() == 18);  // 11 current, 7 merged on 2022-01-01
  CHECK(t->impact_classes.size() == 5);
  CHECK(t->likelihood_classes.size() == 5);
  CHECK(t->grip_levels.size() == 7);
  CHECK(t->crisis_phases.size() == 4);
  CHECK(t->cap_category_themes.size() == 12);
  bool land_van_cuijk = false;
  for (const auto& m : t->municipalities) {
    land_van_cuijk = land_van_cuijk || (m.gm_code == "GM0756" && m.successor == "GM1982");
  }
  CHECK(land_van_cuijk);
}

TEST_CASE("reference file errors name the file and the line", "[domain][reference]") {
  CHECK(
      ErrorOf({{"regions.tsv", "code\tnr\tname\tprovince\nVR21\t21\tBrabant-Noord\tNoord-Brabant\nVR2x\t1\tx\ty\n"}}) ==
      "regions.tsv:3: code \"VR2x\" is not VRnn");
  CHECK(ErrorOf({{"regions.tsv", "code\tname\nVR21\tBrabant-Noord\n"}}) ==
        "regions.tsv:1: the header must name the columns code, nr, name, province (tab-separated)");
  CHECK(ErrorOf({{"regions.tsv", "code\tnr\tname\tprovince\nVR21\t21\tBrabant-Noord\n"}}) ==
        "regions.tsv:2: has 3 columns, expected 4");
  CHECK(ErrorOf({{"regions.tsv", "code\tnr\tname\tprovince\nVR21\t21\tA\tB\nVR21\t21\tA\tB\n"}}) ==
        "regions.tsv:3: code \"VR21\" is listed twice");
  CHECK(ErrorOf({{"regions.tsv", "code\tnr\tname\tprovince\nVR21\t21\tA\tB\n"},
                 {"municipalities.tsv",
                  "gm_code\tname\tregion\tvalid_from\tvalid_to\tsuccessor\nGM0796\tDen Bosch\tVR22\t\t\t\n"}}) ==
        "municipalities.tsv:2: region \"VR22\" is not in regions.tsv");
  CHECK(ErrorOf(
            {{"municipalities.tsv",
              "gm_code\tname\tregion\tvalid_from\tvalid_to\tsuccessor\nGM0856\tUden\tVR21\t\t2021-12-31\tGM1991\n"}}) ==
        "municipalities.tsv:2: successor \"GM1991\" is not in municipalities.tsv");
  CHECK(ErrorOf({{"themes.tsv", "code\tlabel\tparent\tcap_category\n1\tNatuur\t\t\n2.1\tBrand\t1\tFire\n"}}) ==
        "themes.tsv:3: code \"2.1\" does not extend its parent \"1\"");
  CHECK(ErrorOf({{"themes.tsv", "code\tlabel\tparent\tcap_category\n1\tNatuur\t\tWeather\n"}}) ==
        "themes.tsv:2: cap_category \"Weather\" is not a CAP 1.2 category");
  CHECK(ErrorOf({{"grip_levels.tsv", "code\tordinal\tlabel\tdescription\n1\t1\tGRIP 1\tx\n2\t1\tGRIP 2\ty\n"}}) ==
        "grip_levels.tsv:3: ordinal 1 is used twice");
  CHECK_THAT(ErrorOf({{"colours.tsv", "a\n"}}), Catch::StartsWith("colours.tsv: not a reference file"));
}

TEST_CASE("reference files allow comments, blank lines and CRLF line ends", "[domain][reference]") {
  auto t = ParseReferenceFiles(
      {{"crisis_phases.tsv", "# phases\r\ncode\tordinal\tlabel\tdescription\r\n\r\nkoud\t0\tkoude fase\tnormaal\r\n"}});
  REQUIRE(t.ok());
  REQUIRE(t->crisis_phases.size() == 1);
  CHECK(t->crisis_phases[0].description == "normaal");
}
