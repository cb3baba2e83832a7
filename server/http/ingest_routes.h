#pragma once

// POST /v1/signals: the HTTP face of signal ingest. The body is the protobuf JSON mapping of
// vik.v1.SubmitRequest; the answer is vik.v1.SubmitResponse as JSON (200, one receipt per signal)
// or a JSON error: 400 malformed JSON, 401 missing/unknown token, 403 scope or foreign source,
// 413 body too large (server limit), 415 not JSON, 429 rate limit or full queue, 503 database
// unavailable (429/503 with Retry-After), 500 with code UNKNOWN when a commit's outcome is unknown.

#include "auth/authenticator.h"
#include "http/router.h"
#include "ingest/pipeline.h"

namespace vik::http {

void AddIngestRoutes(Router& router, ingest::Pipeline& pipeline, const auth::Authenticator& auth);

// Authenticates an HTTP request from its Authorization header.
core::Result<auth::Caller> AuthenticateHttp(const auth::Authenticator& auth, const Request& request);

// A JSON error response for an authentication failure (adds WWW-Authenticate on 401).
Response AuthErrorResponse(const core::Status& status);

}  // namespace vik::http
