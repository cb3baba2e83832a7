// Store: the ingest path (signals, audit, credentials, reference data).

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/base64.h"
#include "core/time_format.h"
#include "domain/geometry.h"
#include "store/fence_status.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<core::WallTime>& t) { return t ? json(core::FormatRfc3339(*t)) : json(nullptr); }

json SignalJson(int index, const SignalWrite& w) {
  const domain::Signal& s = *w.signal;
  json categories = json::array();
  for (auto c : s.categories) {
    categories.push_back(domain::Name(c));
  }
  json refs = json::array();
  for (const auto& r : s.references) {
    refs.push_back({{"source", r.source}, {"external_id", r.external_id}});
  }
  return {{"i", index},
          {"source", s.source},
          {"external_id", s.external_id},
          {"payload", core::Base64Encode(w.payload)},
          {"msg_type", domain::Name(s.msg_type)},
          {"status", domain::Name(s.status)},
          {"kind", domain::Name(s.kind)},
          {"categories", categories},
          {"theme", s.theme},
          {"urgency", domain::Name(s.urgency)},
          {"severity", domain::Name(s.severity)},
          {"certainty", domain::Name(s.certainty)},
          {"sent_at", OptionalTime(s.sent_at)},
          {"onset_at", OptionalTime(s.onset_at)},
          {"expires_at", OptionalTime(s.expires_at)},
          {"municipalities", s.area.municipalities},
          {"headline", s.headline},
          {"refs", refs},
          {"partner", w.partner}};
}

json AuditJson(const std::vector<AuditRecord>& audit) {
  json out = json::array();
  for (const auto& a : audit) {
    out.push_back({{"actor", a.actor},
                   {"origin", a.origin},
                   {"action", a.action},
                   {"object", json::parse(a.object_json, nullptr, false)},
                   {"result", a.result}});
  }
  return out;
}

}  // namespace

using Key = std::pair<std::string, std::string>;

std::vector<WriteResult> InsertSignals(pqxx::work& w, const std::vector<SignalWrite>& rows, const std::string& node_id,
                                       const std::string& cap_message_id, const std::string& cap_identifier) {
  std::vector<WriteResult> results(rows.size());
  if (rows.empty()) {
    return results;
  }
  json input = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json row = SignalJson(static_cast<int>(i), rows[i]);
    if (!cap_message_id.empty()) {
      row["cap_message_id"] = cap_message_id;
      row["cap_info_index"] = rows[i].cap_info_index;
      row["cap_identifier"] = cap_identifier;
    }
    input.push_back(std::move(row));
  }
  std::map<Key, std::pair<std::string, double>> inserted;
  for (const auto& r : w.exec_prepared(stmt::kSignalsInsert.name, input.dump(), node_id)) {
    inserted[{r[0].as<std::string>(), r[1].as<std::string>()}] = {r[2].as<std::string>(), r[3].as<double>()};
  }
  // The first row with a newly inserted key is ACCEPTED; every other row is looked up.
  json lookup = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Key key{rows[i].signal->source, rows[i].signal->external_id};
    auto it = inserted.find(key);
    if (it != inserted.end()) {
      results[i] = {WriteOutcome::kAccepted, it->second.first, core::FromUnixSeconds(it->second.second), {}, {}};
      inserted.erase(it);
    } else {
      lookup.push_back({{"i", static_cast<int>(i)},
                        {"source", key.first},
                        {"external_id", key.second},
                        {"payload", core::Base64Encode(rows[i].payload)}});
    }
  }
  if (!lookup.empty()) {
    for (const auto& r : w.exec_prepared(stmt::kSignalsLookup.name, lookup.dump())) {
      const auto i = r[0].as<std::size_t>();
      results[i] = {r[3].as<bool>() ? WriteOutcome::kDuplicate : WriteOutcome::kConflict,
                    r[1].as<std::string>(),
                    core::FromUnixSeconds(r[2].as<double>()),
                    {},
                    {}};
    }
  }
  return results;
}

void ResolvePendingReferences(pqxx::work& w, const std::string& source, const std::string& identifier) {
  w.exec_prepared(stmt::kPendingReferencesResolve.name, source, identifier);
}

std::string DroppedReferencesWarning(const std::string& path, std::size_t count, const std::string& partner,
                                     std::size_t max_parked) {
  return path + ": " + std::to_string(count) + (count == 1 ? " reference" : " references") +
         " to messages not received yet dropped, not parked: partner \"" + partner + "\" already has " +
         std::to_string(max_parked) + " parked references (ingest.max_pending_references); it will not end " +
         "the referenced message if that arrives later";
}

