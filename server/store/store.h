#pragma once

// The store module's face to the rest of vikd: opens the pool, owns the migrator and the
// repositories. Includes no libpqxx, so app/ and other modules can hold a Store.
// Thread-safety: safe for concurrent use; every call blocks on the database (call it from the
// blocking pool, never from an Asio or gRPC reaction).

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <prometheus/registry.h>

#include "core/result.h"
#include "store/connection_string.h"

namespace vik::store {

struct StoreOptions {
  std::string dsn;  // operator's DSN (key=value or URI, multi-host allowed)
  ConnectionSettings connection;
  std::size_t pool_size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  // Migrations from this directory instead of the ones compiled into the binary.
  std::optional<std::filesystem::path> migrations_dir;
  std::string applied_by = "vikd";
};

// One vikd instance as registered in the shared database.
struct InstanceRecord {
  std::string node_id;
  std::string region;
  std::string version;
  std::string http_address;
  std::string grpc_address;
  double started_at_unix = 0;
};

class Store {
 public:
  // Validates the DSN and loads the migrations; connects lazily (never fails on an unreachable DB).
  static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options, prometheus::Registry& registry);
  ~Store();

  // See PgMigrator.
  core::Result<int> Migrate();
  core::Status CheckSchema(bool allow_newer = false);
  int LatestSchemaVersion() const;

  core::Status Ping();
  core::Status RegisterInstance(const InstanceRecord& instance);
  core::Status TouchInstance(const std::string& node_id);

  // Closes idle connections (shutdown).
  void CloseIdle();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vik::store
