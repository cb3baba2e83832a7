#pragma once

// A fixed-size pool of libpqxx connections with lazy (re)connection and backoff.
//
// Contract:
// - At most `size` connections exist; callers wait up to `acquire_timeout` for a free one, then get
//   RESOURCE_EXHAUSTED. While the database is unreachable, callers get UNAVAILABLE at once (no
//   connect storm): a failed connect blocks further attempts for an exponentially growing,
//   jittered backoff (min_backoff .. max_backoff).
// - libpqxx's silent reactivation is disabled on every connection: a connection that broke throws,
//   is discarded, and a fresh one (with fresh session state) is opened on next use. Session-bound
//   work (advisory locks, the leader lease) therefore never continues on a new session unnoticed.
// - Every libpqxx exception thrown by a Run() callback is translated once (pg_errors.h).
// - A COMMIT whose wait for a synchronous standby was cancelled returns success with only a
//   WARNING ("canceling wait for synchronous replication ... committed locally, but might not have
//   been replicated"). Run() watches every pooled connection's notices and turns a callback that
//   saw one into UNKNOWN: the write may be lost by a failover, so it is never acknowledged. (The
//   match is on PostgreSQL's English message: run the server with lc_messages 'C' or 'en_*'.)
// Thread-safety: safe for concurrent use. Calls block (run them on the blocking pool).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <pqxx/connection>
#include <pqxx/errorhandler>

#include "core/result.h"
#include "store/pg_errors.h"
#include "store/store_metrics.h"

namespace vik::store {

struct PoolOptions {
  std::string conninfo;  // complete connection string (see connection_string.h)
  std::size_t size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

// Records whether the server warned that a commit's synchronous replication wait was cancelled.
class SyncRepWatch final : public pqxx::errorhandler {
 public:
  explicit SyncRepWatch(pqxx::connection& conn) : pqxx::errorhandler(conn) {}
  bool operator()(const char message[]) noexcept override;
  void Arm() { tripped_ = false; }
  bool tripped() const { return tripped_; }

 private:
  bool tripped_ = false;
};

class PgPool {
 public:
  PgPool(PoolOptions options, StoreMetrics& metrics);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs fn(pqxx::connection&) on a pooled connection. `fn` returns core::Status or
  // core::Result<T>; exceptions it throws are translated (and broken connections discarded).
  // `what` names the operation in error messages ("check schema").
  template <typename Fn>
  auto Run(const char* what, Fn&& fn) -> std::invoke_result_t<Fn, pqxx::connection&>;

  // A new connection outside the pool, for session-bound work; same settings and statements.
  core::Result<std::unique_ptr<pqxx::connection>> OpenDedicated(const char* what);

  // Closes every idle connection (used at shutdown).
  void CloseIdle();

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;
    // Registered on `conn`; safe to destroy after it (libpqxx unregisters handlers on close).
    std::unique_ptr<SyncRepWatch> watch;
    bool in_use = false;
  };

  core::Result<Slot*> Acquire(const char* what);
  void Release(Slot* slot, bool discard);
  core::Status Connect(Slot& slot, const char* what);
  void OnError(const TranslatedError& e);

  const PoolOptions options_;
  StoreMetrics& metrics_;

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Slot> slots_;
  std::size_t waiting_ = 0;

  std::mutex connect_mu_;  // guards the backoff state below
  std::chrono::steady_clock::time_point next_connect_;
  int consecutive_failures_ = 0;
  std::string last_connect_error_;
  std::mt19937 jitter_{std::random_device{}()};
};

// Opens a connection with reactivation inhibited and every named statement registered.
// Throws libpqxx exceptions.
std::unique_ptr<pqxx::connection> OpenConnection(const std::string& conninfo);

template <typename Fn>
auto PgPool::Run(const char* what, Fn&& fn) -> std::invoke_result_t<Fn, pqxx::connection&> {
  using R = std::invoke_result_t<Fn, pqxx::connection&>;
  auto slot = Acquire(what);
  if (!slot.ok()) {
    return R(slot.status());
  }
  try {
    (*slot)->watch->Arm();
    R r = fn(*(*slot)->conn);
    const bool replication_unconfirmed = (*slot)->watch->tripped();
    Release(*slot, false);
    if (replication_unconfirmed) {
      return R(core::Unknown(std::string(what) +
                             ": the commit's wait for the synchronous standby was cancelled; it committed on the "
                             "primary but may be lost by a failover"));
    }
    return r;
  } catch (...) {
    TranslatedError t = TranslateException(std::current_exception(), what);
    Release(*slot, t.discard_connection);
    OnError(t);
    return R(t.status);
  }
}

}  // namespace vik::store
