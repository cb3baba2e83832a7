#pragma once

// The ordered set of schema migrations this binary knows, and the pure rules that compare it with
// what a database has applied. No I/O beyond reading a directory; the database side is PgMigrator.
//
// A migration file is named NNNN_name.sql (four or more digits, a lowercase snake_case name),
// versions are unique, start at 1 and have no gaps. Files are forward-only: once applied, a file
// must never change (its SHA-256 is recorded and compared).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace vik::store {

struct Migration {
  int version = 0;
  std::string name;      // "instances" for 0001_instances.sql
  std::string filename;  // "0001_instances.sql"
  std::string sql;
  std::string checksum;  // hex SHA-256 of sql
};

struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string checksum;
};

// Builds a migration from a file name and its contents; INVALID_ARGUMENT for a bad name.
core::Result<Migration> MakeMigration(const std::string& filename, std::string sql);

// Sorts and checks versions (unique, 1..N without gaps).
core::Result<std::vector<Migration>> OrderMigrations(std::vector<Migration> migrations);

// The migrations compiled into this binary.
core::Result<std::vector<Migration>> EmbeddedMigrations();

// Every *.sql file of `dir` (other files are ignored).
core::Result<std::vector<Migration>> LoadMigrationsDir(const std::filesystem::path& dir);

// What must be applied to bring `applied` up to `known`, in order. Fails with
// FAILED_PRECONDITION when an applied migration's checksum differs from the file's (an edited
// file), and, unless `allow_newer`, when the database is newer than the binary (an applied version
// this binary does not know).
core::Result<std::vector<Migration>> PlanMigrations(const std::vector<Migration>& known,
                                                    const std::vector<AppliedMigration>& applied,
                                                    bool allow_newer = false);

}  // namespace vik::store
