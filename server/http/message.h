#pragma once

// Request and response types shared by the HTTP server, the router and handlers.

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/status.h"
#include "http/query.h"

namespace vik::http {

namespace bhttp = boost::beast::http;
using Response = bhttp::response<bhttp::string_body>;

// The body of a streaming response (Server-Sent Events), pulled by the session one piece at a time.
// The session calls Next again only after the previous piece was written; Cancel when the
// connection ends for another reason (client gone, write failed, shutdown). Implementations must
// be safe for Next and Cancel arriving from the session's strand while a piece is produced on
// another thread. A pending Deliver keeps the session alive: Cancel must drop it.
class StreamSource {
 public:
  // Receives the next piece: call exactly once, from any thread; `last` ends the response (and the
  // connection) after `piece` is written.
  using Deliver = std::function<void(std::string piece, bool last)>;
  virtual ~StreamSource() = default;
  virtual void Next(Deliver deliver) = 0;
  virtual void Cancel() = 0;
};

// Starts a streaming response instead of answering through the Responder: `head` is sent first
// (its body ignored; the connection closes when the stream ends), then the pieces of `source`.
using StreamStarter = std::function<void(Response head, std::shared_ptr<StreamSource> source)>;

struct Request {
  bhttp::request<bhttp::string_body> msg;
  // Decoded and checked by the server before any handler runs (http/query.h): valid UTF-8, no
  // control characters.
  std::string path;   // the target without the query string, percent-decoded
  QueryParams query;  // the parameters after '?', in order
  std::string remote_address;
  // Set by the server: a handler answers either through its Responder or, once, through this.
  StreamStarter start_stream;
};

// Completes a request: call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// Handles one request; must not block (hand blocking work to the blocking pool).
using Handler = std::function<void(std::shared_ptr<const Request>, Responder)>;

// A response with `body` of `content_type`.
Response MakeResponse(bhttp::status status, std::string body, std::string_view content_type);
Response JsonResponse(bhttp::status status, std::string json_body);

// {"code":"NOT_FOUND","message":"..."} with the status mapped through http_status.h and the
// message through ClientMessage (no database text; the detail is logged). `from_store`: the status
// comes from the store (see ClientMessage).
Response ErrorResponse(const core::Status& status);
Response ErrorResponse(const core::Status& status, bool from_store);
// The same with an explicit HTTP status (for protocol-level errors such as 405 or 413).
Response ErrorResponse(bhttp::status http_status, core::StatusCode code, std::string_view message);

// Adds Retry-After (seconds) to overload and unavailability answers.
void SetRetryAfter(Response& response, std::chrono::seconds after);

}  // namespace vik::http
