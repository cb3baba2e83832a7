#include "support/admin_setup.h"

#include <catch2/catch.hpp>

namespace vik::testing {

VikdRun Admin(const std::string& dsn, std::vector<std::string> args) {
  args.push_back("--db");
  args.push_back(dsn);
  auto run = RunVikd(args);
  INFO("vikd " << args[0] << " " << (args.size() > 1 ? args[1] : "") << " exited " << run.exit_code << "; stderr:\n"
               << run.err);
  REQUIRE(run.exit_code == 0);
  return run;
}

Token IssueToken(const std::string& dsn, const std::string& partner, const std::string& scopes) {
  auto run = Admin(dsn, {"token", "issue", "--partner", partner, "--scopes", scopes});
  Token t;
  t.secret = run.out;
  while (!t.secret.empty() && (t.secret.back() == '\n' || t.secret.back() == '\r')) {
    t.secret.pop_back();
  }
  REQUIRE_THAT(t.secret, Catch::StartsWith("vik_"));
  const auto end = t.secret.find('_', 4);
  REQUIRE(end != std::string::npos);
  t.id = t.secret.substr(4, end - 4);
  CHECK_THAT(run.err, Catch::Contains(t.id));
  CHECK_THAT(run.err, !Catch::Contains(t.secret));
  return t;
}

void AddPartnerWithSource(const std::string& dsn, const std::string& partner, const std::string& source) {
  Admin(dsn, {"partner", "add", partner});
  Admin(dsn, {"source", "add", source, "--partner", partner});
}

}  // namespace vik::testing
