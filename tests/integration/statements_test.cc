// The generated statement list (server/store/sql/**/*.sql, cmake/EmbedStatements.cmake) against
// the files and against a freshly migrated schema: a statement whose SQL no longer matches the
// schema fails here, by name, rather than on a pooled connection in production.

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "integration/migrated_store.h"
#include "store/pg_query_rows.h"
#include "store/statements.h"
#include "support/postgres.h"

namespace {

using vik::store::AllStatements;
using vik::store::PreparedStatements;
using vik::store::Statement;
using vik::testing::ExecSql;
using vik::testing::FreshDatabase;

// "name (area/name.sql): what PostgreSQL said" for every statement of `statements` that does not
// compile on `dsn`: prepared ones are PREPAREd (and deallocated), the others (DDL, SET) run in a
// transaction that is rolled back.
std::vector<std::string> StatementsThatFail(const std::string& dsn, std::span<const Statement> statements) {
  std::vector<std::string> failures;
  pqxx::connection conn(dsn);
  for (const Statement& s : statements) {
    try {
      if (s.prepared) {
        pqxx::nontransaction n(conn);
        n.exec(std::string("PREPARE vik_check AS ") + s.sql);
        n.exec("DEALLOCATE vik_check");
      } else {
        pqxx::work w(conn);
        w.exec(s.sql);
        w.abort();
      }
    } catch (const pqxx::sql_error& e) {
      failures.push_back(std::string(s.name) + " (" + s.file + "): " + e.what());
    }
  }
  return failures;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("every file under server/store/sql became one statement named after its file", "[statements]") {
  const std::filesystem::path dir = std::filesystem::path(VIK_SOURCE_DIR) / "server/store/sql";
  std::set<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".sql") {
      files.insert(e.path().lexically_relative(dir).generic_string());
    }
  }
  REQUIRE_FALSE(files.empty());

  std::set<std::string> embedded;
  std::set<std::string> names;
  for (const Statement& s : AllStatements()) {
    INFO("statement " << s.name << " from " << s.file);
    CHECK(embedded.insert(s.file).second);
    CHECK(names.insert(s.name).second);
    CHECK(std::filesystem::path(s.file).stem().string() == s.name);
    CHECK(std::string(s.sql).find("--") == std::string::npos);  // comments never reach the server
    CHECK_FALSE(std::string(s.sql).empty());
  }
  std::vector<std::string> missing;
  std::set_difference(files.begin(), files.end(), embedded.begin(), embedded.end(), std::back_inserter(missing));
  std::vector<std::string> stale;
  std::set_difference(embedded.begin(), embedded.end(), files.begin(), files.end(), std::back_inserter(stale));
  INFO("files not embedded (rebuild?):\n" << Joined(missing) << "embedded without a file:\n" << Joined(stale));
  CHECK(missing.empty());
  CHECK(stale.empty());
}

TEST_CASE("the prepared list holds every statement not marked prepared false, in file order", "[statements]") {
  std::vector<std::string> expected;
  for (const Statement& s : AllStatements()) {
    if (s.prepared) {
      expected.emplace_back(s.name);
    }
  }
  std::vector<std::string> listed;
  for (const Statement& s : PreparedStatements()) {
    listed.emplace_back(s.name);
  }
  CHECK(listed == expected);
  CHECK(vik::store::stmt::kSignalsInsert.prepared);
  CHECK_FALSE(vik::store::stmt::kLeaseLockTimeout.prepared);
  CHECK(std::string(vik::store::stmt::kLeaseLockTimeout.sql) == "SET LOCAL lock_timeout = '500ms'");
}

TEST_CASE("every statement compiles against the migrated schema", "[statements]") {
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = vik::testing::OpenMigratedStore(db.dsn(), registry);
  const auto failures = StatementsThatFail(db.dsn(), AllStatements());
  INFO("statements whose SQL no longer matches the schema:\n" << Joined(failures));
  CHECK(failures.empty());
}

