#pragma once

// Every SQL statement vikd runs outside migrations/, by name. Each lives in its own file,
// server/store/sql/<area>/<name>.sql (area: the pg_<area>.cc that runs it), with the comment that
// explains it; cmake/EmbedStatements.cmake turns the files into the constants stmt::k<Name>
// (store/sql_statements.h, generated) and the lists below. Prepared statements are registered on
// each pooled connection when it is opened (libpqxx prepares them lazily on first use); DDL and
// session statements that PostgreSQL cannot PREPARE are marked `-- prepared: false` in their file
// and run as is (Statement::sql).

#include <span>

namespace vik::store {

struct Statement {
  const char* name;       // unique; the prepared statement's name (the file's name without .sql)
  const char* sql;        // the file's SQL lines, comments dropped, joined by one space
  bool prepared = true;   // false: DDL or SET, run with exec(sql)
  const char* file = "";  // its file under server/store/sql/, e.g. "ingest/signals_insert.sql"
};

// Every statement, ordered by file. Generated; constant for the life of the process.
std::span<const Statement> AllStatements();

// The statements registered on every pooled connection: all those not marked `prepared: false`.
std::span<const Statement> PreparedStatements();

}  // namespace vik::store

// stmt::kSignalsInsert ... one constant per file of server/store/sql/.
#include "store/sql_statements.h"  // IWYU pragma: export
