#include "http/picture_routes.h"

#include <charconv>
#include <regex>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "domain/risk_engine.h"
#include "http/json_body.h"
#include "http/query.h"
#include "http/route_helpers.h"
#include "usecases/assessments.h"
#include "usecases/regional_status.h"

namespace vik::http {
namespace {

using nlohmann::json;

constexpr int kMaxLimit = 500;

// Cursor "<sort key>_<risk id>" (sort key: priority, removed risks last).
std::string CursorOf(const store::RiskRow& row) {
  return std::to_string(row.priority == 0 ? 2147483647 : row.priority) + "_" + row.id;
}

core::Result<store::RiskQuery> RiskQueryOf(const Request& request) {
  auto params = ParseQuery(
      request.query, {"picture", "theme", "municipality", "minLevel", "status", "includeRemoved", "cursor", "limit"});
  if (!params.ok()) {
    return params.status();
  }
  store::RiskQuery q;
  auto picture = PictureParam(*params);
  if (!picture.ok()) {
    return picture.status();
  }
  q.picture = std::string(domain::PictureName(*picture));
  q.theme = Param(*params, "theme");
  if (!q.theme.empty() && !std::regex_match(q.theme, std::regex("^[1-9][0-9]?(\\.[0-9]{1,2}){0,2}$"))) {
    return core::InvalidArgument("theme: expected a theme code such as 1.3 or 1.3.20");
  }
  q.municipality = Param(*params, "municipality");
  if (!q.municipality.empty() && !std::regex_match(q.municipality, std::regex("^GM[0-9]{4}$"))) {
    return core::InvalidArgument("municipality: expected a CBS code such as GM0796");
  }
  auto level = IntParam(*params, "minLevel", q.min_level, 0, domain::kMaxLevel);
  if (!level.ok()) {
    return level.status();
  }
  q.min_level = *level;
  q.status = Param(*params, "status");
  if (!q.status.empty() && !std::regex_match(q.status, std::regex("^(new|monitoring|active|closed)$"))) {
    return core::InvalidArgument("status: expected new, monitoring, active or closed");
  }
  if (const auto v = Param(*params, "includeRemoved"); !v.empty()) {
    if (v != "true" && v != "false") {
      return core::InvalidArgument("includeRemoved: expected true or false");
    }
    q.include_removed = v == "true";
  }
  auto limit = LimitParam(*params, q.limit, kMaxLimit);
  if (!limit.ok()) {
    return limit.status();
  }
  q.limit = *limit;
  if (const auto v = Param(*params, "cursor"); !v.empty()) {
    const auto sep = v.find('_');
    auto key = sep == std::string::npos ? core::Result<int>(core::InvalidArgument("cursor"))
                                        : ParseIntValue("cursor", std::string_view(v).substr(0, sep), 1, 2147483647);
    if (!key.ok() || !domain::ParseRiskId(v.substr(sep + 1))) {
      return core::InvalidArgument("cursor: not a cursor of this API (use nextCursor of the previous page)");
    }
    q.after = std::make_pair(*key, v.substr(sep + 1));
  }
  return q;
}

// "/v1/risks/<id>" or "/v1/risks/<id>/assessment": the id, or nullopt.
std::optional<domain::RiskKey> RiskKeyOfPath(std::string_view path, std::string_view suffix) {
  constexpr std::string_view kPrefix = "/v1/risks/";
  if (path.substr(0, kPrefix.size()) != kPrefix || path.size() < kPrefix.size() + suffix.size() ||
      path.substr(path.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  std::string id(path.substr(kPrefix.size(), path.size() - kPrefix.size() - suffix.size()));
  // Clients may escape the '@' (%40); nothing else in an id needs escaping.
  for (auto pos = id.find('%'); pos != std::string::npos; pos = id.find('%', pos + 1)) {
    if (id.compare(pos, 3, "%40") == 0) {
      id.replace(pos, 3, "@");
    }
  }
  return domain::ParseRiskId(id);
}

// The JSON shape of an assessment (types, known fields); the rules are domain::ValidateAssessment's.
core::Status StringAt(const json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) {
    return core::InvalidArgument(path + ": expected a string");
  }
  out = j.get<std::string>();
  return core::Status::Ok();
}

core::Status StringsAt(const json& j, const std::string& path, std::vector<std::string>& out) {
  if (!j.is_array()) {
    return core::InvalidArgument(path + ": expected an array of strings");
  }
  if (j.size() > domain::kMaxAssessmentItems) {
    return core::InvalidArgument(path + ": more than " + std::to_string(domain::kMaxAssessmentItems) + " items");
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string item;
    if (auto s = StringAt(j[i], path + "[" + std::to_string(i) + "]", item); !s.ok()) {
      return s;
    }
    out.push_back(std::move(item));
  }
  return core::Status::Ok();
}

core::Status ScenarioAt(const json& body, const char* name, domain::Scenario& out) {
  const std::string path = name;
  if (!body.contains(name)) {
    return core::InvalidArgument(path + ": required ({\"description\", \"likelihood\", \"impact\"})");
  }
  const json& j = body[name];
  if (!j.is_object()) {
    return core::InvalidArgument(path + ": expected an object with description, likelihood, impact");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "description" && key != "likelihood" && key != "impact") {
      return core::InvalidArgument(path + "." + key + ": unknown field (expected description, likelihood, impact)");
    }
  }
  for (const char* field : {"description", "likelihood", "impact"}) {
    if (!j.contains(field)) {
      return core::InvalidArgument(path + "." + field + ": required");
    }
  }
  if (auto s = StringAt(j["description"], path + ".description", out.description); !s.ok()) {
    return s;
  }
  if (!j["likelihood"].is_string()) {
    return core::InvalidArgument(path + ".likelihood: expected a likelihood class A to E");
  }
  if (!j["impact"].is_string()) {
    return core::InvalidArgument(path + ".impact: expected an impact class A to E");
  }
  out.likelihood = j["likelihood"].get<std::string>();
  out.impact = j["impact"].get<std::string>();
  return core::Status::Ok();
}

// The PUT body: {"version", "status", "phase", "analystLevel", "worstCase", "realCase", "bestCase",
// "assessment", "advice", "partners", "reason"} decoded; INVALID_ARGUMENT naming the field. The
// rules of the content are checked by the use case (domain::ValidateAssessment).
core::Result<std::pair<int, domain::Assessment>> ParseAssessment(const std::string& body) {
  auto parsed = ParseJsonObject(body);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const json& j = *parsed;
  static const std::set<std::string> kFields = {"version",   "status",   "phase",    "analystLevel",
                                                "worstCase", "realCase", "bestCase", "assessment",
                                                "advice",    "partners", "reason"};
  for (const auto& [key, value] : j.items()) {
    if (kFields.count(key) == 0) {
      return core::InvalidArgument(key + ": unknown field");
    }
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() < 0 ||
      j["version"].get<long long>() > 1000000000) {
    return core::InvalidArgument("version: required, the version you last read (0 when never assessed)");
  }
  domain::Assessment a;
  if (!j.contains("status") || !j["status"].is_string()) {
    return core::InvalidArgument("status: required, one of monitoring, active, closed");
  }
  a.status = j["status"].get<std::string>();
  if (j.contains("phase") && !j["phase"].is_null()) {
    if (!j["phase"].is_string()) {
      return core::InvalidArgument("phase: expected koud, lauw, warm, nafase or null");
    }
    a.phase = j["phase"].get<std::string>();
  }
  if (j.contains("analystLevel") && !j["analystLevel"].is_null()) {
    if (!j["analystLevel"].is_number_integer() || j["analystLevel"].get<long long>() < 0 ||
        j["analystLevel"].get<long long>() > domain::kMaxLevel) {
      return core::InvalidArgument("analystLevel: expected 0 to 4 (geen, groen, geel, oranje, rood) or null");
    }
    a.analyst_level = static_cast<int>(j["analystLevel"].get<long long>());
  }
  for (auto [name, scenario] :
       {std::pair{"worstCase", &a.worst}, std::pair{"realCase", &a.real}, std::pair{"bestCase", &a.best}}) {
    if (auto s = ScenarioAt(j, name, *scenario); !s.ok()) {
      return s;
    }
  }
  if (!j.contains("assessment")) {
    return core::InvalidArgument("assessment: required (the analysts' interpretation)");
  }
  if (auto s = StringAt(j["assessment"], "assessment", a.assessment); !s.ok()) {
    return s;
  }
  if (j.contains("advice")) {
    if (auto s = StringsAt(j["advice"], "advice", a.advice); !s.ok()) {
      return s;
    }
  }
  if (j.contains("partners")) {
    if (auto s = StringsAt(j["partners"], "partners", a.partners); !s.ok()) {
      return s;
    }
  }
  if (!j.contains("reason")) {
    return core::InvalidArgument("reason: required, 1 to 2000 bytes (why the assessment changes)");
  }
  if (auto s = StringAt(j["reason"], "reason", a.reason); !s.ok()) {
    return s;
  }
  return std::make_pair(static_cast<int>(j["version"].get<long long>()), std::move(a));
}

// The risk and picture a /v1/risks/{id}[suffix] request names, with its query parameters;
// otherwise answers 404/400 through `respond` and returns nullopt.
struct RiskTarget {
  domain::RiskKey key;
  domain::Picture picture;
  std::map<std::string, std::string> params;
};
std::optional<RiskTarget> RiskTargetOf(const Request& request, std::string_view suffix,
                                       const std::set<std::string>& allowed, const Responder& respond) {
  const auto key = RiskKeyOfPath(request.path, suffix);
  if (!key) {
    respond(ErrorResponse(core::NotFound("no such risk: expected /v1/risks/<theme>@<municipality>" +
                                         std::string(suffix) + ", e.g. /v1/risks/1.3@GM0796" + std::string(suffix) +
                                         " or /v1/risks/2.1@region" + std::string(suffix))));
    return std::nullopt;
  }
  auto params = ParseQuery(request.query, allowed);
  if (!params.ok()) {
    respond(ErrorResponse(params.status()));
    return std::nullopt;
  }
  auto picture = PictureParam(*params);
  if (!picture.ok()) {
    respond(ErrorResponse(picture.status()));
    return std::nullopt;
  }
  return RiskTarget{*key, *picture, std::move(params).value()};
}

void ServeStatus(const PictureRouteContext& ctx, domain::Picture picture, int limit, const Responder& respond) {
  auto status = usecases::ReadRegionalStatus(*ctx.store, ctx.status, picture, limit);
  if (!status.ok()) {
    respond(StoreErrorResponse(status.status()));
    return;
  }
  respond(ProtoJsonResponse(*status));
}

void ServeRisks(const PictureRouteContext& ctx, store::RiskQuery q, const Responder& respond) {
  const int wanted = q.limit;
  q.limit = wanted + 1;
  auto rows = ctx.store->ListRisks(q);
  if (!rows.ok()) {
    respond(StoreErrorResponse(rows.status()));
    return;
  }
  vik::v1::ListRisksResponse proto;
  proto.set_picture(q.picture);
  for (int i = 0; i < static_cast<int>(rows->size()) && i < wanted; ++i) {
    wire::ToProtoRisk((*rows)[static_cast<std::size_t>(i)], proto.add_risks(), false);
  }
  if (static_cast<int>(rows->size()) > wanted) {
    proto.set_next_cursor(CursorOf((*rows)[static_cast<std::size_t>(wanted - 1)].row));
  }
  respond(ProtoJsonResponse(proto));
}

}  // namespace

void AddPictureRoutes(Router& router, PictureRouteContext ctx) {
  const std::set<std::string> readers = {"read", "analyst", "admin"};
  router.Add(bhttp::verb::get, "/v1/status", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, readers, respond);
    if (!caller) {
      return;
    }
    auto params = ParseQuery(request->query, {"picture", "limit"});
    if (!params.ok()) {
      respond(ErrorResponse(params.status()));
      return;
    }
    auto picture = PictureParam(*params);
    if (!picture.ok()) {
      respond(ErrorResponse(picture.status()));
      return;
    }
    auto limit = LimitParam(*params, usecases::kDefaultStatusRisks, usecases::kMaxStatusRisks);
    if (!limit.ok()) {
      respond(ErrorResponse(limit.status()));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, picture = *picture, limit = *limit, respond] { ServeStatus(ctx, picture, limit, respond); }, respond);
  });

  router.Add(bhttp::verb::get, "/v1/risks", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, readers, respond);
    if (!caller) {
      return;
    }
    auto query = RiskQueryOf(*request);
    if (!query.ok()) {
      respond(ErrorResponse(query.status()));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller, [ctx, q = *query, respond] { ServeRisks(ctx, q, respond); }, respond);
  });

  router.Add(
      bhttp::verb::get, "/v1/risks/*", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
        const auto caller = Authorize(*ctx.auth, *request, readers, respond);
        if (!caller) {
          return;
        }
        const auto target = RiskTargetOf(*request, "", {"picture", "history", "assessments"}, respond);
        if (!target) {
          return;
        }
        const auto history = IntParam(target->params, "history", 100, 1, 1000);
        const auto assessments = IntParam(target->params, "assessments", 20, 1, 100);
        for (const auto* parsed : {&history, &assessments}) {
          if (!parsed->ok()) {
            respond(ErrorResponse(parsed->status()));
            return;
          }
        }
        SubmitOrRefuse(
            *ctx.blocking, *caller,
            [ctx, id = domain::RiskId(target->key), picture = target->picture, history = *history,
             assessments = *assessments, respond] {
              auto detail = ctx.store->ReadRisk(std::string(domain::PictureName(picture)), id, history, assessments);
              if (!detail.ok()) {
                respond(StoreErrorResponse(detail.status()));
                return;
              }
              vik::v1::RiskDetail proto;
              wire::ToProtoRiskDetail(*detail, &proto);
              respond(ProtoJsonResponse(proto));
            },
            respond);
      });

  router.Add(bhttp::verb::put, "/v1/risks/*", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, {"analyst", "admin"}, respond);
    if (!caller) {
      return;
    }
    const auto target = RiskTargetOf(*request, "/assessment", {"picture"}, respond);
    if (!target) {
      return;
    }
    auto parsed = ParseAssessment(request->msg.body());
    if (!parsed.ok()) {
      respond(ErrorResponse(parsed.status()));
      return;
    }
    usecases::AssessmentChange change{target->key, target->picture, parsed->first, std::move(parsed->second)};
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, caller = *caller, change = std::move(change), respond] {
          auto set = usecases::AppendAssessment(*ctx.store, ctx.status.region, caller, change);
          if (!set.ok()) {
            respond(StoreErrorResponse(set.status()));
            return;
          }
          respond(ProtoJsonResponse(*set));
        },
        respond);
  });
}

}  // namespace vik::http
