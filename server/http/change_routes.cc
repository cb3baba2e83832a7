#include "http/change_routes.h"

#include "http/filter_query.h"
#include "http/query.h"
#include "http/route_helpers.h"
#include "wire/change_filters.h"
#include "wire/change_mapping.h"

namespace vik::http {

void AddChangeRoutes(Router& router, ChangeRouteContext ctx) {
  const std::set<std::string> readers = {"read", "analyst", "admin"};
  router.Add(bhttp::verb::get, "/v1/changes",
             [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
               const auto caller = Authorize(*ctx.auth, *request, readers, respond);
               if (!caller) {
                 return;
               }
               auto query = ParseFeedQuery(request->query, {"after", "limit"});
               if (!query.ok()) {
                 respond(ErrorResponse(query.status()));
                 return;
               }
               auto after = wire::ParseCursor(Param(query->params, "after"), "after");
               if (!after.ok()) {
                 respond(ErrorResponse(after.status()));
                 return;
               }
               auto limit = LimitParam(query->params, 100, 1000);
               if (!limit.ok()) {
                 respond(ErrorResponse(limit.status()));
                 return;
               }
               SubmitOrRefuse(
                   *ctx.blocking, *caller,
                   [ctx, after = *after, limit = *limit, filter = query->filter, respond] {
                     auto page = ctx.store->ReadChanges(after, limit, ctx.status.region);
                     if (!page.ok()) {
                       respond(StoreErrorResponse(page.status()));
                       return;
                     }
                     vik::v1::ListChangesResponse proto;
                     const auto built =
                         wire::ToProtoPageBounded(*page, filter, wire::PageBytesFor(ctx.max_message_bytes), &proto);
                     respond(built.ok() ? ProtoJsonResponse(proto) : ErrorResponse(built.status()));
                   },
                   respond);
             });

  router.Add(bhttp::verb::get, "/v1/snapshot",
             [ctx, readers](std::shared_ptr<const Request> request, Responder respond) {
               const auto caller = Authorize(*ctx.auth, *request, readers, respond);
               if (!caller) {
                 return;
               }
               auto params = ParseQuery(request->query, {"picture"});
               if (!params.ok()) {
                 respond(ErrorResponse(params.status()));
                 return;
               }
               const auto which = PictureParam(*params);
               if (!which.ok()) {
                 respond(ErrorResponse(which.status()));
                 return;
               }
               const std::string picture(domain::PictureName(*which));
               SubmitOrRefuse(
                   *ctx.blocking, *caller,
                   [ctx, picture, respond] {
                     auto snapshot =
                         ctx.store->ReadSnapshot(ctx.status.region, picture, ctx.status.lease, ctx.status.live_window);
                     if (!snapshot.ok()) {
                       respond(StoreErrorResponse(snapshot.status()));
                       return;
                     }
                     vik::v1::Snapshot proto;
                     wire::ToProtoSnapshot(*snapshot, ctx.status, &proto);
                     const core::Status fits = wire::CheckSnapshotSize(proto, picture, ctx.max_message_bytes);
                     respond(fits.ok() ? ProtoJsonResponse(proto) : ErrorResponse(fits));
                   },
                   respond);
             });
}

}  // namespace vik::http
