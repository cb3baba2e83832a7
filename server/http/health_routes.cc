#include "http/health_routes.h"

#include <prometheus/text_serializer.h>
#include <nlohmann/json.hpp>

namespace vik::http {
namespace {

std::string FormatTime(core::WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The reason a partner-facing /readyz gives: no driver text (host, port, error messages).
std::string GenericReason(const core::ReadinessSnapshot& s) {
  if (s.draining) {
    return "shutting down";
  }
  if (!s.checked) {
    return "starting: the database has not been checked yet";
  }
  if (!s.database_ok) {
    return "database check failed";
  }
  if (!s.schema_ok) {
    return "database schema is not usable";
  }
  return "";
}

}  // namespace

void AddProbeRoutes(Router& router, const core::ReadinessState& readiness, bool detailed) {
  router.Add(bhttp::verb::get, "/healthz", [](std::shared_ptr<const Request>, Responder respond) {
    respond(JsonResponse(bhttp::status::ok, R"({"status":"alive"})"));
  });

  router.Add(bhttp::verb::get, "/readyz", [&readiness, detailed](std::shared_ptr<const Request>, Responder respond) {
    const core::ReadinessSnapshot s = readiness.Get();
    nlohmann::json body;
    body["status"] = s.ready ? "ready" : "not_ready";
    if (!s.ready) {
      body["reason"] = detailed ? core::ReadinessState::Reason(s) : GenericReason(s);
    }
    std::string database = "not checked yet";
    std::string schema = "not checked yet";
    if (s.checked) {
      database = s.database_ok ? "ok" : (detailed ? s.database_detail : "failed");
      schema = s.schema_ok ? "ok (version " + std::to_string(s.schema_version) + ")"
                           : (detailed ? s.schema_detail : "not usable");
    }
    body["checks"]["database"] = database;
    body["checks"]["schema"] = schema;
    body["checks"]["draining"] = s.draining;
    if (s.checked) {
      body["checked_at"] = FormatTime(s.checked_at);
    }
    Response res = JsonResponse(s.ready ? bhttp::status::ok : bhttp::status::service_unavailable,
                                body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!s.ready) {
      SetRetryAfter(res, std::chrono::seconds(1));
    }
    respond(std::move(res));
  });
}

void AddMetricsRoute(Router& router, MetricsCollector collect) {
  router.Add(bhttp::verb::get, "/metrics", [collect](std::shared_ptr<const Request>, Responder respond) {
    prometheus::TextSerializer serializer;
    respond(
        MakeResponse(bhttp::status::ok, serializer.Serialize(collect()), "text/plain; version=0.0.4; charset=utf-8"));
  });
}

}  // namespace vik::http
