#include "exchange/exchange_service.h"

#include "exchange/grpc_status.h"
#include "exchange/ingest_service.h"

namespace vik::exchange {

ExchangeService::ExchangeService(store::Store& store, ingest::Authenticator& auth, core::BlockingPool& blocking,
                                 StatusContext ctx)
    : store_(store), auth_(auth), blocking_(blocking), ctx_(std::move(ctx)) {}

grpc::ServerUnaryReactor* ExchangeService::GetRegionalStatus(grpc::CallbackServerContext* context,
                                                             const vik::v1::GetRegionalStatusRequest* request,
                                                             vik::v1::RegionalStatus* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    if (caller.status().code() == core::StatusCode::kUnavailable) {
      context->AddTrailingMetadata("retry-after", "1");
    }
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  if (!caller->HasScope("read") && !caller->HasScope("analyst") && !caller->HasScope("admin")) {
    reactor->Finish(ToGrpcStatus(
        core::PermissionDenied("token " + caller->token_id + " lacks the \"read\", \"analyst\" or \"admin\" scope")));
    return reactor;
  }
  if (request->limit() < 0 || request->limit() > 500) {
    reactor->Finish(ToGrpcStatus(core::InvalidArgument("limit: expected 0 (default 50) to 500")));
    return reactor;
  }
  const int limit = request->limit() == 0 ? 50 : request->limit();
  const std::string picture = request->exercise() ? "exercise" : "actual";
  const bool queued = blocking_.TrySubmit([this, reactor, response, limit, picture] {
    auto status = store_.ReadRegionalStatus(ctx_.region, picture, limit, ctx_.lease, ctx_.live_window);
    if (!status.ok()) {
      reactor->Finish(ToGrpcStatus(status.status()));
      return;
    }
    ToProtoStatus(*status, ctx_, response);
    reactor->Finish(grpc::Status::OK);
  });
  if (!queued) {
    context->AddTrailingMetadata("retry-after", "1");
    reactor->Finish(ToGrpcStatus(core::ResourceExhausted("the server is busy; retry shortly")));
  }
  return reactor;
}

}  // namespace vik::exchange
