#include "http/cap_routes.h"

#include <algorithm>
#include <cctype>

#include <google/protobuf/util/json_util.h>

#include "cap/writer.h"
#include "core/time_format.h"
#include "http/http_status.h"
#include "http/ingest_routes.h"
#include "http/route_helpers.h"
#include "vik/v1/ingest.pb.h"
#include "wire/ingest_mapping.h"
#include "wire/signal_mapping.h"

namespace vik::http {
namespace {

constexpr std::string_view kCapContentType = "application/cap+xml; charset=utf-8";
constexpr std::string_view kAtomContentType = "application/atom+xml; charset=utf-8";

std::string LowerMediaType(const Request& request) {
  const auto ct = request.msg[bhttp::field::content_type];
  std::string v(ct.data(), ct.size());
  v = v.substr(0, v.find(';'));
  v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v;
}

bool IsXml(const Request& request) {
  const std::string type = LowerMediaType(request);
  return type == "application/cap+xml" || type == "application/xml" || type == "text/xml";
}

// Authenticates and checks that the token has `scope` (admin implies every scope).
std::optional<auth::Caller> Authorize(const auth::Authenticator& auth, const Request& request, const std::string& scope,
                                      const Responder& respond) {
  auto caller = AuthenticateHttp(auth, request);
  if (!caller.ok()) {
    respond(AuthErrorResponse(caller.status()));
    return std::nullopt;
  }
  if (!caller->HasScope(scope) && !caller->HasScope("admin")) {
    respond(ErrorResponse(core::PermissionDenied("token " + caller->token_id + " lacks the \"" + scope + "\" scope")));
    return std::nullopt;
  }
  return std::move(caller).value();
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, print);
  return json;
}

Response CapErrorResponse(const ingest::CapSubmitResult& result) {
  vik::v1::Error error;
  wire::ToProtoError(result.status, result.violations, &error);
  // A limit of the document itself (size, depth, element counts): retrying cannot help, so 413
  // rather than 429.
  Response res =
      JsonResponse(result.document_too_large ? bhttp::status::payload_too_large : HttpStatusFor(result.status.code()),
                   ToJson(error));
  if (result.retry_after.count() > 0) {
    SetRetryAfter(res, result.retry_after);
  }
  return res;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

Response StoreError(const core::Status& status) {
  Response res = ErrorResponse(status);
  if (status.code() == core::StatusCode::kUnavailable) {
    SetRetryAfter(res, std::chrono::seconds(1));
  }
  return res;
}

// The `status` query parameter of the index: actual (default), exercise, test, system or draft.
std::optional<std::string> StatusParameter(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    return std::string("actual");
  }
  std::string_view query = target.substr(q + 1);
  constexpr std::string_view kKey = "status=";
  std::string status = "actual";
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    if (pair.substr(0, kKey.size()) == kKey) {
      status = std::string(pair.substr(kKey.size()));
    }
    query = pair.size() < query.size() ? query.substr(pair.size() + 1) : std::string_view();
  }
  for (const char* known : {"actual", "exercise", "test", "system", "draft"}) {
    if (status == known) {
      return status;
    }
  }
  return std::nullopt;
}

void ServeIndex(const CapRouteContext& ctx, const std::string& status, const Responder& respond) {
  auto rows = ctx.store->ListCurrentAlerts(status, ctx.index_limit);
  if (!rows.ok()) {
    respond(StoreError(rows.status()));
    return;
  }
  cap::AtomFeed feed;
  const bool actual = status == "actual";
  feed.id = "urn:vik:" + ctx.region + ":cap:alerts" + (actual ? "" : ":" + status);
  feed.title = "vik " + ctx.region + ": current alerts" + (actual ? "" : " (" + status + ")");
  feed.self_link = "/cap/alerts.atom" + (actual ? "" : "?status=" + status);
  feed.updated = core::WallTime{};
  for (const auto& row : *rows) {
    cap::AtomEntry e;
    e.id = "urn:uuid:" + row.signal_id;
    e.title = row.headline;
    e.author = row.source;
    e.link = "/cap/alerts/" + row.signal_id + ".xml";
    e.updated = row.received_at;
    e.published = row.sent_at;
    e.expires = row.expires_at;
    e.categories = row.categories;
    e.summary = "severity " + row.severity +
                (row.expires_at ? ", expires " + core::FormatRfc3339(*row.expires_at).substr(0, 19) + "Z" : "");
    feed.updated = std::max(feed.updated, row.received_at);
    feed.entries.push_back(std::move(e));
  }
  if (feed.entries.empty()) {
    feed.updated = std::chrono::system_clock::now();
  }
  respond(MakeResponse(bhttp::status::ok, cap::WriteAtom(feed), kAtomContentType));
}

