#pragma once

// The one place where an exception caught at a catch boundary is reported. Every boundary (an HTTP
// session, a gRPC reactor, a blocking-pool task, a timer or io_context handler, a background loop)
// catches everything, answers what it can (a generic 500 / INTERNAL without internals), and calls
// ReportInternalError once: the event is logged (fields escaped by the logger) and counted through
// the observer that app::Runtime installs (vik_internal_errors_total{where}). The process goes on.
//
// The set of boundaries is closed (it is a metric label); add an enumerator, not a string.
// Thread-safety: every function here is safe for concurrent use; SetInternalErrorObserver is meant
// to be called once at start-up, before the boundaries run.

#include <array>
#include <exception>
#include <functional>
#include <string_view>

namespace vik::core {

enum class ErrorBoundary {
  kHttpSession,  // an HTTP request handler or the session's own code
  kGrpcReactor,  // a gRPC service method or reactor callback
  kPoolTask,     // a task on a BlockingPool
  kIoHandler,    // a handler run by the io_context (timers, posted work)
  kBackground,   // a thread loop owned by a module (writers, followers)
};

inline constexpr std::array<ErrorBoundary, 5> kAllErrorBoundaries = {
    ErrorBoundary::kHttpSession, ErrorBoundary::kGrpcReactor, ErrorBoundary::kPoolTask, ErrorBoundary::kIoHandler,
    ErrorBoundary::kBackground};

// "http_session", "grpc_reactor", "pool_task", "io_handler", "background".
std::string_view ErrorBoundaryName(ErrorBoundary where);

// Called for every reported error (after it is logged). Must not throw.
using InternalErrorObserver = std::function<void(ErrorBoundary where)>;
void SetInternalErrorObserver(InternalErrorObserver observer);

// Logs "<where>: caught an exception" with `context` (route, method, pool or job name) and the
// exception's text, then notifies the observer. Never throws.
void ReportInternalError(ErrorBoundary where, std::string_view context, std::string_view error) noexcept;

// The same for the exception being handled: call inside a catch block (`catch (...)`).
void ReportCurrentException(ErrorBoundary where, std::string_view context) noexcept;

}  // namespace vik::core
