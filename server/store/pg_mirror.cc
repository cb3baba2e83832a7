// Store: mirrors of peer nodes (docs/exchange.md, "Mirroring peers"). The leader's followers write
// (each write fenced, the peer's cursor moved in the transaction of the changes it covers); any
// instance reads the mirrored pictures for the national status.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/base64.h"
#include "store/pg_picture_rows.h"
#include "store/pg_query_rows.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

using nlohmann::json;

std::string Names(const std::vector<std::string>& names) { return json(names).dump(); }

std::string Bytes(const pqxx::field& f) { return f.is_null() ? std::string() : pqxx::binarystring(f).str(); }

// Columns as col::PeerColumn (pg_query_rows.h).
PeerRecord PeerOf(const pqxx::row& r) {
  PeerRecord p;
  p.name = r[col::kPeerName].as<std::string>();
  p.endpoint = r[col::kPeerEndpoint].as<std::string>();
  p.region = r[col::kPeerRegion].as<std::string>();
  p.region_name = r[col::kPeerRegionName].as<std::string>();
  p.cursor = r[col::kPeerCursor].as<std::string>();
  p.synced_us = r[col::kPeerSyncedUs].as<std::int64_t>();
  p.snapshots = r[col::kPeerSnapshots].as<int>();
  p.changes_applied = r[col::kPeerChangesApplied].as<std::int64_t>();
  p.last_contact_us = r[col::kPeerLastContactUs].as<std::int64_t>();
  p.last_change_us = r[col::kPeerLastChangeUs].as<std::int64_t>();
  p.last_error = r[col::kPeerLastError].as<std::string>();
  p.last_error_us = r[col::kPeerLastErrorUs].as<std::int64_t>();
  p.consecutive_errors = r[col::kPeerConsecutiveErrors].as<int>();
  p.status = Bytes(r[col::kPeerStatus]);
  p.status_us = r[col::kPeerStatusUs].as<std::int64_t>();
  return p;
}

json RiskRowsJson(const std::vector<MirrorRiskRow>& risks) {
  json rows = json::array();
  for (const auto& r : risks) {
    rows.push_back({{"picture", r.picture},
                    {"id", r.id},
                    {"theme", r.theme},
                    {"municipality", r.municipality},
                    {"level", r.level},
                    {"priority", r.priority},
                    {"in_picture", r.in_picture},
                    {"body", core::Base64Encode(r.body)}});
  }
  return rows;
}

void UpsertRegionState(pqxx::work& w, const std::string& peer, const MirrorRegionStateRow& s) {
  w.exec_prepared(stmt::kMirrorRegionStateUpsert.name, peer, s.region, s.version, s.grip_level, s.phase, s.set_us,
                  core::Base64Encode(s.body));
}

void EnsurePeer(pqxx::work& w, const std::string& peer, const std::string& endpoint) {
  w.exec_prepared(stmt::kPeerEnsure.name, peer, endpoint);
}

core::Status CheckOptionalFence(pqxx::work& w, const std::optional<Fence>& fence) {
  return fence ? CheckFence(w, *fence) : core::Status::Ok();
}

