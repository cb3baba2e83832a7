#pragma once

// An in-memory store::CredentialStore for the unit tests: tokens and sources added by the test,
// LoadCredentials answering with the active tokens and every source, as pg_ingest.cc does. Faults
// come from a FaultPlan on the operation "LoadCredentials" (Before: the database is down).
// Header-only, no I/O. Thread-safety: safe for concurrent use (a mutex).

#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "fakes/fault_plan.h"
#include "store/credential_store.h"

namespace vik::testing {

class FakeCredentialStore final : public store::CredentialStore {
 public:
  FaultPlan& faults() { return faults_; }

  void AddToken(store::TokenRecord token) {
    std::lock_guard lock(mu_);
    credentials_.tokens.push_back(std::move(token));
  }
  void AddSource(store::SourceRecord source) {
    std::lock_guard lock(mu_);
    credentials_.sources.push_back(std::move(source));
  }
  // Marks the token revoked; false when there is no such token.
  bool Revoke(const std::string& token_id) {
    std::lock_guard lock(mu_);
    for (auto& t : credentials_.tokens) {
      if (t.id == token_id) {
        t.revoked = true;
        return true;
      }
    }
    return false;
  }

  core::Result<store::Credentials> LoadCredentials() override {
    if (core::Status s = faults_.Before("LoadCredentials"); !s.ok()) {
      return s;
    }
    store::Credentials active;
    {
      std::lock_guard lock(mu_);
      active.sources = credentials_.sources;
      for (const auto& t : credentials_.tokens) {
        if (!t.revoked) {
          active.tokens.push_back(t);
        }
      }
    }
    if (core::Status s = faults_.After("LoadCredentials"); !s.ok()) {
      return s;
    }
    return active;
  }

 private:
  FaultPlan faults_;
  std::mutex mu_;
  store::Credentials credentials_;
};

}  // namespace vik::testing
