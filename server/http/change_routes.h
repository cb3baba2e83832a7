#pragma once

// The change feed over HTTP (docs/exchange.md); bodies are the protobuf JSON mapping of
// proto/vik/v1/exchange.proto:
//   GET /v1/changes?after=&limit=   (read, analyst, admin) ListChangesResponse; 410 OUT_OF_RANGE
//                                   when `after` is older than the retention: resynchronise
//   GET /v1/snapshot?picture=       (read, analyst, admin) Snapshot: the picture and the cursor to
//                                   follow the feed from
// Pages and snapshots are bounded in bytes as over gRPC (exchange_service.h): 412
// FAILED_PRECONDITION names a single change or a snapshot larger than the bound.
// Answered from the blocking pool (429 with Retry-After when it is full).

#include <cstddef>

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"
#include "wire/picture_mapping.h"

namespace vik::http {

struct ChangeRouteContext {
  wire::StatusContext status;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
  // grpc.max_message_bytes: a page's protobuf encoding stays within it, as over gRPC (the JSON of
  // a page is larger, by the field names and quoting); a snapshot larger than it is refused.
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

void AddChangeRoutes(Router& router, ChangeRouteContext context);

}  // namespace vik::http
