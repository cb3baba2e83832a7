#include "http/change_routes.h"

#include <charconv>

#include "exchange/change_mapping.h"
#include "http/query.h"
#include "http/route_helpers.h"

namespace vik::http {

void AddChangeRoutes(Router& router, ChangeRouteContext ctx) {
  const std::set<std::string> readers = {"read", "analyst", "admin"};
  router.Add(bhttp::verb::get, "/v1/changes", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
    if (!Authorize(*ctx.auth, *request, readers, respond)) {
      return;
    }
    auto params = ParseQuery(request->query, {"after", "limit"});
    if (!params.ok()) {
      respond(ErrorResponse(params.status()));
      return;
    }
    auto after = exchange::ParseCursor(Param(*params, "after"), "after");
    if (!after.ok()) {
      respond(ErrorResponse(after.status()));
      return;
    }
    int limit = 100;
    if (const auto v = Param(*params, "limit"); !v.empty()) {
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
      if (ec != std::errc() || end != v.data() + v.size() || limit < 1 || limit > 1000) {
        respond(ErrorResponse(core::InvalidArgument("limit: expected a number from 1 to 1000")));
        return;
      }
    }
    SubmitOrRefuse(*ctx.blocking, [ctx, after = *after, limit, respond] {
      auto page = ctx.store->ReadChanges(after, limit, ctx.status.region);
      if (!page.ok()) {
        respond(StoreErrorResponse(page.status()));
        return;
      }
      vik::v1::ListChangesResponse proto;
      exchange::ToProtoPage(*page, &proto);
      respond(ProtoJsonResponse(proto));
    }, respond);
  });

  router.Add(bhttp::verb::get, "/v1/snapshot", [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
    if (!Authorize(*ctx.auth, *request, readers, respond)) {
      return;
    }
    auto params = ParseQuery(request->query, {"picture"});
    if (!params.ok()) {
      respond(ErrorResponse(params.status()));
      return;
    }
    const std::string picture = Param(*params, "picture").empty() ? "actual" : Param(*params, "picture");
    if (picture != "actual" && picture != "exercise") {
      respond(ErrorResponse(core::InvalidArgument("picture: expected actual or exercise (never mixed)")));
      return;
    }
    SubmitOrRefuse(*ctx.blocking, [ctx, picture, respond] {
      auto snapshot = ctx.store->ReadSnapshot(ctx.status.region, picture, ctx.status.lease, ctx.status.live_window);
      if (!snapshot.ok()) {
        respond(StoreErrorResponse(snapshot.status()));
        return;
      }
      vik::v1::Snapshot proto;
      exchange::ToProtoSnapshot(*snapshot, ctx.status, &proto);
      respond(ProtoJsonResponse(proto));
    }, respond);
  });
}

}  // namespace vik::http