ReferenceOutcome ApplyReferences(pqxx::work& w, const std::vector<ReferenceEffect>& refs, std::size_t max_parked) {
  ReferenceOutcome out;
  if (refs.empty()) {
    return out;
  }
  json input = json::array();
  for (std::size_t i = 0; i < refs.size(); ++i) {
    input.push_back({{"i", static_cast<int>(i)},
                     {"partner", refs[i].partner},
                     {"source", refs[i].source},
                     {"identifier", refs[i].identifier},
                     {"action", refs[i].action},
                     {"status", refs[i].status},
                     {"ended_by", refs[i].ended_by},
                     {"ended_at", core::FormatRfc3339(refs[i].ended_at)}});
  }
  const auto r = w.exec_prepared1(stmt::kReferencesApply.name, input.dump(), static_cast<std::int64_t>(max_parked));
  out.ended = r[0].as<int>();
  out.parked = r[1].as<int>();
  const std::string dropped = r[2].as<std::string>();
  for (std::size_t start = 0; start < dropped.size();) {
    const auto comma = dropped.find(',', start);
    out.dropped.push_back(std::stoul(dropped.substr(start, comma - start)));
    start = comma == std::string::npos ? dropped.size() : comma + 1;
  }
  return out;
}

core::Status CheckFence(pqxx::work& w, const Fence& fence) {
  if (w.exec_prepared(stmt::kLeaseFence.name, fence.lease, fence.holder, fence.epoch).empty()) {
    return FencedStatus(fence);
  }
  return core::Status::Ok();
}

void InsertAudit(pqxx::work& w, const std::vector<AuditRecord>& audit) {
  if (!audit.empty()) {
    w.exec_prepared(stmt::kAuditInsert.name, AuditJson(audit).dump());
  }
}

namespace {

// One transaction: insert what is new (parked references ending new signals on arrival), look up
// what was not inserted, let cancels and updates end the signals they reference, append the audit.
std::vector<WriteResult> WriteBatch(pqxx::connection& c, const std::vector<SignalWrite>& rows,
                                    const std::vector<AuditRecord>& audit, const std::string& node_id,
                                    std::size_t max_parked) {
  pqxx::work w(c);
  std::vector<WriteResult> results = InsertSignals(w, rows, node_id);  // applies parked references too
  std::vector<ReferenceEffect> refs;
  std::vector<std::size_t> row_of;  // refs[k] came from rows[row_of[k]]
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (results[i].outcome != WriteOutcome::kAccepted) {
      continue;
    }
    const domain::Signal& s = *rows[i].signal;
    if (s.msg_type == domain::MsgType::kUpdate || s.msg_type == domain::MsgType::kCancel) {
      for (const auto& ref : s.references) {
        refs.push_back({rows[i].partner, ref.source, ref.external_id,
                        s.msg_type == domain::MsgType::kCancel ? "cancel" : "update", domain::Name(s.status),
                        "signal:" + results[i].signal_id, s.sent_at.value_or(core::WallTime{})});
        row_of.push_back(i);
      }
    }
  }
  const ReferenceOutcome applied = ApplyReferences(w, refs, max_parked);
  std::map<std::size_t, std::size_t> dropped_per_row;
  for (const std::size_t k : applied.dropped) {
    ++dropped_per_row[row_of[k]];
  }
  for (const auto& [row, count] : dropped_per_row) {
    results[row].warnings.push_back(DroppedReferencesWarning("references", count, rows[row].partner, max_parked));
  }
  InsertAudit(w, audit);
  w.commit();
  return results;
}

bool IsWholeBatchFailure(core::StatusCode code) {
  return code == core::StatusCode::kUnavailable || code == core::StatusCode::kUnknown ||
         code == core::StatusCode::kDeadlineExceeded || code == core::StatusCode::kResourceExhausted ||
         code == core::StatusCode::kAborted;
}

}  // namespace

