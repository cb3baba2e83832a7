#include "http/http_status.h"

namespace vik::http {

boost::beast::http::status HttpStatusFor(core::StatusCode code) {
  using boost::beast::http::status;
  using core::StatusCode;
  switch (code) {
    case StatusCode::kOk:
      return status::ok;
    case StatusCode::kCancelled:
      return static_cast<status>(499);  // client closed request
    case StatusCode::kUnknown:
      return status::internal_server_error;
    case StatusCode::kInvalidArgument:
      return status::bad_request;
    case StatusCode::kDeadlineExceeded:
      return status::gateway_timeout;
    case StatusCode::kNotFound:
      return status::not_found;
    case StatusCode::kAlreadyExists:
      return status::conflict;
    case StatusCode::kPermissionDenied:
      return status::forbidden;
    case StatusCode::kResourceExhausted:
      return status::too_many_requests;
    case StatusCode::kFailedPrecondition:
      return status::precondition_failed;
    case StatusCode::kAborted:
      return status::conflict;
    case StatusCode::kOutOfRange:
      return status::gone;  // a cursor older than retention
    case StatusCode::kUnimplemented:
      return status::not_implemented;
    case StatusCode::kInternal:
      return status::internal_server_error;
    case StatusCode::kUnavailable:
      return status::service_unavailable;
    case StatusCode::kDataLoss:
      return status::internal_server_error;
    case StatusCode::kUnauthenticated:
      return status::unauthorized;
  }
  return status::internal_server_error;
}

}  // namespace vik::http

namespace vik::http {
namespace {

// The operation a store message names before its first ": " ("list signals"), when it is plain
// vik text; "" otherwise.
std::string_view Operation(std::string_view message) {
  const auto colon = message.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon > 64) {
    return {};
  }
  const std::string_view op = message.substr(0, colon);
  for (char c : op) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '-' || c == '.')) {
      return {};
    }
  }
  return op;
}

}  // namespace

bool HasDatabaseText(std::string_view message) {
  // Severity prefixes of PostgreSQL's messages and libpq's connection failures.
  static constexpr std::string_view kMarkers[] = {"ERROR:",
                                                  "FATAL:",
                                                  "PANIC:",
                                                  "DETAIL:",
                                                  "HINT:",
                                                  "could not connect",
                                                  "connection to server",
                                                  "server closed the connection",
                                                  "no connection to the server",
                                                  "terminating connection",
                                                  "Is the server running",
                                                  "could not translate host name",
                                                  "password authentication failed",
                                                  "SSL"};
  for (const auto marker : kMarkers) {
    if (message.find(marker) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::string ClientMessage(const core::Status& status, bool from_store) {
  using core::StatusCode;
  const StatusCode code = status.code();
  const bool internal = code == StatusCode::kInternal || code == StatusCode::kUnknown || code == StatusCode::kDataLoss;
  // A store's RESOURCE_EXHAUSTED is vik's own text (a quota, a busy pool) and names the setting to
  // change; it is shown unless it carries database text like any other message.
  const bool store_only = from_store && (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded);
  if (!internal && !store_only && !HasDatabaseText(status.message())) {
    return status.message();
  }
  std::string out(Operation(status.message()));
  out += out.empty() ? "" : ": ";
  switch (code) {
    case StatusCode::kUnavailable:
      out += "the database is unavailable; retry shortly";
      break;
    case StatusCode::kDeadlineExceeded:
      out += "the database did not answer in time";
      break;
    case StatusCode::kResourceExhausted:
      out += "the server is busy; retry shortly";
      break;
    case StatusCode::kUnknown:
      out += "the outcome is unknown";
      break;
    case StatusCode::kAborted:
      out += "conflicts with a concurrent change; retry";
      break;
    case StatusCode::kAlreadyExists:
      out += "already exists";
      break;
    case StatusCode::kFailedPrecondition:
      out += "conflicts with the stored data";
      break;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      out += "internal error";
      break;
    default:
      out += "the database refused the request";
      break;
  }
  out += " (";
  out += core::StatusCodeName(code);
  out += "; the details are in the server log)";
  return out;
}

}  // namespace vik::http
