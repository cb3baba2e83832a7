#include "http/route_helpers.h"

#include "http/ingest_routes.h"

namespace vik::http {

std::optional<ingest::Caller> Authorize(const ingest::Authenticator& auth, const Request& request,
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

void SubmitOrRefuse(core::BlockingPool& pool, std::function<void()> task, const Responder& respond) {
  if (!pool.TrySubmit(std::move(task))) {
    Response res = ErrorResponse(core::ResourceExhausted("the server is busy; retry shortly"));
    SetRetryAfter(res, std::chrono::seconds(1));
    respond(std::move(res));
  }
}

Response StoreErrorResponse(const core::Status& status) {
  Response res = ErrorResponse(status);
  if (status.code() == core::StatusCode::kUnavailable) {
    SetRetryAfter(res, std::chrono::seconds(1));
  }
  return res;
}

}  // namespace vik::http
