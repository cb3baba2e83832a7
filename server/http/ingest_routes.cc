#include "http/ingest_routes.h"

#include <cctype>

#include <google/protobuf/util/json_util.h>

#include "http/http_status.h"
#include "http/json_body.h"
#include "vik/v1/ingest.pb.h"
#include "wire/ingest_mapping.h"

namespace vik::http {

core::Result<auth::Caller> AuthenticateHttp(const auth::Authenticator& auth, const Request& request) {
  const auto header = request.msg[bhttp::field::authorization];
  return auth.Authenticate(std::string_view(header.data(), header.size()), request.remote_address);
}

Response AuthErrorResponse(const core::Status& status) {
  Response res = ErrorResponse(status);
  if (status.code() == core::StatusCode::kUnauthenticated) {
    res.set(bhttp::field::www_authenticate, "Bearer realm=\"vik\"");
  }
  return res;
}

namespace {

// True for "application/json" with optional parameters ("; charset=utf-8"), in any letter case.
bool IsJson(const Request& request) {
  const auto ct = request.msg[bhttp::field::content_type];
  const std::string_view v(ct.data(), ct.size());
  constexpr std::string_view kJson = "application/json";
  if (v.size() < kJson.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kJson[i]) {
      return false;
    }
  }
  return v.size() == kJson.size() || v[kJson.size()] == ';' || v[kJson.size()] == ' ';
}

}  // namespace

void AddIngestRoutes(Router& router, ingest::Pipeline& pipeline, const auth::Authenticator& auth) {
  router.Add(
      bhttp::verb::post, "/v1/signals", [&pipeline, &auth](std::shared_ptr<const Request> request, Responder respond) {
        auto caller = AuthenticateHttp(auth, *request);
        if (!caller.ok()) {
          respond(AuthErrorResponse(caller.status()));
          return;
        }
        if (!IsJson(*request)) {
          respond(ErrorResponse(bhttp::status::unsupported_media_type, core::StatusCode::kInvalidArgument,
                                "the body must be JSON (Content-Type: application/json)"));
          return;
        }
        if (core::Status depth = CheckJsonDepth(request->msg.body()); !depth.ok()) {
          respond(ErrorResponse(depth));
          return;
        }
        vik::v1::SubmitRequest submit;
        google::protobuf::util::JsonParseOptions options;
        options.ignore_unknown_fields = false;
        auto parsed = google::protobuf::util::JsonStringToMessage(request->msg.body(), &submit, options);
        if (!parsed.ok()) {
          respond(ErrorResponse(bhttp::status::bad_request, core::StatusCode::kInvalidArgument,
                                "malformed request body: " + std::string(parsed.message())));
          return;
        }
        std::vector<ingest::IncomingSignal> signals;
        signals.reserve(static_cast<std::size_t>(submit.signals_size()));
        for (const auto& s : submit.signals()) {
          signals.push_back(wire::ToIncoming(s));
        }
        pipeline.Submit(*caller, std::move(signals), "ingest.http", true, [respond](ingest::SubmitResult result) {
          if (!result.status.ok()) {
            Response res = ErrorResponse(result.status);
            if (result.retry_after.count() > 0) {
              SetRetryAfter(res, result.retry_after);
            }
            respond(std::move(res));
            return;
          }
          vik::v1::SubmitResponse response;
          for (const auto& r : result.receipts) {
            wire::ToProtoReceipt(r, response.add_receipts());
          }
          std::string json;
          google::protobuf::util::JsonPrintOptions print;
          print.always_print_primitive_fields = true;
          (void)google::protobuf::util::MessageToJsonString(response, &json, print);
          respond(JsonResponse(bhttp::status::ok, std::move(json)));
        });
      });
}

}  // namespace vik::http
