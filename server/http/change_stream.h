#pragma once

// GET /v1/changes/stream?after=&<filter> (read, analyst, admin): the change feed as Server-Sent
// Events (docs/exchange.md, "Server-Sent Events"). One event per change that matches the filter:
//   id: <cursor>
//   event: <kind>
//   data: <the Change as protobuf JSON, one line>
// Last-Event-ID (the browser's reconnect) takes precedence over `after`. Every `heartbeat` without
// an event a comment and the cursor read so far (an event with an id and no data: EventSource
// keeps it as the last id, so a filtered stream resumes past changes that did not match) keep
// proxies from closing the connection. The log is polled like WatchChanges (reads on the blocking
// pool, every `poll`, at once while pages are full). Errors before the stream starts are plain
// answers (400, 410 for a cursor out of range, 429 pool full); at most `limits.per_partner` streams
// per partner and `limits.per_instance` in all (beyond: 429 with Retry-After naming the quota). A
// stream ends when the client goes (its slot is free at once), the server drains, the cursor falls
// out of the log mid-stream or the token is revoked (within auth.refresh_interval); the last two send
// an `event: error` (code OUT_OF_RANGE or UNAUTHENTICATED) before the end.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "auth/authenticator.h"
#include "auth/stream_quota.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"
#include "wire/picture_mapping.h"

namespace vik::http {

struct ChangeStreamContext {
  wire::StatusContext status;
  store::Store* store = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
  boost::asio::any_io_executor executor;  // the timers of the streams
  std::chrono::milliseconds poll{250};
  std::chrono::milliseconds heartbeat{15000};
  auth::StreamLimits limits;
  int page_limit = 100;
};

void AddChangeStreamRoute(Router& router, ChangeStreamContext context);

}  // namespace vik::http
