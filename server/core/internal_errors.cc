#include "core/internal_errors.h"

#include <memory>
#include <mutex>

#include "core/logging.h"

namespace vik::core {
namespace {

std::mutex& ObserverMutex() {
  static std::mutex mu;
  return mu;
}

// Replaced as a whole under the mutex; read as a copy of the shared_ptr, so a report never holds
// the lock while the observer runs.
std::shared_ptr<const InternalErrorObserver>& Observer() {
  static std::shared_ptr<const InternalErrorObserver> observer;
  return observer;
}

}  // namespace

std::string_view ErrorBoundaryName(ErrorBoundary where) {
  switch (where) {
    case ErrorBoundary::kHttpSession:
      return "http_session";
    case ErrorBoundary::kGrpcReactor:
      return "grpc_reactor";
    case ErrorBoundary::kPoolTask:
      return "pool_task";
    case ErrorBoundary::kIoHandler:
      return "io_handler";
    case ErrorBoundary::kBackground:
      return "background";
  }
  return "background";
}

void SetInternalErrorObserver(InternalErrorObserver observer) {
  auto next = observer ? std::make_shared<const InternalErrorObserver>(std::move(observer)) : nullptr;
  std::lock_guard lock(ObserverMutex());
  Observer() = std::move(next);
}

void ReportInternalError(ErrorBoundary where, std::string_view context, std::string_view error) noexcept {
  try {
    static auto log = ModuleLogger("core");
    LogError(*log, "caught an exception at a catch boundary",
             {{"where", ErrorBoundaryName(where)}, {"context", context}, {"error", error}});
  } catch (...) {
    // Logging itself failed (out of memory): counting still matters more than the line.
  }
  std::shared_ptr<const InternalErrorObserver> observer;
  {
    std::lock_guard lock(ObserverMutex());
    observer = Observer();
  }
  if (observer) {
    try {
      (*observer)(where);
    } catch (...) {
    }
  }
}

void ReportCurrentException(ErrorBoundary where, std::string_view context) noexcept {
  try {
    throw;
  } catch (const std::exception& e) {
    ReportInternalError(where, context, e.what());
  } catch (...) {
    ReportInternalError(where, context, "an exception of unknown type");
  }
}

}  // namespace vik::core
