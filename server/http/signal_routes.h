#pragma once

// GET /v1/signals (token scope read, analyst or admin): stored signals, newest first, with their
// lifecycle (active, cancelled, superseded), filtered by status (default actual; exercise and test
// signals are listed only when asked for), state, theme (the code and its sub-themes),
// municipality and source; keyset pagination with an opaque `cursor` (nextCursor of the previous
// page), `limit` 1..500 (default 100). Each item carries the signal in the protobuf JSON mapping of
// vik.v1.Signal. Answered from the blocking pool.

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"

namespace vik::http {

struct SignalRouteContext {
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
};

void AddSignalRoutes(Router& router, SignalRouteContext context);

}  // namespace vik::http
