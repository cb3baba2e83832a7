// auth::Authenticator over an in-memory credential store: bearer parsing, digest comparison, scopes
// and sources, and what a failing or changing database does to the cached tokens.

#include <string>

#include <catch2/catch.hpp>

#include "auth/authenticator.h"
#include "auth/tokens.h"
#include "fakes/fake_credential_store.h"

namespace vik::auth {
namespace {

using testing::FakeCredentialStore;

store::TokenRecord Record(const NewToken& token, const std::string& partner, std::set<std::string> scopes) {
  store::TokenRecord r;
  r.id = token.id;
  r.partner = partner;
  r.digest = token.digest;
  r.scopes = std::move(scopes);
  return r;
}

std::string Bearer(const NewToken& token) { return "Bearer " + token.secret; }

// A store with one partner ("brandweer", source "brandweer-vr21" reporting every 300 s) and its
// ingest token.
struct Fixture {
  FakeCredentialStore store;
  Authenticator auth{store};
  NewToken token = GenerateToken();

  Fixture() {
    store.AddToken(Record(token, "brandweer", {"ingest"}));
    store.AddSource({"brandweer-vr21", "brandweer", 300});
    store.AddSource({"politie-vr21", "politie", std::nullopt});
  }
};

TEST_CASE("before the first successful refresh every token is UNAVAILABLE, not UNAUTHENTICATED", "[auth]") {
  Fixture f;
  f.store.faults().FailEverything(core::Unavailable("connection refused"));
  CHECK(f.auth.Refresh().code() == core::StatusCode::kUnavailable);
  CHECK_FALSE(f.auth.loaded());
  auto caller = f.auth.Authenticate(Bearer(f.token), "10.0.0.1");
  REQUIRE_FALSE(caller.ok());
  CHECK(caller.status().code() == core::StatusCode::kUnavailable);
}

TEST_CASE("a loaded token authenticates as its partner with its scopes and the caller's origin", "[auth]") {
  Fixture f;
  REQUIRE(f.auth.Refresh().ok());
  CHECK(f.auth.loaded());
  CHECK(f.auth.token_count() == 1);
  auto caller = f.auth.Authenticate(Bearer(f.token), "10.0.0.1:5000");
  REQUIRE(caller.ok());
  CHECK(caller->token_id == f.token.id);
  CHECK(caller->partner == "brandweer");
  CHECK(caller->origin == "10.0.0.1:5000");
  CHECK(caller->HasScope("ingest"));
  CHECK(caller->Actor() == "token:" + f.token.id + " partner:brandweer");
  CHECK(Authenticator::RequireScope(*caller, "ingest").ok());
  CHECK(Authenticator::RequireScope(*caller, "admin").code() == core::StatusCode::kPermissionDenied);
  CHECK(f.auth.Authenticate("bEaReR " + f.token.secret, "").ok());  // the scheme is case-insensitive
}

TEST_CASE("missing, malformed, unknown and wrong-secret tokens are UNAUTHENTICATED without echoing the secret",
          "[auth]") {
  Fixture f;
  REQUIRE(f.auth.Refresh().ok());
  NewToken stranger = GenerateToken();
  // Same id, another secret: the digest comparison decides.
  std::string forged = f.token.secret;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const std::string& header :
       {std::string(), std::string("Basic dXNlcjpwYXNz"), std::string("Bearer "),
        std::string("Bearer not-a-token-at-all-xyz"), Bearer(stranger), "Bearer " + forged}) {
    INFO("authorization: " << header);
    auto caller = f.auth.Authenticate(header, "");
    REQUIRE_FALSE(caller.ok());
    CHECK(caller.status().code() == core::StatusCode::kUnauthenticated);
    CHECK(caller.status().message().find(f.token.secret) == std::string::npos);
  }
  CHECK(f.auth.Authenticate(Bearer(stranger), "").status().message() == "unknown or revoked token");
}

TEST_CASE("a token revoked in the database is refused after the next refresh, and other tokens keep working",
          "[auth]") {
  Fixture f;
  NewToken other = GenerateToken();
  f.store.AddToken(Record(other, "politie", {"ingest"}));
  REQUIRE(f.auth.Refresh().ok());
  REQUIRE(f.auth.Authenticate(Bearer(f.token), "").ok());
  REQUIRE(f.store.Revoke(f.token.id));
  CHECK(f.auth.Active(f.token.id));  // until the refresh, the cache still has it
  REQUIRE(f.auth.Refresh().ok());
  auto caller = f.auth.Authenticate(Bearer(f.token), "");
  REQUIRE_FALSE(caller.ok());
  CHECK(caller.status().code() == core::StatusCode::kUnauthenticated);
  CHECK_FALSE(f.auth.Active(f.token.id));
  CHECK(f.auth.Authenticate(Bearer(other), "").ok());
  CHECK(f.auth.Active(other.id));
}

TEST_CASE("a refresh that fails keeps the last good tokens and sources", "[auth]") {
  Fixture f;
  REQUIRE(f.auth.Refresh().ok());
  int reloads = 0;
  f.auth.OnReload([&] { ++reloads; });
  f.store.faults().FailEverything(core::Unavailable("connection refused"));
  REQUIRE(f.store.Revoke(f.token.id));  // not seen: the database cannot be read
  const core::Status s = f.auth.Refresh();
  CHECK(s.code() == core::StatusCode::kUnavailable);
  CHECK(s.message() == "connection refused");
  CHECK(reloads == 0);
  CHECK(f.auth.loaded());
  CHECK(f.auth.Authenticate(Bearer(f.token), "").ok());
  auto caller = f.auth.Authenticate(Bearer(f.token), "");
  REQUIRE(caller.ok());
  CHECK(f.auth.OwnsSource(*caller, "brandweer-vr21"));
  f.store.faults().Heal();
  REQUIRE(f.auth.Refresh().ok());
  CHECK(reloads == 1);
  CHECK(f.auth.Authenticate(Bearer(f.token), "").status().code() == core::StatusCode::kUnauthenticated);
}

TEST_CASE("a partner owns only its own sources, and sources with an interval are reported as expected", "[auth]") {
  Fixture f;
  REQUIRE(f.auth.Refresh().ok());
  auto caller = f.auth.Authenticate(Bearer(f.token), "");
  REQUIRE(caller.ok());
  CHECK(f.auth.OwnsSource(*caller, "brandweer-vr21"));
  CHECK_FALSE(f.auth.OwnsSource(*caller, "politie-vr21"));
  CHECK_FALSE(f.auth.OwnsSource(*caller, "unknown"));
  CHECK(f.auth.expected_intervals() == std::map<std::string, std::int64_t>{{"brandweer-vr21", 300}});
}

TEST_CASE("a revoked token in loaded credentials is never cached, whatever the store answered", "[auth]") {
  FakeCredentialStore store;
  Authenticator auth(store);
  NewToken token = GenerateToken();
  store::Credentials credentials;
  credentials.tokens.push_back(Record(token, "brandweer", {"ingest"}));
  credentials.tokens.back().revoked = true;
  auth.Load(credentials);
  CHECK(auth.loaded());
  CHECK(auth.token_count() == 0);
  CHECK(auth.Authenticate(Bearer(token), "").status().code() == core::StatusCode::kUnauthenticated);
  CHECK(store.faults().Calls("LoadCredentials") == 0);
}

TEST_CASE("digests compare equal only byte for byte and length for length", "[auth]") {
  const std::string a = TokenDigest("vik_t0123456789ab_secret-one-xxxxxxxx");
  const std::string b = TokenDigest("vik_t0123456789ab_secret-two-xxxxxxxx");
  CHECK(a.size() == 32);
  CHECK(DigestsEqual(a, a));
  CHECK_FALSE(DigestsEqual(a, b));
  CHECK_FALSE(DigestsEqual(a, a.substr(0, 31)));
  CHECK_FALSE(DigestsEqual(a, std::string()));
  CHECK(DigestsEqual("", ""));
}

}  // namespace
}  // namespace vik::auth
