#pragma once

// CAP over HTTP (docs/api.md, docs/cap.md):
//   POST /v1/cap              one CAP 1.2/1.1 document (Content-Type application/cap+xml or
//                             application/xml; scope ingest). 200 with vik.v1.SubmitCapResponse as
//                             JSON; errors as JSON with element-path violations: 400, 401, 403
//                             (sender not the partner's), 409 (identifier reused for other bytes),
//                             413, 415, 429/503 with Retry-After, 500 UNKNOWN.
//   GET  /cap/alerts.atom     Atom index of the region's current actual alerts (scope read).
//   GET  /cap/alerts/{id}.xml one alert as CAP 1.2: the original bytes for CAP that came in,
//                             generated CAP for signals that came in as JSON (scope read).
// Database work runs on the blocking pool.

#include <string>

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "ingest/cap_ingest.h"
#include "store/store.h"

namespace vik::http {

struct CapRouteContext {
  std::string region;
  ingest::CapIngest* cap = nullptr;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
  int index_limit = 500;  // entries in the Atom index
};

void AddCapRoutes(Router& router, CapRouteContext context);

}  // namespace vik::http