TEST_CASE("a statement that no longer matches the schema is reported by name", "[statements]") {
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = vik::testing::OpenMigratedStore(db.dsn(), registry);
  ExecSql(db.dsn(), "ALTER TABLE cap_feeds RENAME COLUMN entries_seen TO entries_counted");
  const auto failures = StatementsThatFail(db.dsn(), AllStatements());
  INFO(Joined(failures));
  auto named = [&](const std::string& prefix) {
    return std::any_of(failures.begin(), failures.end(), [&](const std::string& f) { return f.rfind(prefix, 0) == 0; });
  };
  CHECK(named("feeds_list (feeds/feeds_list.sql): "));
  CHECK(named("feed_entry_mark (feeds/feed_entry_mark.sql): "));
  CHECK_FALSE(named("signals_insert "));
}

TEST_CASE("every query decoded by column layout returns the columns its layout names", "[statements]") {
  namespace col = vik::store::col;
  namespace stmt = vik::store::stmt;
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = vik::testing::OpenMigratedStore(db.dsn(), registry);
  pqxx::connection conn(db.dsn());
  std::map<std::string, std::vector<pqxx::oid>> types;  // by statement name: its result columns' types
  for (const auto& query : vik::store::kDecodedQueries) {
    const Statement& s = query.statement;
    INFO("statement " << s.name << " (" << s.file << ")");
    // Run with every parameter NULL (no rows, but the result still describes its columns), in a
    // transaction that is rolled back.
    pqxx::work w(conn);
    w.exec(std::string("PREPARE vik_check AS ") + s.sql);
    const int params = w.exec1(
                            "SELECT coalesce(cardinality(parameter_types), 0) FROM pg_prepared_statements"
                            " WHERE name = 'vik_check'")[0]
                           .as<int>();
    std::string execute = "EXECUTE vik_check";
    for (int i = 0; i < params; ++i) {
      execute += (i == 0 ? "(NULL" : ", NULL");
    }
    execute += params > 0 ? ")" : "";
    const auto result = w.exec(execute);
    CHECK(static_cast<int>(result.columns()) == query.columns);
    for (pqxx::row::size_type i = 0; i < result.columns(); ++i) {
      types[s.name].push_back(result.column_type(i));
    }
    w.exec("DEALLOCATE vik_check");  // a prepared statement outlives the transaction
    w.abort();
  }

  // The SELECT lists repeated in several files agree column by column, not only in number.
  struct Same {
    const Statement& a;
    int a_from;
    const Statement& b;
    int b_from;
    int count;
  };
  const Same same[] = {
      {stmt::kPictureSignals, 0, stmt::kPictureWarmupSignals, 0, col::kPictureSignalColumns},
      {stmt::kPictureRisksAll, 0, stmt::kPictureRisksList, 0, col::kRiskColumns},
      {stmt::kPictureRiskRead, 0, stmt::kPictureRisksList, 0, col::kDetailReadColumns},
      {stmt::kPictureRisksByIds, 0, stmt::kPictureRisksList, 0, col::kRiskDetailColumns},
      {stmt::kRiskAssessments, 0, stmt::kPictureRisksList, col::kDetailAssessment, col::kAssessmentColumns},
      {stmt::kSubscriptionRead, 0, stmt::kSubscriptionsList, 0, col::kSubscriptionColumns},
  };
  for (const Same& pair : same) {
    const auto& a = types[pair.a.name];
    const auto& b = types[pair.b.name];
    REQUIRE(static_cast<int>(a.size()) >= pair.a_from + pair.count);
    REQUIRE(static_cast<int>(b.size()) >= pair.b_from + pair.count);
    for (int i = 0; i < pair.count; ++i) {
      INFO(pair.a.name << " column " << pair.a_from + i << " and " << pair.b.name << " column " << pair.b_from + i);
      CHECK(a[static_cast<std::size_t>(pair.a_from + i)] == b[static_cast<std::size_t>(pair.b_from + i)]);
    }
  }
}
