#include "store/pg_migrator.h"

#include <pqxx/pqxx>

#include "core/logging.h"
#include "store/statements.h"

namespace vik::store {
namespace {

template <typename Tx>
std::vector<AppliedMigration> ReadApplied(Tx& tx) {
  std::vector<AppliedMigration> out;
  if (!tx.exec_prepared1(stmt::kSchemaTableExists.name)[0].template as<bool>()) {
    return out;
  }
  for (const auto& row : tx.exec_prepared(stmt::kSchemaApplied.name)) {
    out.push_back({row[0].template as<int>(), row[1].template as<std::string>(), row[2].template as<std::string>()});
  }
  return out;
}

}  // namespace

PgMigrator::PgMigrator(PgPool& pool, std::vector<Migration> known, std::string applied_by)
    : pool_(pool), known_(std::move(known)), applied_by_(std::move(applied_by)) {}

core::Result<int> PgMigrator::Migrate() {
  auto log = core::ModuleLogger("store");
  auto opened = pool_.OpenDedicated("migrate");
  if (!opened.ok()) {
    return opened.status();
  }
  std::unique_ptr<pqxx::connection> conn = std::move(opened).value();
  const char* step = "migrate: acquire the migration lock";
  try {
    std::vector<Migration> pending;
    {
      pqxx::nontransaction n(*conn);
      n.exec(stmt::kNoStatementTimeout.sql);
      n.exec(stmt::kMigrateLockTimeout.sql);
      n.exec_prepared(stmt::kMigrateLock.name);
      step = "migrate: read applied migrations";
      n.exec(stmt::kSchemaCreateTable.sql);
      auto plan = PlanMigrations(known_, ReadApplied(n));
      if (!plan.ok()) {
        return plan.status();  // the session (and its lock) ends with the connection
      }
      pending = std::move(plan).value();
    }
    for (const Migration& m : pending) {
      step = "migrate: apply migration";
      const auto start = std::chrono::steady_clock::now();
      pqxx::work w(*conn);
      w.exec(m.sql);
      w.exec_prepared(stmt::kSchemaRecord.name, m.version, m.name, m.checksum, applied_by_);
      w.commit();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      core::LogInfo(*log, "migration applied",
                    {{"version", m.version}, {"file", m.filename}, {"ms", static_cast<std::int64_t>(ms.count())}});
    }
    step = "migrate: release the migration lock";
    pqxx::nontransaction n(*conn);
    n.exec_prepared(stmt::kMigrateUnlock.name);
    return static_cast<int>(pending.size());
  } catch (...) {
    TranslatedError t = TranslateException(std::current_exception(), step);
    return t.status;
  }
}

core::Status PgMigrator::CheckSchema(bool allow_newer) {
  return pool_.Run("check schema", [this, allow_newer](pqxx::connection& c) -> core::Status {
    pqxx::read_transaction tx(c);
    auto plan = PlanMigrations(known_, ReadApplied(tx), allow_newer);
    if (!plan.ok()) {
      return plan.status();
    }
    if (!plan->empty()) {
      return core::FailedPrecondition("database schema is behind: " + std::to_string(plan->size()) +
                                      " migration(s) pending, first " + plan->front().filename +
                                      "; run `vikd migrate`");
    }
    return core::Status::Ok();
  });
}

}  // namespace vik::store
