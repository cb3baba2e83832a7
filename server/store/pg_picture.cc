// Store: the risk picture. The leader's keeper reads the change log and writes risks under its
// fence (LoadPictureWarmup, ReadPictureChanges, WritePicture); any instance reads the picture for
// the API (ReadRegionalStatus, ListRisks, ReadRisk) and appends analysts' assessments.

#include <charconv>
#include <set>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/time_format.h"
#include "store/fence_status.h"
#include "store/pg_picture_rows.h"
#include "store/pg_query_rows.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {

std::uint64_t ParseXid(const std::string& text) {
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

namespace {

using nlohmann::json;

core::WallTime Micros(std::int64_t us) { return core::WallTime{std::chrono::microseconds(us)}; }
std::int64_t MicrosOf(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
std::optional<core::WallTime> OptionalMicros(std::int64_t us) {
  return us < 0 ? std::nullopt : std::optional<core::WallTime>(Micros(us));
}

std::vector<std::string> TextArray(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) {
    return out;
  }
  auto array = f.as_array();
  for (auto item = array.get_next(); item.first != pqxx::array_parser::done; item = array.get_next()) {
    if (item.first == pqxx::array_parser::string_value) {
      out.push_back(item.second);
    }
  }
  return out;
}

template <typename E>
E EnumOr(const std::string& name, E fallback) {
  return domain::FromName<E>(name).value_or(fallback);
}

// Columns as col::PictureSignalColumn (pg_query_rows.h).
domain::RiskSignal SignalOfRow(const pqxx::row& r) {
  domain::RiskSignal s;
  s.id = r[col::kSignalId].as<std::string>();
  s.source = r[col::kSignalSource].as<std::string>();
  s.theme = r[col::kSignalTheme].as<std::string>();
  s.municipalities = TextArray(r[col::kSignalMunicipalities]);
  s.status = EnumOr(r[col::kSignalStatus].as<std::string>(), domain::SignalStatus::kUnspecified);
  const std::string state = r[col::kSignalState].as<std::string>();
  s.state = state == "cancelled"    ? domain::SignalState::kCancelled
            : state == "superseded" ? domain::SignalState::kSuperseded
                                    : domain::SignalState::kActive;
  s.msg_type = EnumOr(r[col::kSignalMsgType].as<std::string>(), domain::MsgType::kAlert);
  s.kind = EnumOr(r[col::kSignalKind].as<std::string>(), domain::SignalKind::kUnspecified);
  s.severity = EnumOr(r[col::kSignalSeverity].as<std::string>(), domain::Severity::kUnknown);
  s.certainty = EnumOr(r[col::kSignalCertainty].as<std::string>(), domain::Certainty::kUnknown);
  s.urgency = EnumOr(r[col::kSignalUrgency].as<std::string>(), domain::Urgency::kUnknown);
  s.sent_at = Micros(r[col::kSignalSentUs].as<std::int64_t>());
  s.onset_at = OptionalMicros(r[col::kSignalOnsetUs].as<std::int64_t>());
  s.expires_at = OptionalMicros(r[col::kSignalExpiresUs].as<std::int64_t>());
  s.received_at = Micros(r[col::kSignalReceivedUs].as<std::int64_t>());
  return s;
}

// Columns as col::RiskColumn (pg_query_rows.h).
RiskRow RiskOfRow(const pqxx::row& r) {
  RiskRow row;
  row.picture = r[col::kRiskPicture].as<std::string>();
  row.id = r[col::kRiskId].as<std::string>();
  row.theme = r[col::kRiskTheme].as<std::string>();
  row.municipality = r[col::kRiskMunicipality].as<std::string>();
  row.in_picture = r[col::kRiskInPicture].as<bool>();
  row.priority = r[col::kRiskPriority].as<int>();
  row.levels.nowcast = r[col::kRiskNowcast].as<int>();
  row.levels.forecast = {r[col::kRiskForecast6h].as<int>(), r[col::kRiskForecast24h].as<int>(),
                         r[col::kRiskForecast72h].as<int>()};
  row.levels.past = r[col::kRiskPast].as<int>();
  row.levels.trend = static_cast<domain::Trend>(r[col::kRiskTrend].as<int>());
  if (const int level = r[col::kRiskAnalystLevel].as<int>(); level >= 0) {
    row.analyst_level = level;
  }
  row.effective_level = r[col::kRiskEffectiveLevel].as<int>();
  row.worst_severity = r[col::kRiskWorstSeverity].as<std::string>();
  row.sources = r[col::kRiskSources].as<int>();
  row.breadth = r[col::kRiskBreadth].as<int>();
  row.signals_in_effect = r[col::kRiskSignalsInEffect].as<int>();
  row.signals_upcoming = r[col::kRiskSignalsUpcoming].as<int>();
  row.signal_ids = TextArray(r[col::kRiskSignalIds]);
  row.computed_us = r[col::kRiskComputedUs].as<std::int64_t>();
  return row;
}

ScenarioRecord ScenarioOf(const json& j, const char* name) {
  ScenarioRecord s;
  if (j.contains(name) && j[name].is_object()) {
    s.description = j[name].value("description", "");
    s.likelihood = j[name].value("likelihood", "");
    s.impact = j[name].value("impact", "");
  }
  return s;
}

// Columns as col::AssessmentColumn (pg_query_rows.h), from column `at`.
AssessmentRecord AssessmentOfRow(const pqxx::row& r, int at) {
  AssessmentRecord a;
  a.version = r[at + col::kAssessmentVersion].as<int>();
  a.status = r[at + col::kAssessmentStatus].as<std::string>();
  a.phase = r[at + col::kAssessmentPhase].as<std::string>();
  if (const int level = r[at + col::kAssessmentAnalystLevel].as<int>(); level >= 0) {
    a.analyst_level = level;
  }
  const json scenarios = json::parse(r[at + col::kAssessmentScenarios].as<std::string>(), nullptr, false);
  a.worst = ScenarioOf(scenarios, "worst");
  a.real = ScenarioOf(scenarios, "real");
  a.best = ScenarioOf(scenarios, "best");
  a.assessment = r[at + col::kAssessmentText].as<std::string>();
  a.advice = json::parse(r[at + col::kAssessmentAdvice].as<std::string>()).get<std::vector<std::string>>();
  a.partners = json::parse(r[at + col::kAssessmentPartners].as<std::string>()).get<std::vector<std::string>>();
  a.reason = r[at + col::kAssessmentReason].as<std::string>();
  a.set_by = r[at + col::kAssessmentSetBy].as<std::string>();
  a.set_us = r[at + col::kAssessmentSetUs].as<std::int64_t>();
  return a;
}

std::vector<AnalystLevelRecord> AnalystLevels(pqxx::transaction_base& tx, const std::optional<json>& keys) {
  std::vector<AnalystLevelRecord> out;
  const auto rows = keys ? tx.exec_prepared(stmt::kPictureAnalystLevels.name, keys->dump())
                         : tx.exec_prepared(stmt::kPictureAnalystLevels.name, nullptr);
  for (const auto& r : rows) {
    AnalystLevelRecord rec{r[0].as<std::string>(), r[1].as<std::string>(), std::nullopt};
    if (const int level = r[2].as<int>(); level >= 0) {
      rec.level = level;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::vector<SourceSeen> SourcesOf(pqxx::transaction_base& tx) {
  std::vector<SourceSeen> out;
  for (const auto& r : tx.exec_prepared(stmt::kPictureSources.name)) {
    // A source that never delivered counts as silent since the epoch (stale when it has an interval).
    const auto last = r[3].as<std::int64_t>();
    out.push_back({r[0].as<std::string>(), Micros(std::max<std::int64_t>(last, 0)),
                   std::chrono::seconds(r[2].as<std::int64_t>())});
  }
  return out;
}

json RiskRowJson(const RiskRow& row) {
  json j{{"picture", row.picture},
         {"id", row.id},
         {"theme", row.theme},
         {"municipality", row.municipality},
         {"in_picture", row.in_picture},
         {"priority", row.priority},
         {"nowcast", row.levels.nowcast},
         {"f6", row.levels.forecast[0]},
         {"f24", row.levels.forecast[1]},
         {"f72", row.levels.forecast[2]},
         {"past", row.levels.past},
         {"trend", static_cast<int>(row.levels.trend)},
         {"analyst_level", row.analyst_level ? json(*row.analyst_level) : json(nullptr)},
         {"effective_level", row.effective_level},
         {"worst_severity", row.worst_severity},
         {"sources", row.sources},
         {"breadth", row.breadth},
         {"in_effect", row.signals_in_effect},
         {"upcoming", row.signals_upcoming},
         {"signal_ids", row.signal_ids},
         {"computed_us", row.computed_us}};
  return j;
}

}  // namespace

core::Result<PictureWarmup> Store::LoadPictureWarmup(core::WallTime expiring_after, core::WallTime open_after) {
  return impl_->pool.Run("load picture warm-up", [&](pqxx::connection& c) -> core::Result<PictureWarmup> {
    RepeatableRead tx(c);
    PictureWarmup out;
    const auto cursor = tx.exec_prepared1(stmt::kPictureCursor.name);
    out.cursor = {ParseXid(cursor[0].as<std::string>()), cursor[1].as<std::int64_t>()};
    if (const std::uint64_t xmax = ParseXid(cursor[3].as<std::string>()); out.cursor.xid > xmax) {
      out.cursor = {ParseXid(cursor[2].as<std::string>()), 0};
      out.cursor_reset = true;
    }
    for (const auto& r :
         tx.exec_prepared(stmt::kPictureWarmupSignals.name, MicrosOf(expiring_after), MicrosOf(open_after))) {
      out.signals.push_back(SignalOfRow(r));
    }
    out.levels = AnalystLevels(tx, std::nullopt);
    out.sources = SourcesOf(tx);
    for (const auto& r : tx.exec_prepared(stmt::kPictureRisksAll.name)) {
      out.risks.push_back(RiskOfRow(r));
    }
    return out;
  });
}

core::Result<std::vector<SourceSeen>> Store::ReadPictureSources() {
  return impl_->pool.Run("read picture sources", [&](pqxx::connection& c) -> core::Result<std::vector<SourceSeen>> {
    pqxx::read_transaction tx(c);
    return SourcesOf(tx);
  });
}

core::Result<PictureBatch> Store::ReadPictureChanges(const ChangeCursor& after, int limit) {
  return impl_->pool.Run("read picture changes", [&](pqxx::connection& c) -> core::Result<PictureBatch> {
    RepeatableRead tx(c);
    PictureBatch out;
    out.next = after;
    json signal_ids = json::array();
    json risk_keys = json::array();
    for (const auto& r : tx.exec_prepared(stmt::kChangesPage.name, std::to_string(after.xid), after.seq, limit)) {
      out.next = {ParseXid(r[0].as<std::string>()), r[1].as<std::int64_t>()};
      ++out.rows;
      const std::string picture = r[3].as<std::string>();
      const std::string kind = r[4].as<std::string>();
      if (kind == "signal.accepted" || kind == "signal.ended") {
        signal_ids.push_back(r[5].as<std::string>());  // any status: freshness counts them all
      } else if (kind == "risk.assessed" && (picture == "actual" || picture == "exercise")) {
        risk_keys.push_back({{"picture", picture}, {"risk_id", r[5].as<std::string>()}});
      }
    }
    if (const auto oldest =
            tx.exec_prepared(stmt::kPictureOldestUnread.name, std::to_string(out.next.xid), out.next.seq);
        !oldest.empty()) {
      out.oldest_unread_us = oldest[0][0].as<std::int64_t>();
    }
    if (!signal_ids.empty()) {
      std::map<std::string, core::WallTime> newest;
      for (const auto& r : tx.exec_prepared(stmt::kPictureSignals.name, signal_ids.dump())) {
        out.signals.push_back(SignalOfRow(r));
        const auto& s = out.signals.back();
        auto [it, inserted] = newest.emplace(s.source, s.received_at);
        if (!inserted && s.received_at > it->second) {
          it->second = s.received_at;
        }
      }
      for (const auto& [source, at] : newest) {
        out.sources.push_back({source, at, std::chrono::seconds(0)});
      }
    }
    if (!risk_keys.empty()) {
      out.levels = AnalystLevels(tx, risk_keys);
      // Every assessed risk gets a record: one without an analyst level clears any earlier level.
      std::set<std::pair<std::string, std::string>> found;
      for (const auto& l : out.levels) {
        found.emplace(l.picture, l.risk_id);
      }
      for (const auto& k : risk_keys) {
        if (found.emplace(k["picture"], k["risk_id"]).second) {
          out.levels.push_back({k["picture"], k["risk_id"], std::nullopt});
        }
      }
    }
    return out;
  });
}

core::Status Store::WritePicture(const Fence& fence, const PictureWrite& write) {
  return impl_->pool.Run("write picture", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    if (!write.rows.empty()) {
      json rows = json::array();
      for (const auto& row : write.rows) {
        rows.push_back(RiskRowJson(row));
      }
      w.exec_prepared(stmt::kPictureRisksUpsert.name, rows.dump());
      if (!write.level_changes.empty()) {
        json changed = json::array();
        for (const auto i : write.level_changes) {
          changed.push_back(rows.at(i));
        }
        w.exec_prepared(stmt::kPictureLevelsAppend.name, changed.dump());
      }
    }
    if (!write.sources.empty()) {
      json sources = json::array();
      for (const auto& s : write.sources) {
        sources.push_back({{"source", s.source}, {"at_us", MicrosOf(s.last_signal_at)}});
      }
      w.exec_prepared(stmt::kPictureSourceHealth.name, sources.dump());
    }
    for (const char* picture : {"actual", "exercise"}) {
      const auto it = write.counts.find(picture);
      const domain::PictureCounts counts = it == write.counts.end() ? domain::PictureCounts{} : it->second;
      w.exec_prepared(stmt::kPictureStateWrite.name, picture, std::to_string(write.cursor.xid), write.cursor.seq,
                      write.node_id, fence.epoch, counts.signals_in_effect, counts.incidents, counts.warnings,
                      write.lag_seconds);
    }
    w.commit();
    return core::Status::Ok();
  });
}

std::vector<RiskRecord> RiskRecordsOf(const pqxx::result& rows) {
  std::vector<RiskRecord> out;
  for (const auto& r : rows) {
    RiskRecord rec;
    rec.row = RiskOfRow(r);
    rec.theme_label = r[col::kDetailThemeLabel].as<std::string>();
    rec.municipality_name = r[col::kDetailMunicipalityName].as<std::string>();
    if (r[col::kDetailAssessed].as<bool>()) {
      rec.assessment = AssessmentOfRow(r, col::kDetailAssessment);
    }
    out.push_back(std::move(rec));
  }
  return out;
}

pqxx::result ListRiskRows(pqxx::transaction_base& tx, const RiskQuery& q) {
  const int after_key = q.after ? q.after->first : 0;
  const std::string after_id = q.after ? q.after->second : std::string();
  return tx.exec_prepared(stmt::kPictureRisksList.name, q.picture, q.theme, q.municipality, q.min_level, q.status,
                          q.include_removed, after_key, after_id, q.limit);
}

core::Result<RegionalStatusRecord> RegionalStatusIn(pqxx::transaction_base& tx, const std::string& region,
                                                    const std::string& picture, int limit, const std::string& lease,
                                                    std::chrono::seconds live_window) {
  RegionalStatusRecord out;
  out.region = region;
  if (const auto name = tx.exec_prepared(stmt::kRegionName.name, region); !name.empty()) {
    out.region_name = name[0][0].as<std::string>();
  }
  const auto state = tx.exec_prepared(stmt::kPictureStateRead.name, picture);
  if (state.empty()) {
    return core::InvalidArgument("picture: no picture named \"" + picture + "\"");
  }
  out.picture.picture = picture;
  out.picture.computed_us = state[0][0].as<std::int64_t>();
  out.picture.computed_by = state[0][1].as<std::string>();
  out.picture.epoch = state[0][2].as<std::int64_t>();
  out.picture.counts = {state[0][3].as<int>(), state[0][4].as<int>(), state[0][5].as<int>()};
  out.picture.risks_in_picture = state[0][6].as<int>();
  out.now_us = state[0][7].as<std::int64_t>();
  out.picture.lag_seconds = state[0][8].as<double>();
  out.state = CurrentRegionState(tx, region);
  RiskQuery q;
  q.picture = picture;
  q.limit = limit;
  out.risks = RiskRecordsOf(ListRiskRows(tx, q));
  for (const auto& r : tx.exec_prepared(stmt::kPictureSources.name)) {
    SourceFreshnessRecord s;
    s.source = r[0].as<std::string>();
    s.partner = r[1].as<std::string>();
    s.expected_interval_s = r[2].as<std::int64_t>();
    if (const auto last = r[3].as<std::int64_t>(); last >= 0) {
      s.last_signal_us = last;
    }
    out.sources.push_back(std::move(s));
  }
  if (const auto l = tx.exec_prepared(stmt::kLeaseRead.name, lease); !l.empty()) {
    if (!l[0][0].is_null()) {
      out.lease.holder = l[0][0].as<std::string>();
    }
    out.lease.epoch = l[0][1].as<std::int64_t>();
    out.lease.expires_at = core::FromUnixSeconds(l[0][2].as<double>());
    out.lease.valid = l[0][3].as<bool>();
  }
  for (const auto& r : tx.exec_prepared(stmt::kInstancesAll.name, static_cast<double>(live_window.count()))) {
    out.live_instances += r[7].as<bool>() ? 1 : 0;
  }
  return out;
}

std::optional<RegionState> CurrentRegionState(pqxx::transaction_base& tx, const std::string& region) {
  if (const auto rs = tx.exec_prepared(stmt::kRegionStateCurrent.name, region); !rs.empty()) {
    return RegionState{rs[0][0].as<int>(),         rs[0][1].as<std::string>(), rs[0][2].as<std::string>(),
                       rs[0][3].as<std::string>(), rs[0][4].as<std::string>(), rs[0][5].as<std::int64_t>()};
  }
  return std::nullopt;
}

core::Result<RegionalStatusRecord> Store::ReadRegionalStatus(const std::string& region, const std::string& picture,
                                                             int limit, const std::string& lease,
                                                             std::chrono::seconds live_window) {
  return impl_->pool.Run("read regional status", [&](pqxx::connection& c) -> core::Result<RegionalStatusRecord> {
    RepeatableRead tx(c);
    return RegionalStatusIn(tx, region, picture, limit, lease, live_window);
  });
}

core::Result<std::vector<RiskRecord>> Store::ListRisks(const RiskQuery& query) {
  return impl_->pool.Run("list risks", [&](pqxx::connection& c) -> core::Result<std::vector<RiskRecord>> {
    pqxx::read_transaction tx(c);
    return RiskRecordsOf(ListRiskRows(tx, query));
  });
}

core::Result<RiskDetail> Store::ReadRisk(const std::string& picture, const std::string& id, int levels_limit,
                                         int assessments_limit) {
  return impl_->pool.Run("read risk", [&](pqxx::connection& c) -> core::Result<RiskDetail> {
    RepeatableRead tx(c);
    RiskDetail out;
    for (const auto& r : tx.exec_prepared(stmt::kRiskAssessments.name, picture, id, assessments_limit)) {
      out.assessments.push_back(AssessmentOfRow(r, 0));
    }
    const auto risk = tx.exec_prepared(stmt::kPictureRiskRead.name, picture, id);
    if (risk.empty() && out.assessments.empty()) {
      return core::NotFound("risk " + id + ": not in the " + picture + " picture and never assessed");
    }
    if (!risk.empty()) {
      out.risk.row = RiskOfRow(risk[0]);
      out.risk.theme_label = risk[0][col::kDetailThemeLabel].as<std::string>();
      out.risk.municipality_name = risk[0][col::kDetailMunicipalityName].as<std::string>();
    } else {
      out.risk.row.picture = picture;
      out.risk.row.id = id;
    }
    if (!out.assessments.empty()) {
      out.risk.assessment = out.assessments.front();
    }
    for (const auto& r : tx.exec_prepared(stmt::kRiskLevelsHistory.name, picture, id, levels_limit)) {
      RiskLevelPoint p;
      p.at_us = r[0].as<std::int64_t>();
      p.levels.nowcast = r[1].as<int>();
      p.levels.forecast = {r[2].as<int>(), r[3].as<int>(), r[4].as<int>()};
      p.levels.trend = static_cast<domain::Trend>(r[5].as<int>());
      if (const int level = r[6].as<int>(); level >= 0) {
        p.analyst_level = level;
      }
      p.effective_level = r[7].as<int>();
      out.levels.push_back(p);
    }
    if (!out.risk.row.signal_ids.empty()) {
      std::map<std::string, RiskSignalSummary> by_id;
      for (const auto& r : tx.exec_prepared(stmt::kRiskSignals.name, json(out.risk.row.signal_ids).dump())) {
        RiskSignalSummary s{r[0].as<std::string>(),  r[1].as<std::string>(),   r[2].as<std::string>(),
                            r[3].as<std::string>(),  r[4].as<std::string>(),   r[5].as<std::string>(),
                            r[6].as<std::string>(),  r[7].as<std::string>(),   r[8].as<std::string>(),
                            r[9].as<std::int64_t>(), r[10].as<std::int64_t>(), r[11].as<std::int64_t>()};
        by_id.emplace(s.id, std::move(s));
      }
      for (const auto& sid : out.risk.row.signal_ids) {
        if (auto it = by_id.find(sid); it != by_id.end()) {
          out.signals.push_back(it->second);
        }
      }
    }
    return out;
  });
}

core::Result<AssessmentRecord> Store::AppendAssessment(const std::string& region, const std::string& picture,
                                                       const domain::RiskKey& key, int expected_version,
                                                       const AssessmentRecord& a, const AuditRecord& audit) {
  return impl_->pool.Run("append assessment", [&](pqxx::connection& c) -> core::Result<AssessmentRecord> {
    pqxx::work w(c);
    json likelihood = json::array();
    json impact = json::array();
    for (const ScenarioRecord* s : {&a.worst, &a.real, &a.best}) {
      likelihood.push_back(s->likelihood);
      impact.push_back(s->impact);
    }
    std::string unknown;
    for (const auto& r : w.exec_prepared(stmt::kAssessmentUnknownRefs.name, key.theme, key.municipality, region,
                                         json(a.partners).dump(), likelihood.dump(), impact.dump())) {
      unknown += (unknown.empty() ? "" : "; ") + r[0].as<std::string>() + ": no " + r[0].as<std::string>() + " \"" +
                 r[1].as<std::string>() + "\"" +
                 (r[0].as<std::string>() == "municipality" ? " in region " + region : std::string());
    }
    if (!unknown.empty()) {
      return core::InvalidArgument(unknown);
    }
    const auto scenario = [](const ScenarioRecord& s) {
      return json{{"description", s.description}, {"likelihood", s.likelihood}, {"impact", s.impact}};
    };
    const json scenarios{{"worst", scenario(a.worst)}, {"real", scenario(a.real)}, {"best", scenario(a.best)}};
    const int version = expected_version + 1;
    const auto rows = w.exec_prepared(stmt::kAssessmentAppend.name, picture, domain::RiskId(key), version, a.status,
                                      a.phase, a.analyst_level.value_or(-1), scenarios.dump(), a.assessment,
                                      json(a.advice).dump(), json(a.partners).dump(), a.reason, a.set_by);
    if (rows.empty()) {
      return core::Aborted("version: the assessment of " + domain::RiskId(key) + " is not at version " +
                           std::to_string(expected_version) +
                           " (someone else saved first, or that version was never read); reload it and apply your "
                           "change again");
    }
    AssessmentRecord out = a;
    out.version = version;
    out.set_us = rows[0][0].as<std::int64_t>();
    InsertAudit(w, {audit});
    w.commit();
    return out;
  });
}

}  // namespace vik::store
