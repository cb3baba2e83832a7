// http::Router: exact and prefix routes, 404 and 405 answers, HEAD served by GET.

#include <memory>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/router.h"

namespace vik::http {
namespace {

// A router whose handlers record their name, so tests can tell which route matched.
struct Fixture {
  std::shared_ptr<std::string> called = std::make_shared<std::string>();
  Router router;

  Fixture() {
    router.Add(bhttp::verb::get, "/readyz", Named("readyz"));
    router.Add(bhttp::verb::get, "/signals", Named("list"));
    router.Add(bhttp::verb::post, "/signals", Named("create"));
    router.Add(bhttp::verb::get, "/signals/*", Named("one"));
  }

  Handler Named(std::string name) {
    return [c = called, name](std::shared_ptr<const Request>, Responder) { *c = name; };
  }

  // Runs the matched handler and returns the name it recorded ("" when nothing matched).
  std::string Dispatch(bhttp::verb method, std::string_view path) {
    called->clear();
    const Router::Match m = router.Find(method, path);
    if (m.handler == nullptr) {
      return "";
    }
    (*m.handler)(std::make_shared<Request>(), [](Response) {});
    return *called;
  }
};

TEST_CASE("an exact route matches only its own path", "[http][router]") {
  Fixture f;
  CHECK(f.Dispatch(bhttp::verb::get, "/readyz") == "readyz");
  const Router::Match m = f.router.Find(bhttp::verb::get, "/readyz");
  CHECK(m.route == "/readyz");
  CHECK(f.router.Find(bhttp::verb::get, "/readyz/").handler == nullptr);
  CHECK(f.router.Find(bhttp::verb::get, "/ready").handler == nullptr);
}

TEST_CASE("routes with the same path are told apart by method", "[http][router]") {
  Fixture f;
  CHECK(f.Dispatch(bhttp::verb::get, "/signals") == "list");
  CHECK(f.Dispatch(bhttp::verb::post, "/signals") == "create");
}

TEST_CASE("a prefix route matches paths below it and is labelled with its pattern", "[http][router]") {
  Fixture f;
  CHECK(f.Dispatch(bhttp::verb::get, "/signals/abc") == "one");
  CHECK(f.Dispatch(bhttp::verb::get, "/signals/a/b") == "one");
  CHECK(f.router.Find(bhttp::verb::get, "/signals/abc").route == "/signals/*");
}

TEST_CASE("a prefix route does not match its bare directory", "[http][router]") {
  Router router;
  router.Add(bhttp::verb::get, "/x/*", [](std::shared_ptr<const Request>, Responder) {});
  CHECK(router.Find(bhttp::verb::get, "/x/y").handler != nullptr);
  CHECK(router.Find(bhttp::verb::get, "/x/").handler == nullptr);
  CHECK(router.Find(bhttp::verb::get, "/x").handler == nullptr);
  CHECK(router.Find(bhttp::verb::get, "/xy").handler == nullptr);
}

TEST_CASE("an unknown path answers 404 as JSON and is labelled unmatched", "[http][router]") {
  Fixture f;
  const Router::Match m = f.router.Find(bhttp::verb::get, "/nope");
  REQUIRE(m.handler == nullptr);
  CHECK(m.route == "unmatched");
  CHECK(m.error.result() == bhttp::status::not_found);
  CHECK(m.error[bhttp::field::content_type] == "application/json");
  const auto body = nlohmann::json::parse(m.error.body());
  CHECK(body.at("code") == "NOT_FOUND");
  CHECK_THAT(body.at("message").get<std::string>(), Catch::Contains("\"/nope\""));
}

TEST_CASE("a known path with another method answers 405 listing the allowed methods", "[http][router]") {
  Fixture f;
  const Router::Match m = f.router.Find(bhttp::verb::delete_, "/signals");
  REQUIRE(m.handler == nullptr);
  CHECK(m.route == "/signals");
  CHECK(m.error.result() == bhttp::status::method_not_allowed);
  CHECK(m.error[bhttp::field::allow] == "GET, HEAD, POST");
  const auto body = nlohmann::json::parse(m.error.body());
  CHECK_THAT(body.at("message").get<std::string>(), Catch::Contains("DELETE") && Catch::Contains("GET, HEAD, POST"));
}

TEST_CASE("a 405 on a GET-only path allows GET and HEAD", "[http][router]") {
  Fixture f;
  const Router::Match m = f.router.Find(bhttp::verb::post, "/readyz");
  REQUIRE(m.handler == nullptr);
  CHECK(m.error.result() == bhttp::status::method_not_allowed);
  CHECK(m.error[bhttp::field::allow] == "GET, HEAD");
}

TEST_CASE("HEAD is served by the GET route", "[http][router]") {
  Fixture f;
  CHECK(f.Dispatch(bhttp::verb::head, "/readyz") == "readyz");
  CHECK(f.Dispatch(bhttp::verb::head, "/signals/abc") == "one");
  CHECK(f.router.Find(bhttp::verb::head, "/readyz").route == "/readyz");
}

}  // namespace
}  // namespace vik::http