void ServeAlert(const CapRouteContext& ctx, const std::string& id, const Responder& respond) {
  auto signal = ctx.store->ReadSignal(id);
  if (!signal.ok()) {
    respond(StoreError(signal.status()));
    return;
  }
  if (!signal->cap_message_id.empty()) {
    auto message = ctx.store->ReadCapMessage(signal->cap_message_id);
    if (!message.ok()) {
      respond(StoreError(message.status()));
      return;
    }
    respond(MakeResponse(bhttp::status::ok, std::move(message->raw), kCapContentType));
    return;
  }
  vik::v1::Signal proto;
  if (!proto.ParseFromString(signal->payload)) {
    respond(ErrorResponse(core::Internal("signal " + id + " has an unreadable stored payload")));
    return;
  }
  auto mapped = wire::FromProto(proto);
  respond(MakeResponse(bhttp::status::ok, cap::WriteAlert(mapped.signal), kCapContentType));
}

}  // namespace

void AddCapRoutes(Router& router, CapRouteContext ctx) {
  router.Add(bhttp::verb::post, "/v1/cap", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, "ingest", respond);
    if (!caller) {
      return;
    }
    if (!IsXml(*request)) {
      respond(ErrorResponse(bhttp::status::unsupported_media_type, core::StatusCode::kInvalidArgument,
                            "the body must be a CAP document (Content-Type: application/cap+xml or application/xml)"));
      return;
    }
    ctx.cap->Submit(*caller, request->msg.body(), "http", [respond](ingest::CapSubmitResult result) {
      if (!result.status.ok()) {
        respond(CapErrorResponse(result));
        return;
      }
      vik::v1::SubmitCapResponse response;
      wire::ToProtoCapResponse(result, &response);
      respond(JsonResponse(bhttp::status::ok, ToJson(response)));
    });
  });

  router.Add(bhttp::verb::get, "/cap/alerts.atom", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, "read", respond);
    if (!caller) {
      return;
    }
    const std::string_view target(request->msg.target().data(), request->msg.target().size());
    auto status = StatusParameter(target);
    if (!status) {
      respond(ErrorResponse(core::InvalidArgument(
          "status: expected one of actual, exercise, test, system, draft (the CAP status of the alerts listed)")));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller, [ctx, status = *status, respond] { ServeIndex(ctx, status, respond); }, respond);
  });

  router.Add(bhttp::verb::get, "/cap/alerts/*", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    const auto caller = Authorize(*ctx.auth, *request, "read", respond);
    if (!caller) {
      return;
    }
    const std::string_view target(request->msg.target().data(), request->msg.target().size());
    std::string_view name = target.substr(std::string_view("/cap/alerts/").size());
    name = name.substr(0, name.find('?'));
    constexpr std::string_view kSuffix = ".xml";
    if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix ||
        !IsUuid(name.substr(0, name.size() - kSuffix.size()))) {
      respond(ErrorResponse(core::NotFound("no such alert: expected /cap/alerts/{signal id}.xml")));
      return;
    }
    std::string id(name.substr(0, name.size() - kSuffix.size()));
    SubmitOrRefuse(
        *ctx.blocking, *caller, [ctx, id, respond] { ServeAlert(ctx, id, respond); }, respond);
  });
}

}  // namespace vik::http
