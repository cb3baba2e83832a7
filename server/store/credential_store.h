#pragma once

// What the authenticator (auth/authenticator.h) needs of the store: the active tokens and every
// source, for its in-memory cache. Implemented by store::Store (pg_ingest.cc); faked in
// tests/support/fakes/. No libpqxx.
// Thread-safety: implementations are safe for concurrent use; the call blocks on the database.

#include "core/result.h"
#include "store/ingest_records.h"

namespace vik::store {

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // Active (not revoked) tokens and all sources, read in one snapshot.
  virtual core::Result<Credentials> LoadCredentials() = 0;
};

}  // namespace vik::store
