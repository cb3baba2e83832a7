#pragma once

// The catch boundary of every piece of gRPC code: a service method, a reactor callback, and the
// completions that the blocking pool, the group-commit writers or an alarm run for a call.
// GrpcBoundary runs `body`; if it throws, the exception is reported once through
// core::ReportCurrentException (ErrorBoundary::kGrpcReactor, `method` as context) and `fail` gets
// the generic INTERNAL status (no internals) so that the call ends instead of hanging. Never throws.
// REQUIRES: `body` finishes its call (Finish) as its last action, so that `fail` never finishes a
// call twice; `fail` may itself check that the call is not finished yet.

#include <string_view>

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "core/internal_errors.h"
#include "rpc/grpc_status.h"

namespace vik::rpc {

template <typename Body, typename Fail>
void GrpcBoundary(std::string_view method, Body&& body, Fail&& fail) noexcept {
  try {
    body();
  } catch (...) {
    core::ReportCurrentException(core::ErrorBoundary::kGrpcReactor, method);
    try {
      fail(GrpcInternalError());
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kGrpcReactor, method);
    }
  }
}

// The same for a unary call: a throw finishes `reactor` with INTERNAL.
template <typename Body>
void GrpcUnaryBoundary(std::string_view method, grpc::ServerUnaryReactor* reactor, Body&& body) noexcept {
  GrpcBoundary(method, std::forward<Body>(body), [reactor](const grpc::Status& s) { reactor->Finish(s); });
}

}  // namespace vik::rpc
