#include "http/region_routes.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "http/ingest_routes.h"
#include "http/json_body.h"
#include "http/route_helpers.h"

namespace vik::http {
namespace {

using nlohmann::json;

const std::set<std::string>& GripLevels() {
  static const std::set<std::string> k = {"", "0", "1", "2", "3", "4", "5", "RIJK"};
  return k;
}
const std::set<std::string>& Phases() {
  static const std::set<std::string> k = {"koud", "lauw", "warm", "nafase"};
  return k;
}

json StateJson(const store::RegionState& s) {
  json out{{"version", s.version}, {"gripLevel", s.grip_level.empty() ? json(nullptr) : json(s.grip_level)},
           {"phase", s.phase},     {"reason", s.reason},
           {"setBy", s.set_by},    {"setAt", core::FormatRfc3339(core::WallTime{std::chrono::microseconds(s.set_us)})}};
  return out;
}

// The PUT body, checked: INVALID_ARGUMENT naming the field.
core::Result<std::pair<int, store::RegionState>> ParseChange(const std::string& body) {
  auto parsed = ParseJsonObject(body);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const json& j = *parsed;
  for (const auto& [key, value] : j.items()) {
    if (key != "version" && key != "gripLevel" && key != "phase" && key != "reason") {
      return core::InvalidArgument(key + ": unknown field (expected version, gripLevel, phase, reason)");
    }
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() < 0 ||
      j["version"].get<long long>() > 1000000000) {
    return core::InvalidArgument("version: required, the version you last read (0 when never set)");
  }
  store::RegionState s;
  if (j.contains("gripLevel") && !j["gripLevel"].is_null()) {
    if (!j["gripLevel"].is_string() || GripLevels().count(j["gripLevel"].get<std::string>()) == 0) {
      return core::InvalidArgument("gripLevel: expected \"0\" to \"5\", \"RIJK\" or null");
    }
    s.grip_level = j["gripLevel"].get<std::string>();
  }
  if (!j.contains("phase") || !j["phase"].is_string() || Phases().count(j["phase"].get<std::string>()) == 0) {
    return core::InvalidArgument("phase: required, one of koud, lauw, warm, nafase");
  }
  s.phase = j["phase"].get<std::string>();
  if (!j.contains("reason") || !j["reason"].is_string() || j["reason"].get<std::string>().empty() ||
      j["reason"].get<std::string>().size() > 2000) {
    return core::InvalidArgument("reason: required, 1 to 2000 bytes (why the state changes)");
  }
  s.reason = j["reason"].get<std::string>();
  return std::make_pair(static_cast<int>(j["version"].get<long long>()), s);
}

}  // namespace

void AddRegionRoutes(Router& router, RegionRouteContext ctx) {
  router.Add(bhttp::verb::get, "/v1/region/state", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, {"read", "analyst", "admin"}, respond);
    if (!caller) {
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, respond] {
          auto history = ctx.store->RegionStateHistory(ctx.region, 20);
          if (!history.ok()) {
            respond(StoreErrorResponse(history.status()));
            return;
          }
          json body{{"region", ctx.region}};
          body["state"] = history->empty() ? json{{"version", 0}, {"gripLevel", nullptr}, {"phase", "koud"}}
                                           : StateJson(history->front());
          json changes = json::array();
          for (const auto& s : *history) {
            changes.push_back(StateJson(s));
          }
          body["history"] = std::move(changes);
          respond(JsonResponse(bhttp::status::ok, body.dump()));
        },
        respond);
  });

  router.Add(bhttp::verb::put, "/v1/region/state", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, {"analyst", "admin"}, respond);
    if (!caller) {
      return;
    }
    auto change = ParseChange(request->msg.body());
    if (!change.ok()) {
      respond(ErrorResponse(change.status()));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, caller = *caller, change = *change, respond]() mutable {
          change.second.set_by = caller.Actor();
          json object{{"region", ctx.region},
                      {"from_version", change.first},
                      {"grip_level", change.second.grip_level},
                      {"phase", change.second.phase}};
          auto set = ctx.store->SetRegionState(ctx.region, change.first, change.second,
                                               {caller.Actor(), caller.origin, "region.state", object.dump(), "ok"});
          if (!set.ok()) {
            respond(StoreErrorResponse(set.status()));
            return;
          }
          respond(JsonResponse(bhttp::status::ok, json{{"region", ctx.region}, {"state", StateJson(*set)}}.dump()));
        },
        respond);
  });
}

}  // namespace vik::http
