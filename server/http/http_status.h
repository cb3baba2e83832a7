#pragma once

// The one table mapping core::StatusCode to HTTP status codes, and JSON error responses.

#include <ostream>

#include <boost/beast/http/status.hpp>

#include "core/status.h"

namespace vik::http {

boost::beast::http::status HttpStatusFor(core::StatusCode code);

}  // namespace vik::http
