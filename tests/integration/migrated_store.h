#pragma once

// The integration suites' store: a Store on a test database with every migration applied (the
// test fails when either step does).

#include <memory>
#include <string>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "store/store.h"

namespace vik::testing {

inline std::unique_ptr<store::Store> OpenMigratedStore(const std::string& dsn, prometheus::Registry& registry,
                                                       std::size_t pool_size = 2) {
  store::StoreOptions options;
  options.dsn = dsn;
  options.pool_size = pool_size;
  auto opened = store::Store::Open(options, registry);
  REQUIRE(opened.ok());
  auto store = std::move(opened).value();
  auto migrated = store->Migrate();
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  return store;
}

}  // namespace vik::testing
