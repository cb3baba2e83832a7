#pragma once

// Who is calling: bearer tokens checked against an in-memory copy of the active tokens and the
// sources each partner owns, refreshed from the database every few seconds (so a revocation takes
// effect on every instance within one refresh interval).
// Thread-safety: Authenticate and OwnsSource are safe for concurrent use and never block on I/O;
// Refresh blocks (run it on the blocking pool).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/credential_store.h"
#include "store/ingest_records.h"

namespace vik::auth {

struct Caller {
  std::string token_id;
  std::string partner;
  std::set<std::string> scopes;
  std::string origin;  // peer address

  bool HasScope(const std::string& scope) const { return scopes.count(scope) > 0; }
  // "token:t0123 partner:brandweer" for audit records and logs (never the secret).
  std::string Actor() const { return "token:" + token_id + " partner:" + partner; }
};

class Authenticator {
 public:
  explicit Authenticator(store::CredentialStore& store) : store_(store) {}

  // `authorization` is the header/metadata value "Bearer vik_...". UNAUTHENTICATED when missing,
  // malformed, unknown or revoked; UNAVAILABLE before the first successful Refresh.
  core::Result<Caller> Authenticate(std::string_view authorization, std::string origin) const;

  // PERMISSION_DENIED unless `caller` has `scope`.
  static core::Status RequireScope(const Caller& caller, const std::string& scope);

  bool OwnsSource(const Caller& caller, const std::string& source) const;

  // Whether the token is still active (loaded and not revoked): what open streams re-check.
  bool Active(const std::string& token_id) const;

  // `listener` runs after every reload (Refresh or Load), outside the authenticator's lock, on the
  // reloading thread; it must not block. Listeners live as long as the authenticator.
  void OnReload(std::function<void()> listener) const;

  // Reloads tokens and sources from the database.
  core::Status Refresh();
  bool loaded() const;
  // Sources registered with an expected reporting interval: id -> seconds.
  std::map<std::string, std::int64_t> expected_intervals() const;
  std::size_t token_count() const;

  // Loads directly (for tests and tools that do not run the refresh loop).
  void Load(const store::Credentials& credentials);

 private:
  struct Entry {
    std::string digest;
    std::string partner;
    std::set<std::string> scopes;
  };

  store::CredentialStore& store_;
  mutable std::shared_mutex mu_;
  bool loaded_ = false;
  std::map<std::string, Entry> tokens_;                     // by token id
  std::map<std::string, std::set<std::string>> sources_;    // partner -> source ids
  std::map<std::string, std::int64_t> expected_intervals_;  // source id -> seconds
  mutable std::mutex listeners_mu_;
  mutable std::vector<std::function<void()>> listeners_;
};

}  // namespace vik::auth
