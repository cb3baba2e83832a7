#pragma once

// Store's private parts, shared by the .cc files that implement Store (store.cc, pg_ingest.cc,
// pg_admin.cc). Not for use outside server/store/.

#include "store/pg_migrator.h"
#include "store/pg_pool.h"
#include "store/store.h"
#include "store/store_metrics.h"

namespace vik::store {

struct Store::Impl {
  Impl(PoolOptions pool_options, prometheus::Registry& registry, std::vector<Migration> migrations,
       std::string applied_by)
      : metrics(registry), pool(std::move(pool_options), metrics),
        migrator(pool, std::move(migrations), std::move(applied_by)) {}

  std::size_t max_pending_references = 10000;  // StoreOptions::max_pending_references
  StoreMetrics metrics;
  PgPool pool;
  PgMigrator migrator;
};

}  // namespace vik::store
