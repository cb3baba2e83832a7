#pragma once

// The region's crisis state, set by the control room's calamity coordinator (docs/api.md):
//   GET /v1/region/state   (scope read, analyst or admin): the current version and the last 20
//                          changes (who, when, why).
//   PUT /v1/region/state   (scope analyst or admin): {"version": N, "gripLevel": "2",
//                          "phase": "warm", "reason": "..."}: N is the version the writer saw (0 when
//                          never set); 409 ABORTED when it changed meanwhile (never a silent
//                          overwrite); 400 for an unknown GRIP level or phase or a missing reason.
// Every change is audited (region.state). Answered from the blocking pool.

#include <string>

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"

namespace vik::http {

struct RegionRouteContext {
  std::string region;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
};

void AddRegionRoutes(Router& router, RegionRouteContext context);

}  // namespace vik::http
