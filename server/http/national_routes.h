#pragma once

// The national status over HTTP (docs/exchange.md, "Mirroring peers"); bodies are the protobuf
// JSON mapping of proto/vik/v1/exchange.proto:
//   GET /v1/national/status?top=&minLevel=   (read, analyst, admin) NationalStatus: each mirrored
//                                            region (and the own one on a regional node) with GRIP
//                                            level, phase, top risks and freshness; the themes at
//                                            risk in more than one region
//   GET /v1/national/signals?region=&limit=  (read, analyst, admin) ListMirroredSignalsResponse:
//                                            signals mirrored from peers, newest first
// Answered from the blocking pool (429 with Retry-After when it is full).

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"
#include "usecases/national_status.h"

namespace vik::http {

struct NationalRouteContext {
  usecases::NationalSource source;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
};

void AddNationalRoutes(Router& router, NationalRouteContext context);

}  // namespace vik::http
