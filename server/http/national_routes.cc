#include "http/national_routes.h"

#include "http/query.h"
#include "http/route_helpers.h"

namespace vik::http {

void AddNationalRoutes(Router& router, NationalRouteContext context) {
  auto ctx = std::make_shared<const NationalRouteContext>(std::move(context));
  const std::set<std::string> readers = {"read", "analyst", "admin"};

  router.Add(bhttp::verb::get, "/v1/national/status",
             [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
               const auto caller = Authorize(*ctx->auth, *request, readers, respond);
               if (!caller) {
                 return;
               }
               auto params = ParseQuery(request->query, {"top", "minLevel"});
               if (!params.ok()) {
                 respond(ErrorResponse(params.status()));
                 return;
               }
               auto top = IntParam(*params, "top", 5, 1, 50);
               auto min_level = IntParam(*params, "minLevel", 2, 1, 4);
               if (!top.ok() || !min_level.ok()) {
                 respond(ErrorResponse(!top.ok() ? top.status() : min_level.status()));
                 return;
               }
               SubmitOrRefuse(
                   *ctx->blocking, *caller,
                   [ctx, top = *top, min_level = *min_level, respond] {
                     auto status = usecases::ReadNationalStatus(*ctx->store, ctx->source, top, min_level);
                     if (!status.ok()) {
                       respond(StoreErrorResponse(status.status()));
                       return;
                     }
                     respond(ProtoJsonResponse(*status));
                   },
                   respond);
             });

  router.Add(bhttp::verb::get, "/v1/national/signals",
             [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
               const auto caller = Authorize(*ctx->auth, *request, readers, respond);
               if (!caller) {
                 return;
               }
               auto params = ParseQuery(request->query, {"region", "limit"});
               if (!params.ok()) {
                 respond(ErrorResponse(params.status()));
                 return;
               }
               auto limit = IntParam(*params, "limit", 100, 1, 1000);
               if (!limit.ok()) {
                 respond(ErrorResponse(limit.status()));
                 return;
               }
               SubmitOrRefuse(
                   *ctx->blocking, *caller,
                   [ctx, region = Param(*params, "region"), limit = *limit, respond] {
                     auto signals = usecases::ReadMirroredSignals(*ctx->store, ctx->source, region, limit);
                     if (!signals.ok()) {
                       respond(StoreErrorResponse(signals.status()));
                       return;
                     }
                     respond(ProtoJsonResponse(*signals));
                   },
                   respond);
             });
}

}  // namespace vik::http
