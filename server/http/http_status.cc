#include "http/http_status.h"

namespace vik::http {

boost::beast::http::status HttpStatusFor(core::StatusCode code) {
  using core::StatusCode;
  using boost::beast::http::status;
  switch (code) {
    case StatusCode::kOk: return status::ok;
    case StatusCode::kCancelled: return static_cast<status>(499);  // client closed request
    case StatusCode::kUnknown: return status::internal_server_error;
    case StatusCode::kInvalidArgument: return status::bad_request;
    case StatusCode::kDeadlineExceeded: return status::gateway_timeout;
    case StatusCode::kNotFound: return status::not_found;
    case StatusCode::kAlreadyExists: return status::conflict;
    case StatusCode::kPermissionDenied: return status::forbidden;
    case StatusCode::kResourceExhausted: return status::too_many_requests;
    case StatusCode::kFailedPrecondition: return status::precondition_failed;
    case StatusCode::kAborted: return status::conflict;
    case StatusCode::kOutOfRange: return status::gone;  // a cursor older than retention
    case StatusCode::kUnimplemented: return status::not_implemented;
    case StatusCode::kInternal: return status::internal_server_error;
    case StatusCode::kUnavailable: return status::service_unavailable;
    case StatusCode::kDataLoss: return status::internal_server_error;
    case StatusCode::kUnauthenticated: return status::unauthorized;
  }
  return status::internal_server_error;
}

}  // namespace vik::http