core::Result<std::vector<WriteResult>> Store::WriteSignals(const std::vector<SignalWrite>& rows,
                                                           const std::vector<AuditRecord>& audit,
                                                           const std::string& node_id) {
  // A serialization failure or deadlock rolled the whole transaction back: retry a few times.
  core::Result<std::vector<WriteResult>> batch = core::Aborted("not attempted");
  for (int attempt = 0; attempt < 3; ++attempt) {
    batch = impl_->pool.Run("store signals", [&](pqxx::connection& c) -> core::Result<std::vector<WriteResult>> {
      return WriteBatch(c, rows, audit, node_id, impl_->max_pending_references);
    });
    if (batch.ok() || batch.status().code() != core::StatusCode::kAborted) {
      break;
    }
  }
  if (batch.ok() || IsWholeBatchFailure(batch.status().code())) {
    return batch;
  }
  // A row-specific failure (a constraint the validation did not foresee): isolate each row, each in
  // its own transaction, then record the audit records on their own.
  std::vector<WriteResult> results(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto single = impl_->pool.Run("store signal", [&](pqxx::connection& c) -> core::Result<std::vector<WriteResult>> {
      return WriteBatch(c, {rows[i]}, {}, node_id, impl_->max_pending_references);
    });
    if (single.ok()) {
      results[i] = single->front();
    } else if (IsWholeBatchFailure(single.status().code())) {
      return single.status();
    } else {
      results[i].error = single.status();
    }
  }
  if (core::Status s = AppendAudit(audit); !s.ok()) {
    return s;
  }
  return results;
}

core::Result<int> Store::SweepPendingReferences(int limit, std::chrono::seconds max_age) {
  return impl_->pool.Run("sweep pending references", [&](pqxx::connection& c) -> core::Result<int> {
    pqxx::work w(c);
    const auto r = w.exec_prepared1(stmt::kPendingReferencesSweep.name, limit, static_cast<double>(max_age.count()));
    // The retention, in the same round: what is older than max_age is never swept again.
    w.exec_prepared1(stmt::kPendingReferencesPrune.name, static_cast<double>(max_age.count()), 10 * limit);
    w.commit();
    return r[0].as<int>();
  });
}

core::Status Store::AppendAudit(const std::vector<AuditRecord>& audit) {
  if (audit.empty()) {
    return core::Status::Ok();
  }
  return impl_->pool.Run("append audit", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kAuditInsert.name, AuditJson(audit).dump());
    w.commit();
    return core::Status::Ok();
  });
}

namespace {

std::set<std::string> SplitScopes(const std::string& csv) {
  std::set<std::string> out;
  std::stringstream ss(csv);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.insert(item);
    }
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

}  // namespace

core::Result<Credentials> Store::LoadCredentials() {
  return impl_->pool.Run("load credentials", [](pqxx::connection& c) -> core::Result<Credentials> {
    pqxx::read_transaction tx(c);
    Credentials out;
    for (const auto& r : tx.exec_prepared(stmt::kTokensActive.name)) {
      TokenRecord t;
      t.id = r[0].as<std::string>();
      t.partner = r[1].as<std::string>();
      t.digest = Unhex(r[2].as<std::string>());
      t.scopes = SplitScopes(r[3].as<std::string>());
      t.created_at = core::FromUnixSeconds(r[4].as<double>());
      out.tokens.push_back(std::move(t));
    }
    for (const auto& r : tx.exec_prepared(stmt::kSourcesAll.name)) {
      SourceRecord s;
      s.id = r[0].as<std::string>();
      s.partner = r[1].as<std::string>();
      if (!r[2].is_null()) {
        s.expected_interval_s = r[2].as<std::int64_t>();
      }
      out.sources.push_back(std::move(s));
    }
    return out;
  });
}

core::Result<domain::ReferenceData> Store::LoadReferenceData(const std::string& region) {
  return impl_->pool.Run("load reference data", [&region](pqxx::connection& c) -> core::Result<domain::ReferenceData> {
    pqxx::read_transaction tx(c);
    domain::ReferenceData out;
    out.region = region;
    for (const auto& r : tx.exec_prepared(stmt::kMunicipalitiesOfRegion.name, region)) {
      out.municipalities.insert(r[0].as<std::string>());
    }
    for (const auto& r : tx.exec_prepared(stmt::kThemesAll.name)) {
      out.themes.insert(r[0].as<std::string>());
    }
    for (const auto& r : tx.exec_prepared(stmt::kCapCategoryThemes.name)) {
      out.cap_category_themes[r[0].as<std::string>()] = r[1].as<std::string>();
    }
    std::map<std::string, std::vector<std::vector<domain::Point>>> rings;
    for (const auto& r : tx.exec_prepared(stmt::kBoundariesOfRegion.name, region)) {
      if (auto ring = domain::ParseRing(r[1].as<std::string>())) {
        rings[r[0].as<std::string>()].push_back(std::move(*ring));
      }
    }
    std::vector<domain::MunicipalityShape> shapes;
    for (auto& [code, parts] : rings) {
      shapes.emplace_back(code, std::move(parts));
    }
    out.areas = std::make_shared<const domain::AreaLocator>(std::move(shapes));
    return out;
  });
}

}  // namespace vik::store
