#include <catch2/catch.hpp>

#include "http/query.h"

using vik::http::ParseQuery;

TEST_CASE("query strings decode percent escapes and plus signs", "[http][query]") {
  auto q = ParseQuery("a=1&b=x%20y+z&c=&d");
  REQUIRE(q.ok());
  CHECK(q->at("a") == "1");
  CHECK(q->at("b") == "x y z");
  CHECK(q->at("c").empty());
  CHECK(q->at("d").empty());
  CHECK(ParseQuery("").ok());
}

TEST_CASE("query strings refuse malformed escapes, repeats and unknown names", "[http][query]") {
  CHECK_FALSE(ParseQuery("a=%2").ok());
  CHECK_FALSE(ParseQuery("a=%zz").ok());
  CHECK_FALSE(ParseQuery("a=%").ok());
  CHECK(ParseQuery("a=1&a=2").status().message() == "query: parameter \"a\" is given twice");
  CHECK(ParseQuery("x=1", {"a", "b"}).status().message() == "query: unknown parameter \"x\" (known: a, b)");
  std::string many;
  for (int i = 0; i < 40; ++i) {
    many += "p" + std::to_string(i) + "=1&";
  }
  CHECK_FALSE(ParseQuery(many).ok());
}
