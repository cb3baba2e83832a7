#pragma once

// The risk picture over HTTP (docs/api.md, "Risk picture"); bodies are the protobuf JSON mapping of
// proto/vik/v1/picture.proto:
//   GET /v1/status                 (read, analyst, admin) RegionalStatus; ?picture=exercise, ?limit=1..500
//   GET /v1/risks                  (read, analyst, admin) ListRisksResponse; filters theme (and its
//                                  sub-themes), municipality, minLevel, status (new, monitoring,
//                                  active, closed), includeRemoved; cursor pagination in priority order
//   GET /v1/risks/{id}             (read, analyst, admin) RiskDetail: signals, assessments, levels over time
//   PUT /v1/risks/{id}/assessment  (analyst, admin) appends an assessment version; body with
//                                  "version" = the version the analyst saw (0: none); 409 ABORTED when
//                                  stale, 400 naming the field, audited (risk.assess)
// The picture is the one the leader last wrote (any instance answers the same). Answered from the
// blocking pool (429 with Retry-After when it is full).

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"
#include "wire/picture_mapping.h"

namespace vik::http {

struct PictureRouteContext {
  wire::StatusContext status;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
};

void AddPictureRoutes(Router& router, PictureRouteContext context);

}  // namespace vik::http
