#pragma once

// The change feed over HTTP (docs/exchange.md); bodies are the protobuf JSON mapping of
// proto/vik/v1/exchange.proto:
//   GET /v1/changes?after=&limit=   (read, analyst, admin) ListChangesResponse; 410 OUT_OF_RANGE
//                                   when `after` is older than the retention: resynchronise
//   GET /v1/snapshot?picture=       (read, analyst, admin) Snapshot: the picture and the cursor to
//                                   follow the feed from
// Answered from the blocking pool (429 with Retry-After when it is full).

#include "core/blocking_pool.h"
#include "exchange/picture_mapping.h"
#include "http/router.h"
#include "ingest/authenticator.h"
#include "store/store.h"

namespace vik::http {

struct ChangeRouteContext {
  exchange::StatusContext status;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const ingest::Authenticator* auth = nullptr;
};

void AddChangeRoutes(Router& router, ChangeRouteContext context);

}  // namespace vik::http
