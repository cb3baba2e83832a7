#include "store/pg_pool.h"

#include <algorithm>
#include <cstring>

#include "core/logging.h"
#include "store/statements.h"

namespace vik::store {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::ModuleLogger("store");
  return log;
}

}  // namespace

bool SyncRepWatch::operator()(const char message[]) noexcept {
  if (std::strstr(message, "canceling wait for synchronous replication") != nullptr) {
    tripped_ = true;
  }
  return true;  // the notice goes on to libpqxx's default handler as well
}

std::unique_ptr<pqxx::connection> OpenConnection(const std::string& conninfo) {
  auto conn = std::make_unique<pqxx::connection>(conninfo);
  // Deprecated in libpqxx 6.4 but the only way to stop a silent reconnect onto a new session.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  for (const Statement& s : PreparedStatements()) {
    conn->prepare(s.name, s.sql);
  }
  return conn;
}

PgPool::PgPool(PoolOptions options, StoreMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics), slots_(options_.size) {
  metrics_.pool_size.Set(static_cast<double>(options_.size));
}

PgPool::~PgPool() = default;

core::Result<PgPool::Slot*> PgPool::Acquire(const char* what) {
  const auto start = std::chrono::steady_clock::now();
  Slot* slot = nullptr;
  {
    std::unique_lock lock(mu_);
    auto free_slot = [this]() -> Slot* {
      // Prefer a connected slot so that idle connections are reused before new ones are opened.
      Slot* empty = nullptr;
      for (auto& s : slots_) {
        if (!s.in_use && s.conn) {
          return &s;
        }
        if (!s.in_use && empty == nullptr) {
          empty = &s;
        }
      }
      return empty;
    };
    slot = free_slot();
    if (slot == nullptr) {
      ++waiting_;
      metrics_.pool_waiting.Set(static_cast<double>(waiting_));
      freed_.wait_until(lock, start + options_.acquire_timeout, [&] { return (slot = free_slot()) != nullptr; });
      --waiting_;
      metrics_.pool_waiting.Set(static_cast<double>(waiting_));
    }
    if (slot == nullptr) {
      metrics_.CountError(core::StatusCode::kResourceExhausted);
      return core::ResourceExhausted(std::string(what) + ": all " + std::to_string(options_.size) +
                                     " database connections are busy");
    }
    slot->in_use = true;
    metrics_.pool_in_use.Increment();
  }
  metrics_.acquire_seconds.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!slot->conn || !slot->conn->is_open()) {
    core::Status s = Connect(*slot, what);
    if (!s.ok()) {
      Release(slot, true);
      return s;
    }
  }
  return slot;
}

void PgPool::Release(Slot* slot, bool discard) {
  std::unique_ptr<pqxx::connection> doomed;
  {
    std::lock_guard lock(mu_);
    if (discard) {
      doomed = std::move(slot->conn);
    }
    slot->in_use = false;
    metrics_.pool_in_use.Decrement();
  }
  freed_.notify_one();
  // `doomed` closes outside the lock.
}

core::Status PgPool::Connect(Slot& slot, const char* what) {
  {
    std::lock_guard lock(connect_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (consecutive_failures_ > 0 && now < next_connect_) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_connect_ - now);
      return core::Unavailable(std::string(what) + ": database unavailable (next connection attempt in " +
                               std::to_string(wait.count()) + "ms): " + last_connect_error_);
    }
  }
  slot.conn.reset();
  try {
    slot.conn = OpenConnection(options_.conninfo);
    slot.watch = std::make_unique<SyncRepWatch>(*slot.conn);
  } catch (...) {
    TranslatedError t = TranslateException(std::current_exception(), what);
    metrics_.connect_failures.Increment();
    metrics_.CountError(t.status.code());
    std::lock_guard lock(connect_mu_);
    ++consecutive_failures_;
    const auto base = std::min<long long>(options_.max_backoff.count(), options_.min_backoff.count()
                                                                            << std::min(consecutive_failures_ - 1, 16));
    std::uniform_int_distribution<long long> dist(base / 2, std::max<long long>(base / 2, base));
    next_connect_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(dist(jitter_));
    if (consecutive_failures_ == 1 || last_connect_error_ != t.status.message()) {
      core::LogWarn(*Log(), "cannot connect to the database",
                    {{"error", t.status.message()}, {"failures", consecutive_failures_}});
    }
    last_connect_error_ = t.status.message();
    return core::Unavailable(t.status.message());
  }
  metrics_.connects.Increment();
  std::lock_guard lock(connect_mu_);
  if (consecutive_failures_ > 0) {
    core::LogInfo(*Log(), "database connection restored", {{"after_failures", consecutive_failures_}});
  }
  consecutive_failures_ = 0;
  last_connect_error_.clear();
  return core::Status::Ok();
}

void PgPool::OnError(const TranslatedError& e) {
  metrics_.CountError(e.status.code());
  if (e.discard_connection) {
    core::LogWarn(*Log(), "database connection discarded", {{"error", e.status.message()}});
  }
}

core::Result<std::unique_ptr<pqxx::connection>> PgPool::OpenDedicated(const char* what) {
  try {
    auto conn = OpenConnection(options_.conninfo);
    metrics_.connects.Increment();
    return conn;
  } catch (...) {
    TranslatedError t = TranslateException(std::current_exception(), what);
    metrics_.connect_failures.Increment();
    metrics_.CountError(t.status.code());
    return t.status;
  }
}

void PgPool::CloseIdle() {
  std::vector<std::unique_ptr<pqxx::connection>> doomed;
  {
    std::lock_guard lock(mu_);
    for (auto& s : slots_) {
      if (!s.in_use && s.conn) {
        doomed.push_back(std::move(s.conn));
      }
    }
  }
}

}  // namespace vik::store
