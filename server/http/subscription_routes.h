#pragma once

// Webhook subscriptions over HTTP (docs/exchange.md, "Subscriptions"; docs/api.md). Scopes read,
// analyst or admin: a token manages its own partner's subscriptions; admin manages every partner's
// (and may create one for another partner with "partner"). Another partner's subscription is
// answered 404, as if it did not exist.
//   POST   /v1/subscriptions                                 {name, url, filter, picture[, partner]}
//          201 with the subscription and its HMAC secret (shown only here); 400 naming the field for
//          a name with control characters, a URL whose host is not a name or IP literal or does not
//          resolve to public addresses; 429 when the partner has max_per_partner subscriptions
//   GET    /v1/subscriptions                                 the caller's (admin: all)
//   GET    /v1/subscriptions/{id}                            with delivery counts and the last error
//   DELETE /v1/subscriptions/{id}                            with its deliveries
//   GET    /v1/subscriptions/{id}/deliveries?state=&limit=   oldest change first
//   POST   /v1/subscriptions/{id}/deliveries/{delivery}/retry  re-queues a dead delivery
// Answered from the blocking pool (429 with Retry-After when it is full).

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"

namespace vik::http {

struct SubscriptionRouteContext {
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
  // false: the URL's host must resolve (within 2 s) to public addresses only when the
  // subscription is created, as at every delivery (ingest/public_address.h); 400 naming "url".
  bool allow_private_destinations = false;
  std::size_t max_per_partner = 20;  // subscriptions.max_per_partner; more: 429
};

void AddSubscriptionRoutes(Router& router, SubscriptionRouteContext context);

}  // namespace vik::http
