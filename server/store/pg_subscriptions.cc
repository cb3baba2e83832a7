// Store: subscriptions and their webhook deliveries (migration 0013; docs/exchange.md). The delivery
// job's writes (enqueue with the cursor, attempts, pruning) pass the leader's fence.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/pg_picture_rows.h"
#include "store/pg_query_rows.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

// Columns as col::SubscriptionColumn (pg_query_rows.h).
SubscriptionRecord SubscriptionOf(const pqxx::row& r) {
  return {r[col::kSubscriptionId].as<std::string>(),         r[col::kSubscriptionPartner].as<std::string>(),
          r[col::kSubscriptionName].as<std::string>(),       r[col::kSubscriptionUrl].as<std::string>(),
          r[col::kSubscriptionFilter].as<std::string>(),     r[col::kSubscriptionCreatedBy].as<std::string>(),
          r[col::kSubscriptionCreatedUs].as<std::int64_t>(), r[col::kSubscriptionLastDeliveredUs].as<std::int64_t>(),
          r[col::kSubscriptionLastError].as<std::string>(),  r[col::kSubscriptionLastErrorUs].as<std::int64_t>(),
          r[col::kSubscriptionPending].as<std::int64_t>(),   r[col::kSubscriptionDelivered].as<std::int64_t>(),
          r[col::kSubscriptionDead].as<std::int64_t>()};
}

