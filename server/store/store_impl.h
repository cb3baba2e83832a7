#pragma once

// Store's private parts, shared by the .cc files that implement Store (store.cc, pg_ingest.cc,
// pg_admin.cc). Not for use outside server/store/.

#include <string>
#include <utility>
#include <vector>

#include "store/pg_migrator.h"
#include "store/pg_pool.h"
#include "store/store.h"
#include "store/store_metrics.h"

namespace vik::store {

struct Store::Impl {
  Impl(PoolOptions pool_options_in, prometheus::Registry& registry_in, std::vector<Migration> migrations_in,
       std::string applied_by_in, const std::string& pool_name)
      : pool_options(std::move(pool_options_in)),
        registry(registry_in),
        migrations(std::move(migrations_in)),
        applied_by(std::move(applied_by_in)),
        metrics(registry, pool_name),
        pool(pool_options, metrics),
        migrator(pool, migrations, applied_by) {}

  // What a lane (Store::OpenLane) is opened with.
  const PoolOptions pool_options;
  prometheus::Registry& registry;
  const std::vector<Migration> migrations;
  const std::string applied_by;

  std::size_t max_pending_references = 10000;  // StoreOptions::max_pending_references
  StoreMetrics metrics;
  PgPool pool;
  PgMigrator migrator;
};

}  // namespace vik::store
