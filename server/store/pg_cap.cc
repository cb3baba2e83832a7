// Store: CAP messages (verbatim documents, their signals and references) in one transaction.

#include <map>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/base64.h"
#include "core/time_format.h"
#include "store/fence_status.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

using nlohmann::json;

json ReferencesJson(const std::vector<CapReferenceRecord>& refs) {
  json out = json::array();
  for (const auto& r : refs) {
    out.push_back({{"sender", r.sender}, {"identifier", r.identifier}, {"sent", r.sent}});
  }
  return out;
}

// The stored signals of a duplicate message, in the order of `m.signals` (matched by info index).
std::vector<WriteResult> StoredSignals(pqxx::work& w, const std::string& message_id, const CapMessageWrite& m) {
  std::map<int, WriteResult> by_index;
  for (const auto& r : w.exec_prepared(stmt::kCapMessageSignals.name, message_id)) {
    by_index[r[0].as<int>()] = {
        WriteOutcome::kDuplicate, r[1].as<std::string>(), core::FromUnixSeconds(r[4].as<double>()), {}, {}};
  }
  std::vector<WriteResult> out;
  for (const auto& s : m.signals) {
    auto it = by_index.find(s.cap_info_index);
    out.push_back(it != by_index.end() ? it->second : WriteResult{});
  }
  return out;
}

// Feed polling: marks the entry the message came from (same transaction as the message).
void MarkEntry(pqxx::work& w, const CapMessageWrite& m, const std::string& outcome, const std::string& message_id,
               const std::string& detail, const std::string& node_id) {
  if (m.feed_entry) {
    const FeedEntryMark& e = *m.feed_entry;
    w.exec_prepared(stmt::kFeedEntryMark.name, e.feed, e.entry_key, e.entry_id, message_id, outcome, detail, node_id);
  }
}

core::Result<CapWriteResult> WriteMessage(pqxx::connection& c, const CapMessageWrite& m,
                                          const std::vector<AuditRecord>& audit, const std::string& node_id,
                                          std::size_t max_parked) {
  pqxx::work w(c);
  // A singleton writer (the feed poller) passes only while its fence holds: the lease row stays
  // share-locked until the commit, so no takeover commits in between (as pg_cluster.cc's Fenced).
  if (m.fence) {
    if (core::Status s = CheckFence(w, *m.fence); !s.ok()) {
      return s;
    }
  }
  CapWriteResult out;
  const std::string raw64 = core::Base64Encode(m.raw);
  const auto inserted =
      w.exec_prepared(stmt::kCapMessageInsert.name, m.source, m.identifier, m.sent, core::FormatRfc3339(m.sent_at),
                      m.status, m.msg_type, m.scope, m.cap_version, ReferencesJson(m.references).dump(), raw64,
                      m.info_count, m.via, m.partner, node_id);
  if (inserted.empty()) {
    const auto row = w.exec_prepared1(stmt::kCapMessageLookup.name, m.source, m.identifier, raw64);
    out.message_id = row[0].as<std::string>();
    out.received_at = core::FromUnixSeconds(row[1].as<double>());
    if (row[2].as<bool>()) {
      out.outcome = WriteOutcome::kDuplicate;
      out.signals = StoredSignals(w, out.message_id, m);
      MarkEntry(w, m, "duplicate", out.message_id, "", node_id);
    } else {
      out.outcome = WriteOutcome::kConflict;
      MarkEntry(w, m, "refused", "",
                "sender and identifier already used for a different document (message " + out.message_id + ")",
                node_id);
    }
    // The caller built the audit records before the outcome was known: record what happened.
    std::vector<AuditRecord> outcome_audit = audit;
    for (auto& a : outcome_audit) {
      auto object = nlohmann::json::parse(a.object_json, nullptr, false);
      if (object.is_object()) {
        object["message_id"] = out.message_id;
        object["outcome"] = out.outcome == WriteOutcome::kDuplicate ? "duplicate" : "conflict";
        a.object_json = object.dump();
      }
      if (out.outcome == WriteOutcome::kConflict) {
        a.result = "ALREADY_EXISTS";
      }
    }
    InsertAudit(w, outcome_audit);
    w.commit();
    return out;
  }
  out.outcome = WriteOutcome::kAccepted;
  out.message_id = inserted[0][0].as<std::string>();
  out.received_at = core::FromUnixSeconds(inserted[0][1].as<double>());
  out.signals = InsertSignals(w, m.signals, node_id, out.message_id, m.identifier);

  // References parked for this message's signals ended them on insert; those parked for the
  // message itself (one without signals) are marked resolved. Then this message's own references.
  ResolvePendingReferences(w, m.source, m.identifier);
  if (m.msg_type == "cancel" || m.msg_type == "update") {
    std::vector<ReferenceEffect> effects;
    for (const auto& r : m.references) {
      effects.push_back({m.partner, r.sender, r.identifier, m.msg_type, m.status, "cap:" + out.message_id, m.sent_at});
    }
    const ReferenceOutcome applied = ApplyReferences(w, effects, max_parked);
    out.signals_ended = applied.ended;
    out.references_pending = applied.parked;
    if (!applied.dropped.empty()) {
      out.warnings.push_back(
          DroppedReferencesWarning("alert/references", applied.dropped.size(), m.partner, max_parked));
    }
  }
  MarkEntry(w, m, "accepted", out.message_id, "", node_id);
  InsertAudit(w, audit);
  w.commit();
  return out;
}

}  // namespace

