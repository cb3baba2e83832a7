// Store: the public change feed (docs/exchange.md): pages of the change log with the bodies of the
// objects they name, snapshots with the cursor they are consistent with, and the leader's pruning.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/pg_picture_rows.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

using nlohmann::json;

std::string CursorText(const ChangeCursor& c) { return std::to_string(c.xid) + "." + std::to_string(c.seq); }

}  // namespace

core::Result<ChangePage> Store::ReadChanges(const std::optional<ChangeCursor>& after, int limit,
                                            const std::string& region) {
  return impl_->pool.Run("read changes", [&](pqxx::connection& c) -> core::Result<ChangePage> {
    RepeatableRead tx(c);
    const auto horizon = tx.exec_prepared1(stmt::kChangesHorizon.name);
    const ChangeCursor oldest{ParseXid(horizon[0].as<std::string>()), horizon[1].as<std::int64_t>()};
    const std::uint64_t xmax = ParseXid(horizon[3].as<std::string>());
    const ChangeCursor from = after.value_or(oldest);
    if (from < oldest) {
      return core::OutOfRange("after: cursor " + CursorText(from) + " is older than the oldest change kept (" +
                              CursorText(oldest) + "); resynchronise from a snapshot (GetSnapshot, GET /v1/snapshot)");
    }
    if (from.xid > xmax) {  // xmax itself: the next id, a position no change has reached yet
      return core::OutOfRange("after: cursor " + CursorText(from) +
                              " lies ahead of this node's change log (a cursor of another node or of a database "
                              "since restored); resynchronise from a snapshot");
    }
    ChangePage page;
    page.next = from;
    json signal_ids = json::array();
    json risk_keys = json::array();
    bool region_named = false;
    for (const auto& r : tx.exec_prepared(stmt::kChangesPage.name, std::to_string(from.xid), from.seq, limit)) {
      ChangeRecord change{{ParseXid(r[0].as<std::string>()), r[1].as<std::int64_t>()},
                          r[2].as<std::int64_t>(),
                          r[3].as<std::string>(),
                          r[4].as<std::string>(),
                          r[5].as<std::string>()};
      if (change.kind == "signal.accepted" || change.kind == "signal.ended") {
        signal_ids.push_back(change.object);
      } else if (change.kind == "risk.changed" || change.kind == "risk.assessed") {
        risk_keys.push_back({{"picture", change.picture}, {"id", change.object}});
      } else if (change.kind == "region.state") {
        region_named = true;
      }
      page.next = change.cursor;
      page.changes.push_back(std::move(change));
    }
    page.more = static_cast<int>(page.changes.size()) == limit;
    if (!signal_ids.empty()) {
      for (const auto& r : tx.exec_prepared(stmt::kChangesSignals.name, signal_ids.dump())) {
        StoredSignalRecord s{r[0].as<std::string>(),         r[1].as<std::string>(),  r[2].as<std::string>(),
                             pqxx::binarystring(r[3]).str(), r[4].as<std::int64_t>(), r[5].as<std::string>(),
                             r[6].as<std::int64_t>()};
        page.signals.emplace(s.id, std::move(s));
      }
    }
    if (!risk_keys.empty()) {
      for (auto& risk : RiskRecordsOf(tx.exec_prepared(stmt::kPictureRisksByIds.name, risk_keys.dump()))) {
        const auto key = std::make_pair(risk.row.picture, risk.row.id);
        page.risks.emplace(key, std::move(risk));
      }
    }
    if (region_named) {
      page.region_state = CurrentRegionState(tx, region);
    }
    return page;
  });
}

core::Result<SnapshotRecord> Store::ReadSnapshot(const std::string& region, const std::string& picture,
                                                 const std::string& lease, std::chrono::seconds live_window) {
  return impl_->pool.Run("read snapshot", [&](pqxx::connection& c) -> core::Result<SnapshotRecord> {
    RepeatableRead tx(c);
    // The snapshot's xmin first: every change below it is in this snapshot; changes at or above it
    // may be too, and a reader following from here sees them again (bodies are states: harmless).
    const auto horizon = tx.exec_prepared1(stmt::kChangesHorizon.name);
    SnapshotRecord out;
    out.cursor = {ParseXid(horizon[2].as<std::string>()), 0};
    // ... but never before the oldest change kept.
    const ChangeCursor oldest{ParseXid(horizon[0].as<std::string>()), horizon[1].as<std::int64_t>()};
    if (out.cursor < oldest) {
      out.cursor = oldest;
    }
    auto status = RegionalStatusIn(tx, region, picture, 100000, lease, live_window);
    if (!status.ok()) {
      return status.status();
    }
    out.status = std::move(status).value();
    return out;
  });
}

core::Result<int> Store::PruneChanges(const Fence& fence, core::WallTime written_before, int limit) {
  return impl_->pool.Run("prune changes", [&](pqxx::connection& c) -> core::Result<int> {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    const std::int64_t before_us =
        std::chrono::duration_cast<std::chrono::microseconds>(written_before.time_since_epoch()).count();
    const int deleted = w.exec_prepared1(stmt::kChangesPrune.name, before_us, limit)[0].as<int>();
    w.commit();
    return deleted;
  });
}

}  // namespace vik::store
