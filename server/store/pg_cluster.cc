// Store: the leader lease and singleton writes.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/time_format.h"
#include "store/fence_status.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

double Seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// Runs `write(w)` only while `fence` still holds its lease; the lease row stays share-locked until
// the commit, so no takeover can commit in between.
template <typename Fn>
core::Status Fenced(PgPool& pool, const char* what, const Fence& fence, Fn write) {
  return pool.Run(what, [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    write(w);
    w.commit();
    return core::Status::Ok();
  });
}

}  // namespace

core::Result<std::optional<std::int64_t>> Store::AcquireLease(const std::string& lease, const std::string& holder,
                                                              std::chrono::milliseconds ttl) {
  return impl_->pool.Run("acquire lease", [&](pqxx::connection& c) -> core::Result<std::optional<std::int64_t>> {
    pqxx::work w(c);
    w.exec(stmt::kLeaseLockTimeout.sql);
    auto r = w.exec_prepared(stmt::kLeaseAcquire.name, lease, holder, Seconds(ttl));
    if (r.empty()) {
      return std::optional<std::int64_t>();
    }
    const auto epoch = r[0][0].as<std::int64_t>();
    nlohmann::json audit = nlohmann::json::array();
    audit.push_back({{"actor", "node:" + holder},
                     {"origin", "cluster"},
                     {"action", "lease.acquire"},
                     {"object", {{"lease", lease}, {"epoch", epoch}}},
                     {"result", "ok"}});
    w.exec_prepared(stmt::kAuditInsert.name, audit.dump());
    w.commit();
    return std::optional<std::int64_t>(epoch);
  });
}

core::Result<bool> Store::RenewLease(const Fence& fence, std::chrono::milliseconds ttl) {
  return impl_->pool.Run("renew lease", [&](pqxx::connection& c) -> core::Result<bool> {
    pqxx::work w(c);
    w.exec(stmt::kLeaseLockTimeout.sql);
    const bool renewed =
        !w.exec_prepared(stmt::kLeaseRenew.name, fence.lease, fence.holder, fence.epoch, Seconds(ttl)).empty();
    w.commit();
    return renewed;
  });
}

core::Status Store::ReleaseLease(const Fence& fence) {
  return impl_->pool.Run("release lease", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kLeaseRelease.name, fence.lease, fence.holder, fence.epoch);
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<LeaseInfo> Store::ReadLease(const std::string& lease) {
  return impl_->pool.Run("read lease", [&](pqxx::connection& c) -> core::Result<LeaseInfo> {
    pqxx::read_transaction tx(c);
    LeaseInfo info;
    auto r = tx.exec_prepared(stmt::kLeaseRead.name, lease);
    if (!r.empty()) {
      if (!r[0][0].is_null()) {
        info.holder = r[0][0].as<std::string>();
      }
      info.epoch = r[0][1].as<std::int64_t>();
      info.expires_at = core::FromUnixSeconds(r[0][2].as<double>());
      info.valid = info.holder.has_value() && r[0][3].as<bool>();
    }
    return info;
  });
}

core::Status Store::WriteHeartbeat(const Fence& fence, std::chrono::seconds keep) {
  return Fenced(impl_->pool, "leader heartbeat", fence, [&](pqxx::work& w) {
    w.exec_prepared(stmt::kHeartbeatInsert.name, fence.lease, fence.holder, fence.epoch);
    w.exec_prepared(stmt::kHeartbeatPrune.name, static_cast<double>(keep.count()));
  });
}

core::Result<std::vector<InstanceInfo>> Store::ListInstances(std::chrono::seconds live_window) {
  return impl_->pool.Run("list instances", [&](pqxx::connection& c) -> core::Result<std::vector<InstanceInfo>> {
    pqxx::read_transaction tx(c);
    std::vector<InstanceInfo> out;
    for (const auto& r : tx.exec_prepared(stmt::kInstancesAll.name, static_cast<double>(live_window.count()))) {
      InstanceInfo i;
      i.node_id = r[0].as<std::string>();
      i.region = r[1].as<std::string>();
      i.version = r[2].as<std::string>();
      i.http_address = r[3].as<std::string>();
      i.grpc_address = r[4].as<std::string>();
      i.started_at = core::FromUnixSeconds(r[5].as<double>());
      i.last_seen_at = core::FromUnixSeconds(r[6].as<double>());
      i.live = r[7].as<bool>();
      out.push_back(std::move(i));
    }
    return out;
  });
}

}  // namespace vik::store
