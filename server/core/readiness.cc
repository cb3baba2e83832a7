#include "core/readiness.h"

namespace vik::core {

ReadinessState::ReadinessState(int schema_version) { snapshot_.schema_version = schema_version; }

void ReadinessState::Record(bool database_ok, std::string database_detail, bool schema_ok,
                            std::string schema_detail, WallTime at) {
  bool before = false;
  bool after = false;
  {
    std::lock_guard lock(mu_);
    before = snapshot_.ready;
    snapshot_.checked = true;
    snapshot_.database_ok = database_ok;
    snapshot_.database_detail = std::move(database_detail);
    snapshot_.schema_ok = schema_ok;
    snapshot_.schema_detail = std::move(schema_detail);
    snapshot_.checked_at = at;
    snapshot_.ready = database_ok && schema_ok && !snapshot_.draining;
    after = snapshot_.ready;
  }
  NotifyIfChanged(before, after);
}

void ReadinessState::SetDraining() {
  bool before = false;
  {
    std::lock_guard lock(mu_);
    before = snapshot_.ready;
    snapshot_.draining = true;
    snapshot_.ready = false;
  }
  NotifyIfChanged(before, false);
}

ReadinessSnapshot ReadinessState::Get() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::string ReadinessState::Reason(const ReadinessSnapshot& s) {
  if (s.draining) {
    return "shutting down";
  }
  if (!s.checked) {
    return "starting: the database has not been checked yet";
  }
  if (!s.database_ok) {
    return "database unreachable: " + s.database_detail;
  }
  if (!s.schema_ok) {
    return s.schema_detail;
  }
  return "";
}

void ReadinessState::Subscribe(std::function<void(bool)> fn) {
  bool ready = false;
  {
    std::lock_guard lock(mu_);
    listeners_.push_back(fn);
    ready = snapshot_.ready;
  }
  fn(ready);
}

void ReadinessState::NotifyIfChanged(bool before, bool after) {
  if (before == after) {
    return;
  }
  std::vector<std::function<void(bool)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& fn : listeners) {
    fn(after);
  }
}

}  // namespace vik::core
