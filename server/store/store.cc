#include "store/store.h"

#include <pqxx/pqxx>

#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {

core::Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, prometheus::Registry& registry) {
  auto conninfo = BuildConnectionString(options.dsn, options.connection);
  if (!conninfo.ok()) {
    return conninfo.status();
  }
  auto migrations = options.migrations_dir ? LoadMigrationsDir(*options.migrations_dir) : EmbeddedMigrations();
  if (!migrations.ok()) {
    return migrations.status();
  }
  PoolOptions pool_options;
  pool_options.conninfo = std::move(conninfo).value();
  pool_options.size = options.pool_size;
  pool_options.acquire_timeout = options.acquire_timeout;
  auto impl = std::make_unique<Impl>(std::move(pool_options), registry, std::move(migrations).value(),
                                     options.applied_by, "api");
  impl->max_pending_references = options.max_pending_references;
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

std::unique_ptr<Store> Store::OpenLane(const std::string& lane, std::size_t size,
                                       std::chrono::milliseconds acquire_timeout) const {
  PoolOptions pool_options = impl_->pool_options;
  pool_options.size = size;
  pool_options.acquire_timeout = acquire_timeout;
  auto impl =
      std::make_unique<Impl>(std::move(pool_options), impl_->registry, impl_->migrations, impl_->applied_by, lane);
  impl->max_pending_references = impl_->max_pending_references;
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

core::Result<int> Store::Migrate() { return impl_->migrator.Migrate(); }
core::Status Store::CheckSchema(bool allow_newer) { return impl_->migrator.CheckSchema(allow_newer); }
int Store::LatestSchemaVersion() const { return impl_->migrator.latest_version(); }
void Store::CloseIdle() { impl_->pool.CloseIdle(); }

core::Status Store::Ping() {
  return impl_->pool.Run("ping", [](pqxx::connection& c) -> core::Status {
    pqxx::nontransaction n(c);
    n.exec_prepared(stmt::kPing.name);
    return core::Status::Ok();
  });
}

core::Status Store::RegisterInstance(const InstanceRecord& i) {
  return impl_->pool.Run("register instance", [&i](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kInstanceUpsert.name, i.node_id, i.region, i.version, i.http_address, i.grpc_address,
                    i.started_at_unix);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::TouchInstance(const std::string& node_id) {
  return impl_->pool.Run("touch instance", [&node_id](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kInstanceSeen.name, node_id);
    w.commit();
    return core::Status::Ok();
  });
}

}  // namespace vik::store
