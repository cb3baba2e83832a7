#include "http/picture_routes.h"

#include <charconv>
#include <regex>
#include <tuple>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "domain/risk_engine.h"
#include "http/json_body.h"
#include "http/query.h"
#include "http/route_helpers.h"

namespace vik::http {
namespace {

using nlohmann::json;

constexpr int kMaxLimit = 500;
constexpr std::size_t kMaxText = 10000;
constexpr std::size_t kMaxShort = 2000;
constexpr std::size_t kMaxItems = 50;

core::Result<int> ParseInt(const std::string& name, const std::string& v, int lo, int hi) {
  int out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < lo || out > hi) {
    return core::InvalidArgument(name + ": expected a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return out;
}

core::Result<std::string> PictureOf(const std::map<std::string, std::string>& params) {
  const auto it = params.find("picture");
  if (it == params.end() || it->second == "actual") {
    return std::string("actual");
  }
  if (it->second == "exercise") {
    return std::string("exercise");
  }
  return core::InvalidArgument("picture: expected actual or exercise (never mixed)");
}

// Cursor "<sort key>_<risk id>" (sort key: priority, removed risks last).
std::string CursorOf(const store::RiskRow& row) {
  return std::to_string(row.priority == 0 ? 2147483647 : row.priority) + "_" + row.id;
}

core::Result<store::RiskQuery> RiskQueryOf(const Request& request) {
  auto params = ParseQuery(request.query, {"picture", "theme", "municipality", "minLevel", "status", "includeRemoved",
                                           "cursor", "limit"});
  if (!params.ok()) {
    return params.status();
  }
  store::RiskQuery q;
  auto picture = PictureOf(*params);
  if (!picture.ok()) {
    return picture.status();
  }
  q.picture = *picture;
  q.theme = Param(*params, "theme");
  if (!q.theme.empty() && !std::regex_match(q.theme, std::regex("^[1-9][0-9]?(\\.[0-9]{1,2}){0,2}$"))) {
    return core::InvalidArgument("theme: expected a theme code such as 1.3 or 1.3.20");
  }
  q.municipality = Param(*params, "municipality");
  if (!q.municipality.empty() && !std::regex_match(q.municipality, std::regex("^GM[0-9]{4}$"))) {
    return core::InvalidArgument("municipality: expected a CBS code such as GM0796");
  }
  if (const auto v = Param(*params, "minLevel"); !v.empty()) {
    auto level = ParseInt("minLevel", v, 0, domain::kMaxLevel);
    if (!level.ok()) {
      return level.status();
    }
    q.min_level = *level;
  }
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
  if (const auto v = Param(*params, "limit"); !v.empty()) {
    auto limit = ParseInt("limit", v, 1, kMaxLimit);
    if (!limit.ok()) {
      return limit.status();
    }
    q.limit = *limit;
  }
  if (const auto v = Param(*params, "cursor"); !v.empty()) {
    const auto sep = v.find('_');
    auto key = sep == std::string::npos ? core::Result<int>(core::InvalidArgument("cursor"))
                                        : ParseInt("cursor", v.substr(0, sep), 1, 2147483647);
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

core::Status CheckText(const json& j, const std::string& path, std::size_t max, bool required, std::string& out) {
  if (!j.is_string()) {
    return core::InvalidArgument(path + ": expected a string");
  }
  out = j.get<std::string>();
  if (required && out.empty()) {
    return core::InvalidArgument(path + ": required, not empty");
  }
  if (out.size() > max) {
    return core::InvalidArgument(path + ": longer than " + std::to_string(max) + " bytes");
  }
  if (!core::IsValidUtf8(out)) {
    return core::InvalidArgument(path + ": not valid UTF-8");
  }
  for (const unsigned char c : out) {
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return core::InvalidArgument(path + ": control characters are not allowed");
    }
  }
  return core::Status::Ok();
}

core::Status CheckList(const json& j, const std::string& path, std::size_t max_len, std::vector<std::string>& out) {
  if (!j.is_array()) {
    return core::InvalidArgument(path + ": expected an array of strings");
  }
  if (j.size() > kMaxItems) {
    return core::InvalidArgument(path + ": more than " + std::to_string(kMaxItems) + " items");
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string item;
    if (auto s = CheckText(j[i], path + "[" + std::to_string(i) + "]", max_len, true, item); !s.ok()) {
      return s;
    }
    out.push_back(std::move(item));
  }
  return core::Status::Ok();
}

core::Status CheckScenario(const json& body, const char* name, store::ScenarioRecord& out) {
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
  if (auto s = CheckText(j["description"], path + ".description", kMaxText, true, out.description); !s.ok()) {
    return s;
  }
  static const std::regex kClass("^[A-E]$");
  if (!j["likelihood"].is_string() || !std::regex_match(j["likelihood"].get<std::string>(), kClass)) {
    return core::InvalidArgument(path + ".likelihood: expected a likelihood class A to E");
  }
  if (!j["impact"].is_string() || !std::regex_match(j["impact"].get<std::string>(), kClass)) {
    return core::InvalidArgument(path + ".impact: expected an impact class A to E");
  }
  out.likelihood = j["likelihood"].get<std::string>();
  out.impact = j["impact"].get<std::string>();
  return core::Status::Ok();
}

// The PUT body: {"version", "status", "phase", "analystLevel", "worstCase", "realCase", "bestCase",
// "assessment", "advice", "partners", "reason"}; INVALID_ARGUMENT naming the field.
core::Result<std::pair<int, store::AssessmentRecord>> ParseAssessment(const std::string& body) {
  auto parsed = ParseJsonObject(body);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const json& j = *parsed;
  static const std::set<std::string> kFields = {"version",  "status",   "phase",      "analystLevel",
                                                "worstCase", "realCase", "bestCase",   "assessment",
                                                "advice",   "partners", "reason"};
  for (const auto& [key, value] : j.items()) {
    if (kFields.count(key) == 0) {
      return core::InvalidArgument(key + ": unknown field");
    }
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() < 0 ||
      j["version"].get<long long>() > 1000000000) {
    return core::InvalidArgument("version: required, the version you last read (0 when never assessed)");
  }
  store::AssessmentRecord a;
  if (!j.contains("status") || !j["status"].is_string() ||
      !std::regex_match(j["status"].get<std::string>(), std::regex("^(monitoring|active|closed)$"))) {
    return core::InvalidArgument("status: required, one of monitoring, active, closed");
  }
  a.status = j["status"].get<std::string>();
  if (j.contains("phase") && !j["phase"].is_null()) {
    if (!j["phase"].is_string() ||
        !std::regex_match(j["phase"].get<std::string>(), std::regex("^(koud|lauw|warm|nafase)?$"))) {
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
  if (auto s = CheckScenario(j, "worstCase", a.worst); !s.ok()) {
    return s;
  }
  if (auto s = CheckScenario(j, "realCase", a.real); !s.ok()) {
    return s;
  }
  if (auto s = CheckScenario(j, "bestCase", a.best); !s.ok()) {
    return s;
  }
  if (!j.contains("assessment")) {
    return core::InvalidArgument("assessment: required (the analysts' interpretation)");
  }
  if (auto s = CheckText(j["assessment"], "assessment", kMaxText, true, a.assessment); !s.ok()) {
    return s;
  }
  if (j.contains("advice")) {
    if (auto s = CheckList(j["advice"], "advice", kMaxShort, a.advice); !s.ok()) {
      return s;
    }
  }
  if (j.contains("partners")) {
    if (auto s = CheckList(j["partners"], "partners", 64, a.partners); !s.ok()) {
      return s;
    }
  }
  if (!j.contains("reason")) {
    return core::InvalidArgument("reason: required, 1 to 2000 bytes (why the assessment changes)");
  }
  if (auto s = CheckText(j["reason"], "reason", kMaxShort, true, a.reason); !s.ok()) {
    return s;
  }
  return std::make_pair(static_cast<int>(j["version"].get<long long>()), a);
}

// The risk and picture a /v1/risks/{id}[suffix] request names, with its query parameters;
// otherwise answers 404/400 through `respond` and returns nullopt.
struct RiskTarget {
  domain::RiskKey key;
  std::string picture;
  std::map<std::string, std::string> params;
};
std::optional<RiskTarget> RiskTargetOf(const Request& request, std::string_view suffix,
                                       const std::set<std::string>& allowed, const Responder& respond) {
  const auto key = RiskKeyOfPath(request.path, suffix);
  if (!key) {
    respond(ErrorResponse(core::NotFound("no such risk: expected /v1/risks/<theme>@<municipality>" + std::string(suffix) +
                                         ", e.g. /v1/risks/1.3@GM0796" + std::string(suffix) + " or /v1/risks/2.1@region" +
                                         std::string(suffix))));
    return std::nullopt;
  }
  auto params = ParseQuery(request.query, allowed);
  if (!params.ok()) {
    respond(ErrorResponse(params.status()));
    return std::nullopt;
  }
  auto picture = PictureOf(*params);
  if (!picture.ok()) {
    respond(ErrorResponse(picture.status()));
    return std::nullopt;
  }
  return RiskTarget{*key, *picture, std::move(params).value()};
}

void ServeStatus(const PictureRouteContext& ctx, const std::string& picture, int limit, const Responder& respond) {
  auto status = ctx.store->ReadRegionalStatus(ctx.status.region, picture, limit, ctx.status.lease,
                                              ctx.status.live_window);
  if (!status.ok()) {
    respond(StoreErrorResponse(status.status()));
    return;
  }
  vik::v1::RegionalStatus proto;
  wire::ToProtoStatus(*status, ctx.status, &proto);
  respond(ProtoJsonResponse(proto));
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
    auto picture = PictureOf(*params);
    if (!picture.ok()) {
      respond(ErrorResponse(picture.status()));
      return;
    }
    int limit = 50;
    if (const auto v = Param(*params, "limit"); !v.empty()) {
      auto parsed = ParseInt("limit", v, 1, kMaxLimit);
      if (!parsed.ok()) {
        respond(ErrorResponse(parsed.status()));
        return;
      }
      limit = *parsed;
    }
    SubmitOrRefuse(*ctx.blocking, *caller, [ctx, picture = *picture, limit, respond] { ServeStatus(ctx, picture, limit, respond); },
                   respond);
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
    SubmitOrRefuse(*ctx.blocking, *caller, [ctx, q = *query, respond] { ServeRisks(ctx, q, respond); }, respond);
  });

  router.Add(bhttp::verb::get, "/v1/risks/*", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, readers, respond);
    if (!caller) {
      return;
    }
    const auto target = RiskTargetOf(*request, "", {"picture", "history", "assessments"}, respond);
    if (!target) {
      return;
    }
    int history = 100;
    int assessments = 20;
    for (auto [name, value, hi] : {std::tuple{"history", &history, 1000}, std::tuple{"assessments", &assessments, 100}}) {
      if (const auto v = Param(target->params, name); !v.empty()) {
        auto parsed = ParseInt(name, v, 1, hi);
        if (!parsed.ok()) {
          respond(ErrorResponse(parsed.status()));
          return;
        }
        *value = *parsed;
      }
    }
    SubmitOrRefuse(*ctx.blocking, *caller, [ctx, id = domain::RiskId(target->key), picture = target->picture, history,
                                   assessments, respond] {
      auto detail = ctx.store->ReadRisk(picture, id, history, assessments);
      if (!detail.ok()) {
        respond(StoreErrorResponse(detail.status()));
        return;
      }
      vik::v1::RiskDetail proto;
      wire::ToProtoRiskDetail(*detail, &proto);
      respond(ProtoJsonResponse(proto));
    }, respond);
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
    auto change = ParseAssessment(request->msg.body());
    if (!change.ok()) {
      respond(ErrorResponse(change.status()));
      return;
    }
    SubmitOrRefuse(*ctx.blocking, *caller, [ctx, caller = *caller, key = target->key, picture = target->picture, change = *change,
                                   respond]() mutable {
      change.second.set_by = caller.Actor();
      const std::string id = domain::RiskId(key);
      json object{{"risk", id},
                  {"picture", picture},
                  {"from_version", change.first},
                  {"status", change.second.status},
                  {"analyst_level", change.second.analyst_level ? json(*change.second.analyst_level) : json(nullptr)}};
      auto set = ctx.store->AppendAssessment(ctx.status.region, picture, key, change.first, change.second,
                                             {caller.Actor(), caller.origin, "risk.assess", object.dump(), "ok"});
      if (!set.ok()) {
        respond(StoreErrorResponse(set.status()));
        return;
      }
      vik::v1::Assessment proto;
      wire::ToProtoAssessment(*set, &proto);
      respond(ProtoJsonResponse(proto));
    }, respond);
  });
}

}  // namespace vik::http