std::int64_t Micros(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

core::Result<std::string> Store::CreateSubscription(const SubscriptionCreate& sub, const AuditRecord& audit) {
  return impl_->pool.Run("create subscription", [&](pqxx::connection& c) -> core::Result<std::string> {
    pqxx::work w(c);
    const auto count = w.exec_prepared(stmt::kSubscriptionPartnerCount.name, sub.partner);
    if (count.empty()) {
      return core::InvalidArgument("partner: no partner named \"" + sub.partner + "\"");
    }
    if (count[0][0].as<std::size_t>() >= sub.max_per_partner) {
      return core::ResourceExhausted(
          "partner \"" + sub.partner + "\" already has " + std::to_string(count[0][0].as<std::size_t>()) +
          " subscriptions, the most allowed (subscriptions.max_per_partner = " + std::to_string(sub.max_per_partner) +
          "); delete one first");
    }
    const auto rows = w.exec_prepared(stmt::kSubscriptionInsert.name, sub.partner, sub.name, sub.url, sub.filter_json,
                                      sub.secret, sub.created_by);
    if (rows.empty()) {
      return core::InvalidArgument("partner: no partner named \"" + sub.partner + "\"");
    }
    const auto id = rows[0][0].as<std::string>();
    InsertAudit(w, {audit});
    w.commit();
    return id;
  });
}

core::Result<std::vector<SubscriptionRecord>> Store::ListSubscriptions(const std::string& partner) {
  return impl_->pool.Run("list subscriptions",
                         [&](pqxx::connection& c) -> core::Result<std::vector<SubscriptionRecord>> {
                           pqxx::read_transaction tx(c);
                           std::vector<SubscriptionRecord> out;
                           for (const auto& r : tx.exec_prepared(stmt::kSubscriptionsList.name, partner)) {
                             out.push_back(SubscriptionOf(r));
                           }
                           return out;
                         });
}

core::Result<SubscriptionRecord> Store::ReadSubscription(const std::string& id) {
  return impl_->pool.Run("read subscription", [&](pqxx::connection& c) -> core::Result<SubscriptionRecord> {
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_prepared(stmt::kSubscriptionRead.name, id);
    if (rows.empty()) {
      return core::NotFound("subscription " + id + " does not exist");
    }
    return SubscriptionOf(rows[0]);
  });
}

core::Status Store::DeleteSubscription(const std::string& id, const AuditRecord& audit) {
  return impl_->pool.Run("delete subscription", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (w.exec_prepared(stmt::kSubscriptionDelete.name, id).empty()) {
      return core::NotFound("subscription " + id + " does not exist");
    }
    InsertAudit(w, {audit});
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<DeliveryRecord>> Store::ListDeliveries(const std::string& subscription,
                                                                const std::string& state, int limit) {
  return impl_->pool.Run("list deliveries", [&](pqxx::connection& c) -> core::Result<std::vector<DeliveryRecord>> {
    pqxx::read_transaction tx(c);
    std::vector<DeliveryRecord> out;
    for (const auto& r : tx.exec_prepared(stmt::kDeliveriesList.name, subscription, state, limit)) {
      out.push_back({r[0].as<std::string>(),
                     r[1].as<std::string>(),
                     {ParseXid(r[2].as<std::string>()), r[3].as<std::int64_t>()},
                     r[4].as<std::string>(),
                     r[5].as<std::string>(),
                     r[6].as<std::string>(),
                     r[7].as<int>(),
                     r[8].as<std::int64_t>(),
                     r[9].as<std::string>(),
                     r[10].as<std::int64_t>(),
                     r[11].as<std::int64_t>()});
    }
    return out;
  });
}

core::Status Store::RetryDelivery(const std::string& subscription, const std::string& delivery,
                                  const AuditRecord& audit) {
  return impl_->pool.Run("retry delivery", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (w.exec_prepared(stmt::kDeliveryRetry.name, subscription, delivery).empty()) {
      const auto state = w.exec_prepared(stmt::kDeliveryState.name, subscription, delivery);
      if (state.empty()) {
        return core::NotFound("subscription " + subscription + " has no delivery " + delivery);
      }
      return core::FailedPrecondition("delivery " + delivery + " is " + state[0][0].as<std::string>() +
                                      ", not dead: only dead deliveries can be re-queued");
    }
    InsertAudit(w, {audit});
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<SubscriptionMatchRecord>> Store::ListSubscriptionFilters() {
  return impl_->pool.Run("list subscription filters",
                         [&](pqxx::connection& c) -> core::Result<std::vector<SubscriptionMatchRecord>> {
                           pqxx::read_transaction tx(c);
                           std::vector<SubscriptionMatchRecord> out;
                           for (const auto& r : tx.exec_prepared(stmt::kSubscriptionsMatching.name)) {
                             out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
                           }
                           return out;
                         });
}

core::Result<ChangeCursor> Store::ReadSubscriptionCursor() {
  return impl_->pool.Run("read subscription cursor", [&](pqxx::connection& c) -> core::Result<ChangeCursor> {
    pqxx::read_transaction tx(c);
    const auto r = tx.exec_prepared1(stmt::kSubscriptionCursor.name);
    return ChangeCursor{ParseXid(r[0].as<std::string>()), r[1].as<std::int64_t>()};
  });
}

core::Status Store::EnqueueDeliveries(const Fence& fence, const ChangeCursor& next,
                                      const std::vector<DeliveryEnqueue>& deliveries, int max_pending) {
  return impl_->pool.Run("enqueue deliveries", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    if (!deliveries.empty()) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& d : deliveries) {
        rows.push_back({{"subscription", d.subscription},
                        {"xid", std::to_string(d.cursor.xid)},
                        {"seq", d.cursor.seq},
                        {"at_us", d.at_us},
                        {"kind", d.kind},
                        {"object", d.object},
                        {"body", d.body}});
      }
      w.exec_prepared(stmt::kDeliveriesEnqueue.name, rows.dump(), max_pending);
    }
    w.exec_prepared(stmt::kSubscriptionCursorSet.name, std::to_string(next.xid), next.seq);
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<DueDelivery>> Store::ReadDueDeliveries(int limit) {
  return impl_->pool.Run("read due deliveries", [&](pqxx::connection& c) -> core::Result<std::vector<DueDelivery>> {
    pqxx::read_transaction tx(c);
    std::vector<DueDelivery> out;
    for (const auto& r : tx.exec_prepared(stmt::kDeliveriesDue.name, limit)) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                     r[4].as<std::string>(), r[5].as<int>()});
    }
    return out;
  });
}

core::Status Store::RecordDeliveries(const Fence& fence, const std::vector<DeliveryOutcome>& outcomes,
                                     int max_attempts) {
  return impl_->pool.Run("record deliveries", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    for (const auto& o : outcomes) {
      if (o.delivered) {
        w.exec_prepared(stmt::kDeliveryDelivered.name, o.id);
      } else {
        w.exec_prepared(stmt::kDeliveryFailed.name, o.id, o.error, static_cast<double>(o.retry_after_ms), max_attempts);
      }
    }
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<int> Store::PruneDeliveries(const Fence& fence, core::WallTime before, int limit) {
  return impl_->pool.Run("prune deliveries", [&](pqxx::connection& c) -> core::Result<int> {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    const int deleted = w.exec_prepared1(stmt::kDeliveriesPrune.name, Micros(before), limit)[0].as<int>();
    w.commit();
    return deleted;
  });
}

core::Result<DeliveryCounts> Store::CountDeliveries() {
  return impl_->pool.Run("count deliveries", [&](pqxx::connection& c) -> core::Result<DeliveryCounts> {
    pqxx::read_transaction tx(c);
    const auto r = tx.exec_prepared1(stmt::kDeliveryCounts.name);
    return DeliveryCounts{r[0].as<std::int64_t>(), r[1].as<std::int64_t>()};
  });
}

}  // namespace vik::store
