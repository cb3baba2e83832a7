#include "http/cluster_routes.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "http/ingest_routes.h"
#include "http/route_helpers.h"

namespace vik::http {

void AddClusterRoutes(Router& router, ClusterRouteContext ctx) {
  router.Add(bhttp::verb::get, "/v1/cluster", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = AuthenticateHttp(*ctx.auth, *request);
    if (!caller.ok()) {
      respond(AuthErrorResponse(caller.status()));
      return;
    }
    if (!caller->HasScope("read") && !caller->HasScope("admin")) {
      respond(ErrorResponse(core::PermissionDenied("token " + caller->token_id + " lacks the \"read\" scope")));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, respond] {
          auto lease = ctx.store->ReadLease(ctx.lease->options().name);
          auto instances = ctx.store->ListInstances(ctx.live_window);
          if (!lease.ok() || !instances.ok()) {
            respond(ErrorResponse(core::Unavailable("the database is unavailable; retry later")));
            return;
          }
          nlohmann::json body;
          body["node_id"] = ctx.node_id;
          body["region"] = ctx.region;
          body["this_node_is_leader"] = ctx.lease->IsLeader();
          nlohmann::json leader = {
              {"lease", ctx.lease->options().name}, {"epoch", lease->epoch}, {"valid", lease->valid}};
          leader["holder"] = lease->holder ? nlohmann::json(*lease->holder) : nlohmann::json(nullptr);
          if (lease->epoch > 0) {
            leader["expires_at"] = core::FormatRfc3339(lease->expires_at);
          }
          body["leader"] = leader;
          body["instances"] = nlohmann::json::array();
          for (const auto& i : *instances) {
            body["instances"].push_back({{"node_id", i.node_id},
                                         {"region", i.region},
                                         {"version", i.version},
                                         {"http_address", i.http_address},
                                         {"grpc_address", i.grpc_address},
                                         {"started_at", core::FormatRfc3339(i.started_at)},
                                         {"last_seen_at", core::FormatRfc3339(i.last_seen_at)},
                                         {"live", i.live},
                                         {"leader", lease->valid && lease->holder && *lease->holder == i.node_id}});
          }
          respond(JsonResponse(bhttp::status::ok, body.dump()));
        },
        respond);
  });
}

}  // namespace vik::http
