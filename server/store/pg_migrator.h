#pragma once

// Applies and checks schema migrations against PostgreSQL.
// Thread-safety: safe for concurrent use; calls block.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/migration_set.h"
#include "store/pg_pool.h"

namespace vik::store {

class PgMigrator {
 public:
  // `applied_by` is recorded with each migration (e.g. "vikd 0.1.0 node-a").
  PgMigrator(PgPool& pool, std::vector<Migration> known, std::string applied_by);

  // Applies every pending migration, each in its own transaction, on a dedicated session that holds
  // a PostgreSQL advisory lock for the whole run, so concurrent `vikd migrate` runs apply each
  // migration once. Returns how many were applied (0 when current). FAILED_PRECONDITION when the
  // database is newer than the binary or an applied file changed.
  core::Result<int> Migrate();

  // OK when the database is reachable and has every migration of this binary, unchanged, and (unless
  // `allow_newer`) none beyond; UNAVAILABLE when it cannot be reached; FAILED_PRECONDITION (with the
  // reason) otherwise. A running instance allows newer: during a rolling upgrade the new release
  // migrates first and the old instances keep serving (migrations must stay compatible with the
  // previous release).
  core::Status CheckSchema(bool allow_newer = false);

  int latest_version() const { return known_.empty() ? 0 : known_.back().version; }

 private:
  PgPool& pool_;
  const std::vector<Migration> known_;
  const std::string applied_by_;
};

}  // namespace vik::store
