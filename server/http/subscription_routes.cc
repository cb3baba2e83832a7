#include "http/subscription_routes.h"

#include <cctype>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "core/utf8.h"
#include "domain/signal_validation.h"
#include "http/json_body.h"
#include "http/query.h"
#include "http/route_helpers.h"
#include "net/http_client.h"
#include "net/public_address.h"
#include "net/resolver.h"
#include "subscriptions/webhook_signature.h"
#include "wire/change_filters.h"

namespace vik::http {
namespace {

using nlohmann::json;

const std::set<std::string>& Scopes() {
  static const std::set<std::string> scopes = {"read", "analyst", "admin"};
  return scopes;
}

std::string Time(std::int64_t us) { return core::FormatRfc3339(core::WallTime{std::chrono::microseconds(us)}); }

json OrNull(std::int64_t us) { return us == 0 ? json(nullptr) : json(Time(us)); }

json SubscriptionJson(const store::SubscriptionRecord& s) {
  return {{"id", s.id},
          {"partner", s.partner},
          {"name", s.name},
          {"url", s.url},
          {"filter", json::parse(s.filter_json, nullptr, false)},
          {"createdBy", s.created_by},
          {"createdAt", Time(s.created_us)},
          {"lastDeliveredAt", OrNull(s.last_delivered_us)},
          {"lastError", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
          {"lastErrorAt", OrNull(s.last_error_us)},
          {"deliveries", {{"pending", s.pending}, {"delivered", s.delivered}, {"dead", s.dead}}}};
}

json DeliveryJson(const store::DeliveryRecord& d) {
  return {{"id", d.id},
          {"subscription", d.subscription},
          {"cursor", std::to_string(d.cursor.xid) + "." + std::to_string(d.cursor.seq)},
          {"kind", d.kind},
          {"object", d.object},
          {"state", d.state},
          {"attempts", d.attempts},
          {"nextAttemptAt", d.state == "pending" ? json(Time(d.next_attempt_us)) : json(nullptr)},
          {"lastError", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
          {"createdAt", Time(d.created_us)},
          {"finishedAt", OrNull(d.finished_us)}};
}

bool IsUuid(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

// A name vik stores and prints again (vikd subscription list): valid UTF-8 without NUL or any
// control character (tab and newlines included).
core::Status CheckName(const char* field, const std::string& value) {
  if (!core::IsValidUtf8(value)) {
    return core::InvalidArgument(std::string(field) + ": is not valid UTF-8");
  }
  if (const auto at = domain::FindControlCharacter(value, /*allow_whitespace=*/false); at != std::string::npos) {
    return core::InvalidArgument(std::string(field) + ": contains a control character at byte " + std::to_string(at) +
                                 " (names are printable text)");
  }
  return core::Status::Ok();
}

// Unless private destinations are allowed: the webhook URL's host resolved (at most 2 s) and every
// address public (a name that does not resolve cannot be shown public and is refused): the same check as at each
// delivery (ingest/public_address.h), so that a subscription that could never be delivered is refused when it is made.
// INVALID_ARGUMENT naming "url"; UNAVAILABLE when the lookup timed out (try again).
core::Status CheckDestination(const std::string& raw, bool allow_private) {
  auto url = net::ParseUrl(raw);
  if (!url.ok()) {
    return core::InvalidArgument("url: " + url.status().message());
  }
  if (allow_private) {
    return core::Status::Ok();  // any address will do: nothing to look up (a name may resolve later)
  }
  auto addresses = net::ResolveHost(url->host, url->port, std::chrono::steady_clock::now() + std::chrono::seconds(2));
  if (!addresses.ok()) {
    if (addresses.status().code() == core::StatusCode::kDeadlineExceeded) {
      return core::Unavailable("url: " + addresses.status().message() + "; try again");
    }
    return core::InvalidArgument("url: " + addresses.status().message());
  }
  for (const auto& ip : *addresses) {
    if (const std::string why = net::NonPublicReason(ip); !why.empty()) {
      return core::InvalidArgument("url: \"" + url->host + "\" resolves to " + ip +
                                   ", which is not a public address: " + why +
                                   " (webhooks go to public addresses only; subscriptions.allow_private_destinations)");
    }
  }
  return core::Status::Ok();
}

// POST body, checked: the subscription to create (without secret and creator), INVALID_ARGUMENT
// naming the field.
core::Result<store::SubscriptionCreate> ParseCreate(const std::string& body, const auth::Caller& caller) {
  auto parsed = ParseJsonObject(body);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const json& j = *parsed;
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "url" && key != "filter" && key != "picture" && key != "partner") {
      return core::InvalidArgument(key + ": unknown field (expected name, url, filter, picture, partner)");
    }
  }
  store::SubscriptionCreate out;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty() ||
      j["name"].get<std::string>().size() > 100) {
    return core::InvalidArgument("name: required, 1 to 100 bytes");
  }
  out.name = j["name"].get<std::string>();
  if (core::Status s = CheckName("name", out.name); !s.ok()) {
    return s;
  }
  if (!j.contains("url") || !j["url"].is_string() || j["url"].get<std::string>().size() > 2000) {
    return core::InvalidArgument("url: required, an http:// or https:// URL of at most 2000 bytes");
  }
  out.url = j["url"].get<std::string>();
  if (const auto at = domain::FindControlCharacter(out.url, /*allow_whitespace=*/false); at != std::string::npos) {
    return core::InvalidArgument("url: contains a control character at byte " + std::to_string(at));
  }
  if (auto url = net::ParseUrl(out.url); !url.ok()) {
    return core::InvalidArgument("url: " + url.status().message());
  }
  vik::v1::ChangeFilter proto;
  if (j.contains("filter")) {
    if (!j["filter"].is_object() || !google::protobuf::util::JsonStringToMessage(j["filter"].dump(), &proto).ok()) {
      return core::InvalidArgument("filter: expected an object with themes, municipalities, minLevel, kinds, picture");
    }
  }
  if (j.contains("picture")) {
    if (!j["picture"].is_string() || (!proto.picture().empty() && proto.picture() != j["picture"])) {
      return core::InvalidArgument("picture: expected actual or exercise (and the same as filter.picture)");
    }
    proto.set_picture(j["picture"].get<std::string>());
  }
  if (proto.picture().empty()) {
    proto.set_picture("actual");  // never mixed unless asked for per subscription
  }
  auto filter = wire::FilterFromProto(proto);
  if (!filter.ok()) {
    return filter.status();
  }
  vik::v1::ChangeFilter canonical;
  wire::FilterToProto(*filter, &canonical);
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(canonical, &out.filter_json, print).ok()) {
    return core::Internal("cannot render the filter");
  }
  out.partner = caller.partner;
  if (j.contains("partner")) {
    if (!j["partner"].is_string() || j["partner"].get<std::string>().empty()) {
      return core::InvalidArgument("partner: expected a partner name");
    }
    if (core::Status s = CheckName("partner", j["partner"].get<std::string>()); !s.ok()) {
      return s;
    }
    if (j["partner"] != caller.partner && !caller.HasScope("admin")) {
      return core::PermissionDenied("partner: only an admin token may subscribe for another partner");
    }
    out.partner = j["partner"].get<std::string>();
  }
  return out;
}

// "/v1/subscriptions/{id}[/deliveries[/{delivery}/retry]]" split after the prefix.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string rest = path.substr(std::string("/v1/subscriptions/").size());
  std::string::size_type start = 0;
  for (;;) {
    const auto slash = rest.find('/', start);
    out.push_back(rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) {
      return out;
    }
    start = slash + 1;
  }
}