core::Result<CapWriteResult> Store::WriteCapMessage(const CapMessageWrite& message,
                                                    const std::vector<AuditRecord>& audit, const std::string& node_id) {
  core::Result<CapWriteResult> result = core::Aborted("not attempted");
  for (int attempt = 0; attempt < 3; ++attempt) {
    result = impl_->pool.Run("store CAP message", [&](pqxx::connection& c) -> core::Result<CapWriteResult> {
      return WriteMessage(c, message, audit, node_id, impl_->max_pending_references);
    });
    if (result.ok() || result.status().code() != core::StatusCode::kAborted) {
      break;
    }
  }
  return result;
}

core::Result<CapMessageRecord> Store::ReadCapMessage(const std::string& id) {
  return impl_->pool.Run("read CAP message", [&id](pqxx::connection& c) -> core::Result<CapMessageRecord> {
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_prepared(stmt::kCapMessageRaw.name, id);
    if (rows.empty()) {
      return core::NotFound("no CAP message " + id);
    }
    const auto& r = rows[0];
    CapMessageRecord out{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                         r[3].as<std::string>(), r[4].as<std::string>(), {}};
    const pqxx::binarystring raw(r[5]);
    out.raw = raw.str();
    return out;
  });
}

core::Result<SignalRecord> Store::ReadSignal(const std::string& id) {
  return impl_->pool.Run("read signal", [&id](pqxx::connection& c) -> core::Result<SignalRecord> {
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_prepared(stmt::kSignalRead.name, id);
    if (rows.empty()) {
      return core::NotFound("no signal " + id);
    }
    const auto& r = rows[0];
    SignalRecord out;
    out.id = r[0].as<std::string>();
    out.source = r[1].as<std::string>();
    out.external_id = r[2].as<std::string>();
    out.payload = pqxx::binarystring(r[3]).str();
    out.cap_message_id = r[4].is_null() ? "" : r[4].as<std::string>();
    out.status = r[5].as<std::string>();
    out.state = r[6].as<std::string>();
    out.received_at = core::FromUnixSeconds(r[7].as<double>());
    return out;
  });
}

core::Result<std::vector<ListedSignal>> Store::ListSignals(const SignalQuery& q) {
  return impl_->pool.Run("list signals", [&q](pqxx::connection& c) -> core::Result<std::vector<ListedSignal>> {
    pqxx::read_transaction tx(c);
    std::vector<ListedSignal> out;
    for (const auto& r : tx.exec_prepared(stmt::kSignalsList.name, q.status, q.state, q.theme, q.municipality, q.source,
                                          q.after_received_us, q.after_id, q.limit)) {
      ListedSignal s;
      s.record.id = r[0].as<std::string>();
      s.record.source = r[1].as<std::string>();
      s.record.external_id = r[2].as<std::string>();
      s.record.payload = pqxx::binarystring(r[3]).str();
      s.record.cap_message_id = r[4].as<std::string>();
      s.record.status = r[5].as<std::string>();
      s.record.state = r[6].as<std::string>();
      s.received_us = r[7].as<std::int64_t>();
      s.record.received_at = core::WallTime{std::chrono::microseconds(s.received_us)};
      s.ended_by = r[8].as<std::string>();
      s.ended_us = r[9].as<std::int64_t>();
      out.push_back(std::move(s));
    }
    return out;
  });
}

core::Result<std::vector<AlertIndexRow>> Store::ListCurrentAlerts(const std::string& status, int limit) {
  return impl_->pool.Run(
      "list current alerts", [&status, limit](pqxx::connection& c) -> core::Result<std::vector<AlertIndexRow>> {
        pqxx::read_transaction tx(c);
        std::vector<AlertIndexRow> out;
        for (const auto& r : tx.exec_prepared(stmt::kCurrentAlerts.name, limit, status)) {
          AlertIndexRow row;
          row.signal_id = r[0].as<std::string>();
          row.source = r[1].as<std::string>();
          row.headline = r[2].as<std::string>();
          auto array = r[3].as_array();
          for (auto item = array.get_next(); item.first != pqxx::array_parser::done; item = array.get_next()) {
            if (item.first == pqxx::array_parser::string_value) {
              row.categories.push_back(item.second);
            }
          }
          row.sent_at = core::FromUnixSeconds(r[4].as<double>());
          row.received_at = core::FromUnixSeconds(r[5].as<double>());
          if (!r[6].is_null()) {
            row.expires_at = core::FromUnixSeconds(r[6].as<double>());
          }
          row.severity = r[7].as<std::string>();
          out.push_back(std::move(row));
        }
        return out;
      });
}

}  // namespace vik::store
