// Store: the region's reference data files (vikd reference load), written in one transaction.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

using nlohmann::json;

void Exec(pqxx::work& w, const Statement& statement, const json& rows) {
  if (!rows.empty()) {
    w.exec_prepared(statement.name, rows.dump());
  }
}

}  // namespace

core::Status Store::LoadReferenceTables(const domain::ReferenceTables& t, const AuditRecord& audit) {
  return impl_->pool.Run("load reference data files", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    json regions = json::array();
    for (const auto& r : t.regions) {
      regions.push_back({{"code", r.code}, {"nr", r.nr}, {"name", r.name}, {"province", r.province}});
    }
    Exec(w, stmt::kRefRegionsUpsert, regions);
    json municipalities = json::array();
    json successors = json::array();
    for (const auto& m : t.municipalities) {
      municipalities.push_back({{"gm_code", m.gm_code},
                                {"name", m.name},
                                {"region", m.region},
                                {"valid_from", m.valid_from},
                                {"valid_to", m.valid_to}});
      successors.push_back({{"gm_code", m.gm_code}, {"successor", m.successor}});
    }
    Exec(w, stmt::kRefMunicipalitiesUpsert, municipalities);
    Exec(w, stmt::kRefMunicipalitySuccessors, successors);
    json themes = json::array();
    json parents = json::array();
    for (const auto& th : t.themes) {
      themes.push_back({{"code", th.code}, {"label", th.label}, {"cap_category", th.cap_category}});
      parents.push_back({{"code", th.code}, {"parent", th.parent}});
    }
    Exec(w, stmt::kRefThemesUpsert, themes);
    Exec(w, stmt::kRefThemeParents, parents);
    json cap = json::array();
    for (const auto& r : t.cap_category_themes) {
      cap.push_back({{"cap_category", r.cap_category}, {"theme", r.theme}});
    }
    Exec(w, stmt::kRefCapCategoryThemesUpsert, cap);
    json impact = json::array();
    for (const auto& r : t.impact_classes) {
      impact.push_back({{"code", r.code}, {"label_nl", r.label_nl}, {"label_en", r.label_en}});
    }
    Exec(w, stmt::kRefImpactClassesUpsert, impact);
    json likelihood = json::array();
    for (const auto& r : t.likelihood_classes) {
      likelihood.push_back(
          {{"code", r.code}, {"label_nl", r.label_nl}, {"chance", r.chance}, {"description", r.description}});
    }
    Exec(w, stmt::kRefLikelihoodClassesUpsert, likelihood);
    auto ordered = [](const std::vector<domain::OrderedRow>& rows) {
      json out = json::array();
      for (const auto& r : rows) {
        out.push_back({{"code", r.code}, {"ordinal", r.ordinal}, {"label", r.label}, {"description", r.description}});
      }
      return out;
    };
    const json grip = ordered(t.grip_levels);
    Exec(w, stmt::kRefGripLevelsMove, grip);
    Exec(w, stmt::kRefGripLevelsUpsert, grip);
    const json phases = ordered(t.crisis_phases);
    Exec(w, stmt::kRefCrisisPhasesMove, phases);
    Exec(w, stmt::kRefCrisisPhasesUpsert, phases);
    InsertAudit(w, {audit});
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<RegionState>> Store::RegionStateHistory(const std::string& region, int limit) {
  return impl_->pool.Run("read region state", [&](pqxx::connection& c) -> core::Result<std::vector<RegionState>> {
    pqxx::read_transaction tx(c);
    std::vector<RegionState> out;
    for (const auto& r : tx.exec_prepared(stmt::kRegionStateHistory.name, region, limit)) {
      out.push_back({r[0].as<int>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                     r[4].as<std::string>(), r[5].as<std::int64_t>()});
    }
    return out;
  });
}

core::Result<RegionState> Store::SetRegionState(const std::string& region, int expected_version,
                                                const RegionState& state, const AuditRecord& audit) {
  return impl_->pool.Run("set region state", [&](pqxx::connection& c) -> core::Result<RegionState> {
    pqxx::work w(c);
    const int version = expected_version + 1;
    const auto rows = w.exec_prepared(stmt::kRegionStateAppend.name, region, version, state.grip_level, state.phase,
                                      state.reason, state.set_by);
    if (rows.empty()) {
      return core::Aborted("version: the region's state is no longer at version " + std::to_string(expected_version) +
                           " (changed by someone else); reload it and apply your change again");
    }
    RegionState out = state;
    out.version = version;
    out.set_us = rows[0][0].as<std::int64_t>();
    InsertAudit(w, {audit});
    w.commit();
    return out;
  });
}

}  // namespace vik::store