Response NoSuch(const std::string& path) { return ErrorResponse(core::NotFound("no resource at \"" + path + "\"")); }

// Reads the subscription and checks the caller may see it (404 otherwise), then runs `then`.
void WithSubscription(const SubscriptionRouteContext& ctx, const auth::Caller& caller, const std::string& id,
                      const Responder& respond, std::function<void(const store::SubscriptionRecord&)> then) {
  SubmitOrRefuse(
      *ctx.blocking, caller,
      [ctx, caller, id, respond, then = std::move(then)] {
        auto sub = ctx.store->ReadSubscription(id);
        if (!sub.ok()) {
          respond(StoreErrorResponse(sub.status()));
          return;
        }
        if (sub->partner != caller.partner && !caller.HasScope("admin")) {
          respond(StoreErrorResponse(core::NotFound("subscription " + id + " does not exist")));
          return;
        }
        then(*sub);
      },
      respond);
}

store::AuditRecord Audit(const auth::Caller& caller, const std::string& action, const json& object) {
  return {caller.Actor(), caller.origin, action, object.dump(), "ok"};
}

}  // namespace

void AddSubscriptionRoutes(Router& router, SubscriptionRouteContext ctx) {
  router.Add(bhttp::verb::post, "/v1/subscriptions", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, Scopes(), respond);
    if (!caller) {
      return;
    }
    auto create = ParseCreate(request->msg.body(), *caller);
    if (!create.ok()) {
      respond(ErrorResponse(create.status()));
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, caller = *caller, create = *create, respond]() mutable {
          if (core::Status s = CheckDestination(create.url, ctx.allow_private_destinations); !s.ok()) {
            respond(StoreErrorResponse(s));
            return;
          }
          create.max_per_partner = ctx.max_per_partner;
          auto secret = subscriptions::GenerateSecret();
          if (!secret.ok()) {
            respond(StoreErrorResponse(secret.status()));
            return;
          }
          create.secret = *secret;
          create.created_by = caller.Actor();
          auto id = ctx.store->CreateSubscription(
              create, Audit(caller, "subscription.create",
                            {{"partner", create.partner}, {"name", create.name}, {"url", create.url}}));
          if (!id.ok()) {
            respond(StoreErrorResponse(id.status()));
            return;
          }
          auto sub = ctx.store->ReadSubscription(*id);
          if (!sub.ok()) {
            respond(StoreErrorResponse(sub.status()));
            return;
          }
          json body = SubscriptionJson(*sub);
          body["secret"] = create.secret;
          respond(JsonResponse(bhttp::status::created, body.dump()));
        },
        respond);
  });

  router.Add(bhttp::verb::get, "/v1/subscriptions", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, Scopes(), respond);
    if (!caller) {
      return;
    }
    SubmitOrRefuse(
        *ctx.blocking, *caller,
        [ctx, caller = *caller, respond] {
          auto subs = ctx.store->ListSubscriptions(caller.HasScope("admin") ? "" : caller.partner);
          if (!subs.ok()) {
            respond(StoreErrorResponse(subs.status()));
            return;
          }
          json list = json::array();
          for (const auto& s : *subs) {
            list.push_back(SubscriptionJson(s));
          }
          respond(JsonResponse(bhttp::status::ok, json{{"subscriptions", std::move(list)}}.dump()));
        },
        respond);
  });

  router.Add(bhttp::verb::get, "/v1/subscriptions/*", [ctx](std::shared_ptr<const Request> request, Responder respond) {
    auto caller = Authorize(*ctx.auth, *request, Scopes(), respond);
    if (!caller) {
      return;
    }
    const auto parts = Segments(request->path);
    if (!IsUuid(parts[0]) || parts.size() > 2 || (parts.size() == 2 && parts[1] != "deliveries")) {
      respond(NoSuch(request->path));
      return;
    }
    if (parts.size() == 1) {
      WithSubscription(ctx, *caller, parts[0], respond, [respond](const store::SubscriptionRecord& sub) {
        respond(JsonResponse(bhttp::status::ok, SubscriptionJson(sub).dump()));
      });
      return;
    }
    auto params = ParseQuery(request->query, {"state", "limit"});
    if (!params.ok()) {
      respond(ErrorResponse(params.status()));
      return;
    }
    const std::string state = Param(*params, "state");
    if (!state.empty() && state != "pending" && state != "delivered" && state != "dead") {
      respond(ErrorResponse(core::InvalidArgument("state: expected pending, delivered or dead")));
      return;
    }
    auto limit = LimitParam(*params, 100, 1000);
    if (!limit.ok()) {
      respond(ErrorResponse(limit.status()));
      return;
    }
    WithSubscription(ctx, *caller, parts[0], respond,
                     [ctx, state, limit = *limit, respond](const store::SubscriptionRecord& sub) {
                       auto deliveries = ctx.store->ListDeliveries(sub.id, state, limit);
                       if (!deliveries.ok()) {
                         respond(StoreErrorResponse(deliveries.status()));
                         return;
                       }
                       json list = json::array();
                       for (const auto& d : *deliveries) {
                         list.push_back(DeliveryJson(d));
                       }
                       respond(JsonResponse(bhttp::status::ok, json{{"deliveries", std::move(list)}}.dump()));
                     });
  });

  router.Add(
      bhttp::verb::delete_, "/v1/subscriptions/*", [ctx](std::shared_ptr<const Request> request, Responder respond) {
        auto caller = Authorize(*ctx.auth, *request, Scopes(), respond);
        if (!caller) {
          return;
        }
        const auto parts = Segments(request->path);
        if (parts.size() != 1 || !IsUuid(parts[0])) {
          respond(NoSuch(request->path));
          return;
        }
        WithSubscription(
            ctx, *caller, parts[0], respond, [ctx, caller = *caller, respond](const store::SubscriptionRecord& sub) {
              core::Status s = ctx.store->DeleteSubscription(
                  sub.id,
                  Audit(caller, "subscription.delete", {{"id", sub.id}, {"partner", sub.partner}, {"name", sub.name}}));
              if (!s.ok()) {
                respond(StoreErrorResponse(s));
                return;
              }
              respond(JsonResponse(bhttp::status::ok, json{{"deleted", sub.id}}.dump()));
            });
      });

  router.Add(
      bhttp::verb::post, "/v1/subscriptions/*", [ctx](std::shared_ptr<const Request> request, Responder respond) {
        auto caller = Authorize(*ctx.auth, *request, Scopes(), respond);
        if (!caller) {
          return;
        }
        const auto parts = Segments(request->path);
        if (parts.size() != 4 || !IsUuid(parts[0]) || parts[1] != "deliveries" || !IsUuid(parts[2]) ||
            parts[3] != "retry") {
          respond(NoSuch(request->path));
          return;
        }
        const std::string delivery = parts[2];
        WithSubscription(ctx, *caller, parts[0], respond,
                         [ctx, caller = *caller, delivery, respond](const store::SubscriptionRecord& sub) {
                           core::Status s = ctx.store->RetryDelivery(
                               sub.id, delivery,
                               Audit(caller, "subscription.retry", {{"subscription", sub.id}, {"delivery", delivery}}));
                           if (!s.ok()) {
                             respond(StoreErrorResponse(s));
                             return;
                           }
                           respond(JsonResponse(bhttp::status::ok, json{{"requeued", delivery}}.dump()));
                         });
      });
}

}  // namespace vik::http
