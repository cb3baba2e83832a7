#include "http/health_routes.h"

#include <nlohmann/json.hpp>
#include <prometheus/text_serializer.h>

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

}  // namespace

void AddHealthRoutes(Router& router, const core::ReadinessState& readiness, MetricsCollector collect) {
  router.Add(bhttp::verb::get, "/healthz", [](std::shared_ptr<const Request>, Responder respond) {
    respond(JsonResponse(bhttp::status::ok, R"({"status":"alive"})"));
  });

  router.Add(bhttp::verb::get, "/readyz", [&readiness](std::shared_ptr<const Request>, Responder respond) {
    const core::ReadinessSnapshot s = readiness.Get();
    nlohmann::json body;
    body["status"] = s.ready ? "ready" : "not_ready";
    if (!s.ready) {
      body["reason"] = core::ReadinessState::Reason(s);
    }
    body["checks"]["database"] = s.database_ok ? "ok" : (s.checked ? s.database_detail : "not checked yet");
    body["checks"]["schema"] =
        s.schema_ok ? "ok (version " + std::to_string(s.schema_version) + ")" : (s.checked ? s.schema_detail : "not checked yet");
    body["checks"]["draining"] = s.draining;
    if (s.checked) {
      body["checked_at"] = FormatTime(s.checked_at);
    }
    Response res = JsonResponse(s.ready ? bhttp::status::ok : bhttp::status::service_unavailable, body.dump());
    if (!s.ready) {
      SetRetryAfter(res, std::chrono::seconds(1));
    }
    respond(std::move(res));
  });

  router.Add(bhttp::verb::get, "/metrics", [collect](std::shared_ptr<const Request>, Responder respond) {
    prometheus::TextSerializer serializer;
    respond(MakeResponse(bhttp::status::ok, serializer.Serialize(collect()),
                         "text/plain; version=0.0.4; charset=utf-8"));
  });
}

}  // namespace vik::http
