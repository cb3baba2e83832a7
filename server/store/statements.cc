#include "store/statements.h"

#include <array>

namespace vik::store {

std::span<const Statement> PreparedStatements() {
  static constexpr std::array kAll = {
      stmt::kPing,         stmt::kSchemaTableExists, stmt::kSchemaApplied,  stmt::kSchemaRecord,
      stmt::kMigrateLock,  stmt::kMigrateUnlock,     stmt::kInstanceUpsert, stmt::kInstanceSeen,
  };
  return kAll;
}

}  // namespace vik::store
