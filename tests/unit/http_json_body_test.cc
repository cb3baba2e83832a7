// http::CheckJsonDepth / ParseJsonObject and http::ClientMessage: bounded depth, no database text.

#include <string>

#include <catch2/catch.hpp>

#include "http/http_status.h"
#include "http/json_body.h"
#include "http/message.h"

using vik::http::CheckJsonDepth;
using vik::http::ClientMessage;
using vik::http::ParseJsonObject;

TEST_CASE("JSON bodies nested deeper than 64 levels are refused before any parser runs", "[http][json]") {
  CHECK(CheckJsonDepth(std::string(64, '[') + std::string(64, ']')).ok());
  CHECK_FALSE(CheckJsonDepth(std::string(65, '[') + std::string(65, ']')).ok());
  // Row 2 of issue 13: a subscription filter nested 200,000 deep.
  const std::string deep = R"({"name":"x","filter":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto parsed = ParseJsonObject(deep);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "the body nests JSON deeper than 64 levels");
  // Brackets inside strings (escaped quotes included) do not count.
  CHECK(CheckJsonDepth(R"({"a":")" + std::string(1000, '[') + R"(\"[[["})").ok());
  CHECK(ParseJsonObject(R"({"a":[1,{"b":2}]})").ok());
  CHECK(ParseJsonObject("[1]").status().message() == "the body must be a JSON object");
  CHECK(ParseJsonObject("{\"a\":\"\xff\"}").status().message() == "the body must be a JSON object");
}

TEST_CASE("database text never reaches a client: store errors become vik messages with the code", "[http][json]") {
  using vik::core::Status;
  using vik::core::StatusCode;
  const Status pg(StatusCode::kInternal, R"(list signals: ERROR:  invalid byte sequence for encoding "UTF8": 0xff)");
  CHECK(ClientMessage(pg, true) == "list signals: internal error (INTERNAL; the details are in the server log)");
  const Status down(StatusCode::kUnavailable,
                    "list signals: database connection failed: connection to server at \"10.0.0.5\", port 5432 failed");
  CHECK(ClientMessage(down, true) ==
        "list signals: the database is unavailable; retry shortly (UNAVAILABLE; the details are in the server log)");
  const Status dup(StatusCode::kAlreadyExists,
                   "create subscription: ERROR:  duplicate key value violates unique "
                   "constraint \"subscriptions_pkey\"");
  CHECK(ClientMessage(dup) ==
        "create subscription: already exists (ALREADY_EXISTS; the details are in the server log)");
  // vik's own messages pass.
  const Status mine(StatusCode::kNotFound, "subscription s1 does not exist");
  CHECK(ClientMessage(mine, true) == "subscription s1 does not exist");
  const Status aborted(StatusCode::kAborted, "version: the region's state is no longer at version 3");
  CHECK(ClientMessage(aborted, true) == aborted.message());
  // And the body built from it carries none of it.
  const auto res = vik::http::ErrorResponse(pg, true);
  CHECK(res.result_int() == 500);
  CHECK(res.body().find("ERROR") == std::string::npos);
  CHECK(res.body().find("UTF8") == std::string::npos);
}
