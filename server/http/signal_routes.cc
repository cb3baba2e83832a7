#include "http/signal_routes.h"

#include <charconv>
#include <regex>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "http/query.h"
#include "http/route_helpers.h"
#include "vik/v1/signal.pb.h"

namespace vik::http {
namespace {

using nlohmann::json;

constexpr int kMaxLimit = 500;

std::string Cursor(const store::ListedSignal& s) { return std::to_string(s.received_us) + "_" + s.record.id; }

core::Status ParseCursor(const std::string& cursor, store::SignalQuery& q) {
  static const std::regex kCursor("^([0-9]{1,19})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$");
  std::smatch m;
  if (!std::regex_match(cursor, m, kCursor)) {
    return core::InvalidArgument("cursor: not a cursor of this API (use nextCursor of the previous page)");
  }
  const std::string micros = m[1].str();
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(micros.data(), micros.data() + micros.size(), v);
  if (ec != std::errc() || end != micros.data() + micros.size()) {
    return core::InvalidArgument("cursor: out of range");
  }
  q.after_received_us = v;
  q.after_id = m[2].str();
  return core::Status::Ok();
}

core::Result<store::SignalQuery> QueryOf(const Request& request) {
  auto params = ParseQuery(request.query, {"status", "state", "theme", "municipality", "source", "limit", "cursor"});
  if (!params.ok()) {
    return params.status();
  }
  store::SignalQuery q;
  auto get = [&params](const char* name) {
    auto it = params->find(name);
    return it == params->end() ? std::string() : it->second;
  };
  if (const auto status = get("status"); !status.empty()) {
    if (!std::regex_match(status, std::regex("^(actual|exercise|test|system|draft)$"))) {
      return core::InvalidArgument("status: expected actual, exercise, test, system or draft");
    }
    q.status = status;
  }
  q.state = get("state");
  if (!q.state.empty() && !std::regex_match(q.state, std::regex("^(active|cancelled|superseded)$"))) {
    return core::InvalidArgument("state: expected active, cancelled or superseded");
  }
  q.theme = get("theme");
  if (!q.theme.empty() && !std::regex_match(q.theme, std::regex("^[1-9][0-9]?(\\.[0-9]{1,2}){0,2}$"))) {
    return core::InvalidArgument("theme: expected a theme code such as 1.3 or 1.3.20");
  }
  q.municipality = get("municipality");
  if (!q.municipality.empty() && !std::regex_match(q.municipality, std::regex("^GM[0-9]{4}$"))) {
    return core::InvalidArgument("municipality: expected a CBS code such as GM0796");
  }
  q.source = get("source");
  if (q.source.size() > 128) {
    return core::InvalidArgument("source: longer than 128 bytes");
  }
  auto limit = LimitParam(*params, q.limit, kMaxLimit);
  if (!limit.ok()) {
    return limit.status();
  }
  q.limit = *limit;
  if (const auto cursor = get("cursor"); !cursor.empty()) {
    if (auto s = ParseCursor(cursor, q); !s.ok()) {
      return s;
    }
  }
  return q;
}

std::string Time(std::int64_t micros) { return core::FormatRfc3339(core::WallTime{std::chrono::microseconds(micros)}); }

void Serve(const SignalRouteContext& ctx, store::SignalQuery q, const Responder& respond) {
  const int wanted = q.limit;
  q.limit = wanted + 1;  // one more tells whether there is a next page
  auto rows = ctx.store->ListSignals(q);
  if (!rows.ok()) {
    respond(StoreErrorResponse(rows.status()));
    return;
  }
  json items = json::array();
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = false;
  for (int i = 0; i < static_cast<int>(rows->size()) && i < wanted; ++i) {
    const auto& s = (*rows)[static_cast<std::size_t>(i)];
    vik::v1::Signal proto;
    std::string signal_json;
    if (!proto.ParseFromString(s.record.payload) ||
        !google::protobuf::util::MessageToJsonString(proto, &signal_json, print).ok()) {
      respond(ErrorResponse(core::Internal("signal " + s.record.id + " has an unreadable stored payload")));
      return;
    }
    json item{{"id", s.record.id},
              {"receivedAt", Time(s.received_us)},
              {"status", s.record.status},
              {"state", s.record.state},
              {"signal", json::parse(signal_json)}};
    if (s.ended_us != 0) {
      item["endedAt"] = Time(s.ended_us);
      item["endedBy"] = s.ended_by;
    }
    if (!s.record.cap_message_id.empty()) {
      item["capMessageId"] = s.record.cap_message_id;
      item["cap"] = "/cap/alerts/" + s.record.id + ".xml";
    }
    items.push_back(std::move(item));
  }
  json body{{"signals", std::move(items)}};
  if (static_cast<int>(rows->size()) > wanted) {
    body["nextCursor"] = Cursor((*rows)[static_cast<std::size_t>(wanted - 1)]);
  }
  respond(JsonResponse(bhttp::status::ok, body.dump()));
}

}  // namespace

void AddSignalRoutes(Router& router, SignalRouteContext ctx) {
  router.Add(bhttp::verb::get, "/v1/signals", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, {"read", "analyst", "admin"}, respond);
    if (!caller) {
      return;
    }
    auto query = QueryOf(*request);
    if (!query.ok()) {
      respond(ErrorResponse(query.status()));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller, [ctx, q = *query, respond] { Serve(ctx, q, respond); }, respond);
  });
}

}  // namespace vik::http
