#pragma once

// The one table mapping core::StatusCode to HTTP status codes, and JSON error responses.

#include <ostream>
#include <string>
#include <string_view>

#include <boost/beast/http/status.hpp>

#include "core/status.h"

namespace vik::http {

boost::beast::http::status HttpStatusFor(core::StatusCode code);

// What a client is told for `status`. Database error text never reaches a client: a message that
// carries PostgreSQL's or libpq's text (an "ERROR:" line, a connection failure), and every message
// of a code that only the server's internals produce (INTERNAL, UNKNOWN, DATA_LOSS) or that
// `from_store` marks as the store's own (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED too),
// becomes a vik message naming the operation and the code; the caller logs the detail. Other
// messages (vik's own validation and conflict messages) are passed on as they are.
std::string ClientMessage(const core::Status& status, bool from_store = false);

// True when `message` holds text written by PostgreSQL or libpq rather than by vik.
bool HasDatabaseText(std::string_view message);

}  // namespace vik::http
