#include "core/readiness.h"

namespace vik::core {

ReadinessState::ReadinessState(int schema_version) { snapshot_.schema_version = schema_version; }

void ReadinessState::Record(bool database_ok, std::string database_detail, bool schema_ok, std::string schema_detail,
                            WallTime at) {
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
    return "database check failed: " + s.database_detail;
  }
  if (!s.schema_ok) {
    return s.schema_detail.empty() ? "database schema is not usable" : s.schema_detail;
  }
  return "";
}

int ReadinessState::Subscribe(std::function<void(bool)> fn) {
  std::lock_guard notify_lock(notify_mu_);
  bool ready = false;
  int id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_listener_id_++;
    listeners_.emplace_back(id, fn);
    ready = snapshot_.ready;
  }
  fn(ready);
  return id;
}

void ReadinessState::Unsubscribe(int id) {
  std::lock_guard notify_lock(notify_mu_);
  std::lock_guard lock(mu_);
  std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void ReadinessState::NotifyIfChanged(bool before, bool after) {
  if (before == after) {
    return;
  }
  std::lock_guard notify_lock(notify_mu_);
  std::vector<std::pair<int, std::function<void(bool)>>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  const bool now = Get().ready;  // notifications may be reordered; deliver the latest value
  for (auto& [id, fn] : listeners) {
    fn(now);
  }
}

}  // namespace vik::core
