#include "http/route_helpers.h"

#include <charconv>

#include <google/protobuf/util/json_util.h>

#include "http/ingest_routes.h"

namespace vik::http {

std::optional<auth::Caller> Authorize(const auth::Authenticator& auth, const Request& request,
                                      const std::set<std::string>& scopes, const Responder& respond) {
  auto caller = AuthenticateHttp(auth, request);
  if (!caller.ok()) {
    respond(AuthErrorResponse(caller.status()));
    return std::nullopt;
  }
  for (const auto& s : scopes) {
    if (caller->HasScope(s)) {
      return std::move(caller).value();
    }
  }
  std::string names;
  for (const auto& s : scopes) {
    names += (names.empty() ? "\"" : " or \"") + s + "\"";
  }
  respond(ErrorResponse(core::PermissionDenied("token " + caller->token_id + " lacks the " + names + " scope")));
  return std::nullopt;
}

Response PoolRefusalResponse(core::PoolRefusal reason, const core::BlockingPool& pool, const auth::Caller& caller) {
  Response res = ErrorResponse(pool.RefusalStatus(reason, caller.partner));
  SetRetryAfter(res, std::chrono::seconds(1));
  return res;
}

void SubmitOrRefuse(core::BlockingPool& pool, const auth::Caller& caller, std::function<void()> task,
                    const Responder& respond) {
  // Shed (refused the same way) when it waited in the queue longer than the pool's bound.
  auto shed = [respond, &pool, caller] { respond(PoolRefusalResponse(core::PoolRefusal::kShed, pool, caller)); };
  if (const auto refused = pool.Offer(std::move(task), std::move(shed), caller.partner)) {
    respond(PoolRefusalResponse(*refused, pool, caller));
  }
}

Response StoreErrorResponse(const core::Status& status) {
  Response res = ErrorResponse(status, true);
  if (status.code() == core::StatusCode::kUnavailable) {
    SetRetryAfter(res, std::chrono::seconds(1));
  }
  return res;
}

Response ProtoJsonResponse(const google::protobuf::Message& m) {
  std::string body;
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(m, &body, print).ok()) {
    return ErrorResponse(core::Internal("cannot render the response as JSON"));
  }
  return JsonResponse(bhttp::status::ok, std::move(body));
}

}  // namespace vik::http