// Locks the peer's row until the transaction ends; ABORTED unless its cursor is `expected`.
core::Status CheckCursor(pqxx::work& w, const std::string& peer, const std::string& expected) {
  const auto stored = w.exec_prepared1(stmt::kPeerCursorLock.name, peer)[0].as<std::string>();
  if (stored != expected) {
    return core::Aborted("peer " + peer + ": the stored cursor is \"" + stored + "\", not \"" + expected +
                         "\" (another writer moved it)");
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<PeerRecord>> Store::ReadPeers(const std::vector<std::string>& names) {
  return impl_->pool.Run("read peers", [&](pqxx::connection& c) -> core::Result<std::vector<PeerRecord>> {
    pqxx::read_transaction tx(c);
    std::vector<PeerRecord> out;
    for (const auto& r : tx.exec_prepared(stmt::kPeerRead.name, Names(names))) {
      out.push_back(PeerOf(r));
    }
    return out;
  });
}

core::Status Store::ApplyMirrorSnapshot(const std::optional<Fence>& fence, const std::string& endpoint,
                                        const MirrorSnapshot& snapshot) {
  return impl_->pool.Run("apply peer snapshot", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckOptionalFence(w, fence); !s.ok()) {
      return s;
    }
    EnsurePeer(w, snapshot.peer, endpoint);
    if (snapshot.from_cursor) {
      if (core::Status s = CheckCursor(w, snapshot.peer, *snapshot.from_cursor); !s.ok()) {
        return s;
      }
    }
    try {
      pqxx::subtransaction sub(w, "peer_region");
      sub.exec_prepared(stmt::kPeerSynced.name, snapshot.peer, snapshot.region, snapshot.region_name, snapshot.cursor);
      sub.commit();
    } catch (const pqxx::unique_violation&) {
      return core::AlreadyExists("peer " + snapshot.peer + " serves region " + snapshot.region +
                                 ", which another peer of this node mirrors already");
    }
    w.exec_prepared(stmt::kMirrorRisksClear.name, snapshot.peer);
    if (!snapshot.risks.empty()) {
      w.exec_prepared(stmt::kMirrorRisksUpsert.name, snapshot.peer, RiskRowsJson(snapshot.risks).dump());
    }
    if (snapshot.region_state) {
      w.exec_prepared(stmt::kMirrorRegionStateClear.name, snapshot.peer);
      UpsertRegionState(w, snapshot.peer, *snapshot.region_state);
    }
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::ApplyMirrorChanges(const std::optional<Fence>& fence, const std::string& endpoint,
                                       const MirrorApply& apply) {
  return impl_->pool.Run("apply peer changes", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckOptionalFence(w, fence); !s.ok()) {
      return s;
    }
    EnsurePeer(w, apply.peer, endpoint);
    if (core::Status s = CheckCursor(w, apply.peer, apply.from_cursor); !s.ok()) {
      return s;
    }
    if (!apply.signals.empty()) {
      json rows = json::array();
      for (const auto& s : apply.signals) {
        rows.push_back({{"id", s.id},
                        {"status", s.status},
                        {"state", s.state},
                        {"received_us", s.received_us},
                        {"ended_us", s.ended_us},
                        {"body", core::Base64Encode(s.body)}});
      }
      w.exec_prepared(stmt::kMirrorSignalsUpsert.name, apply.peer, rows.dump());
    }
    if (!apply.risks.empty()) {
      w.exec_prepared(stmt::kMirrorRisksUpsert.name, apply.peer, RiskRowsJson(apply.risks).dump());
    }
    if (apply.region_state) {
      UpsertRegionState(w, apply.peer, *apply.region_state);
    }
    w.exec_prepared(stmt::kPeerAdvanced.name, apply.peer, apply.next_cursor, apply.changes, apply.newest_change_us);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RecordPeerContact(const std::optional<Fence>& fence, const std::string& peer,
                                      const std::string& endpoint, const std::optional<std::string>& status) {
  return impl_->pool.Run("record peer contact", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckOptionalFence(w, fence); !s.ok()) {
      return s;
    }
    EnsurePeer(w, peer, endpoint);
    if (status) {
      w.exec_prepared(stmt::kPeerContact.name, peer, core::Base64Encode(*status));
    } else {
      w.exec_prepared(stmt::kPeerContact.name, peer, nullptr);
    }
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RecordPeerStatus(const Fence& fence, const std::string& peer, const std::string& endpoint,
                                     const std::string& status) {
  return impl_->pool.Run("record peer status", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    EnsurePeer(w, peer, endpoint);
    w.exec_prepared(stmt::kPeerStatus.name, peer, core::Base64Encode(status));
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RecordPeerError(const std::optional<Fence>& fence, const std::string& peer,
                                    const std::string& endpoint, const std::string& error, bool resync) {
  return impl_->pool.Run("record peer error", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckOptionalFence(w, fence); !s.ok()) {
      return s;
    }
    EnsurePeer(w, peer, endpoint);
    w.exec_prepared(stmt::kPeerError.name, peer, error, resync);
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<MirrorOverview> Store::ReadMirrorOverview(const std::vector<std::string>& peers,
                                                       const std::string& picture, int top, int min_level) {
  return impl_->pool.Run("read mirror overview", [&](pqxx::connection& c) -> core::Result<MirrorOverview> {
    RepeatableRead tx(c);
    const std::string names = Names(peers);
    MirrorOverview out;
    std::map<std::string, std::size_t> index;
    for (const auto& r : tx.exec_prepared(stmt::kPeerRead.name, names)) {
      MirrorPeerView v;
      v.peer = PeerOf(r);
      index[v.peer.name] = out.peers.size();
      out.peers.push_back(std::move(v));
    }
    for (const auto& r : tx.exec_prepared(stmt::kMirrorRegionStatesRead.name, names)) {
      if (auto it = index.find(r[0].as<std::string>()); it != index.end()) {
        out.peers[it->second].region_state = Bytes(r[1]);
      }
    }
    for (const auto& r : tx.exec_prepared(stmt::kMirrorRiskCounts.name, names, picture)) {
      const int level = r[1].as<int>();
      if (auto it = index.find(r[0].as<std::string>()); it != index.end() && level >= 0 && level <= 4) {
        out.peers[it->second].risks_by_level[static_cast<std::size_t>(level)] = r[2].as<int>();
      }
    }
    if (top > 0) {
      for (const auto& r : tx.exec_prepared(stmt::kMirrorTopRisks.name, names, picture, top)) {
        if (auto it = index.find(r[0].as<std::string>()); it != index.end()) {
          out.peers[it->second].top_risks.push_back(Bytes(r[1]));
        }
      }
    }
    for (const auto& r : tx.exec_prepared(stmt::kMirrorThemes.name, names, picture, min_level)) {
      out.themes.push_back(
          {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int>(), r[3].as<int>(), r[4].as<std::string>()});
    }
    return out;
  });
}

core::Result<std::vector<std::pair<std::string, std::string>>> Store::ListMirrorSignals(
    const std::vector<std::string>& peers, int limit) {
  using Rows = std::vector<std::pair<std::string, std::string>>;
  return impl_->pool.Run("list mirrored signals", [&](pqxx::connection& c) -> core::Result<Rows> {
    pqxx::read_transaction tx(c);
    Rows out;
    for (const auto& r : tx.exec_prepared(stmt::kMirrorSignalsList.name, Names(peers), limit)) {
      out.emplace_back(r[0].as<std::string>(), Bytes(r[1]));
    }
    return out;
  });
}

core::Result<int> Store::PruneMirror(const Fence& fence, core::WallTime before, int limit) {
  return impl_->pool.Run("prune mirror", [&](pqxx::connection& c) -> core::Result<int> {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(before.time_since_epoch()).count();
    const int n = w.exec_prepared1(stmt::kMirrorPrune.name, us, limit)[0].as<int>();
    w.commit();
    return n;
  });
}

}  // namespace vik::store
