#pragma once

// Which calls of an in-memory fake fail, and how: the fail-the-Nth-call wrapper of the unit tests
// (LevelDB's ErrorEnv idea, per operation). A fake calls Before("Operation") at the start of each
// operation and returns the Status it gets if that is not OK (nothing was done: "database down",
// "fenced write"); after doing the work it calls After("Operation") and returns that Status if not
// OK (the work was done but the caller is told otherwise: an in-doubt commit).
// Header-only, no I/O. Thread-safety: safe for concurrent use (a mutex), so fakes may be called
// from a pool's threads.

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vik::testing {

class FaultPlan {
 public:
  enum class When { kBefore, kAfter };

  // The n-th call (1-based, counted from now on) of `operation` fails with `status`.
  void FailCall(std::string_view operation, int n, core::Status status, When when = When::kBefore) {
    std::lock_guard lock(mu_);
    auto& op = ops_[std::string(operation)];
    op.rules.push_back({op.calls + n, op.calls + n, std::move(status), when});
  }
  // Every call of `operation` from the n-th on (1-based, counted from now) fails, until Heal().
  void FailFrom(std::string_view operation, int n, core::Status status, When when = When::kBefore) {
    std::lock_guard lock(mu_);
    auto& op = ops_[std::string(operation)];
    op.rules.push_back({op.calls + n, kForever, std::move(status), when});
  }
  // Every operation fails before doing anything (the database is down), until Heal().
  void FailEverything(core::Status status) {
    std::lock_guard lock(mu_);
    everything_ = std::move(status);
  }
  // Forgets every rule (calls keep being counted).
  void Heal() {
    std::lock_guard lock(mu_);
    everything_ = core::Status::Ok();
    for (auto& [name, op] : ops_) {
      op.rules.clear();
    }
  }

  // Counts a call of `operation`; the Status it must fail with before doing anything, or OK.
  core::Status Before(std::string_view operation) {
    std::lock_guard lock(mu_);
    auto& op = ops_[std::string(operation)];
    ++op.calls;
    if (!everything_.ok()) {
      return everything_;
    }
    return Match(op, When::kBefore);
  }
  // The Status the call just counted by Before() must report although its work was done, or OK.
  core::Status After(std::string_view operation) {
    std::lock_guard lock(mu_);
    return Match(ops_[std::string(operation)], When::kAfter);
  }

  // Calls of `operation` so far (also those that failed).
  int Calls(std::string_view operation) const {
    std::lock_guard lock(mu_);
    auto it = ops_.find(std::string(operation));
    return it == ops_.end() ? 0 : it->second.calls;
  }

 private:
  static constexpr int kForever = 1 << 30;
  struct Rule {
    int first;
    int last;
    core::Status status;
    When when;
  };
  struct Operation {
    int calls = 0;
    std::vector<Rule> rules;
  };

  static core::Status Match(const Operation& op, When when) {
    for (const auto& rule : op.rules) {
      if (rule.when == when && op.calls >= rule.first && op.calls <= rule.last) {
        return rule.status;
      }
    }
    return core::Status::Ok();
  }

  mutable std::mutex mu_;
  std::map<std::string, Operation, std::less<>> ops_;
  core::Status everything_;
};

}  // namespace vik::testing
