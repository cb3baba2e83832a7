#pragma once

// The process's readiness: can it serve (database reachable, schema current) and is it draining.
// Written by the readiness monitor in app/, read by /readyz and the gRPC health service.
// Thread-safety: safe for concurrent use. Listeners run on the thread that made the change and must
// not block.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"

namespace vik::core {

struct ReadinessSnapshot {
  bool ready = false;     // database_ok && schema_ok && !draining
  bool draining = false;  // shutting down: never ready again
  bool checked = false;   // at least one check ran
  bool database_ok = false;
  bool schema_ok = false;
  std::string database_detail;  // error text when !database_ok
  std::string schema_detail;    // error text when !schema_ok
  int schema_version = 0;       // this binary's latest migration
  WallTime checked_at{};
};

class ReadinessState {
 public:
  explicit ReadinessState(int schema_version);

  // Records one check's outcome.
  void Record(bool database_ok, std::string database_detail, bool schema_ok, std::string schema_detail, WallTime at);
  // Shutdown has begun: not ready from now on, whatever later checks say.
  void SetDraining();

  ReadinessSnapshot Get() const;
  // The one-line reason the process is not ready ("" when ready).
  static std::string Reason(const ReadinessSnapshot& s);

  // `fn(ready)` is called after `ready` flips, with the value current at the time of the call (so
  // two calls in a row may carry the same value), and once at registration. Listeners must not call
  // back into this ReadinessState. Returns an id for Unsubscribe; a subscriber must unsubscribe
  // before it is destroyed.
  int Subscribe(std::function<void(bool)> fn);
  void Unsubscribe(int id);

 private:
  void NotifyIfChanged(bool before, bool after);

  mutable std::mutex mu_;
  // Held while listeners run, so that Unsubscribe returns only once no call to the listener is in
  // progress. Lock order: notify_mu_ before mu_.
  std::mutex notify_mu_;
  ReadinessSnapshot snapshot_;
  std::vector<std::pair<int, std::function<void(bool)>>> listeners_;
  int next_listener_id_ = 1;
};

}  // namespace vik::core
