// The one way routes read query values (http/query.h): numbers, limits and the picture.

#include <catch2/catch.hpp>

#include "http/query.h"

namespace vik::http {
namespace {

TEST_CASE("integer query values are whole decimal numbers within the route's range, else refused by name",
          "[http][query]") {
  CHECK(*ParseIntValue("limit", "42", 1, 500) == 42);
  for (const char* bad : {"", "0", "501", "4x", " 4", "+4", "-1", "99999999999", "4.0"}) {
    const auto v = ParseIntValue("limit", bad, 1, 500);
    REQUIRE(!v.ok());
    CHECK(v.status().message() == "limit: expected a number from 1 to 500");
  }
  const std::map<std::string, std::string> params{{"limit", "7"}, {"empty", ""}};
  CHECK(*IntParam(params, "limit", 50, 1, 500) == 7);
  CHECK(*IntParam(params, "absent", 50, 1, 500) == 50);
  CHECK(*IntParam(params, "empty", 50, 1, 500) == 50);
  CHECK(!LimitParam({{"limit", "0"}}, 50, 500).ok());
}

TEST_CASE("the picture parameter is actual when absent, exercise when asked, and nothing else", "[http][query]") {
  CHECK(*PictureParam({}) == domain::Picture::kActual);
  CHECK(*PictureParam({{"picture", "actual"}}) == domain::Picture::kActual);
  CHECK(*PictureParam({{"picture", "exercise"}}) == domain::Picture::kExercise);
  for (const char* bad : {"", "Exercise", "both", "test"}) {
    const auto p = PictureParam({{"picture", bad}});
    REQUIRE(!p.ok());
    CHECK_THAT(p.status().message(), Catch::StartsWith("picture: expected actual or exercise"));
  }
  CHECK(domain::PictureName(domain::Picture::kExercise) == "exercise");
  CHECK(!domain::ParsePicture("system"));
}

}  // namespace
}  // namespace vik::http
