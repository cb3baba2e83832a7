#pragma once

// Setting up partners, sources and tokens the way an operator does: through vikd's admin commands
// against a test database. Each helper REQUIREs the command to succeed.

#include <string>
#include <vector>

#include "support/vikd.h"

namespace vik::testing {

// Runs `vikd <args> --db <dsn>`.
VikdRun Admin(const std::string& dsn, std::vector<std::string> args);

struct Token {
  std::string secret;  // "vik_<id>_<secret>"
  std::string id;
};

// Issues a token for `partner` with comma-separated `scopes`; checks the secret is printed on
// stdout only (never in the log on stderr).
Token IssueToken(const std::string& dsn, const std::string& partner, const std::string& scopes = "ingest");

void AddPartnerWithSource(const std::string& dsn, const std::string& partner, const std::string& source);

}  // namespace vik::testing
