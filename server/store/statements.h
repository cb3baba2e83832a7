#pragma once

// Every SQL statement vikd runs outside migrations/, by name. Prepared statements are registered on
// each pooled connection when it is opened (libpqxx prepares them lazily on first use); DDL and
// session statements that PostgreSQL cannot PREPARE are marked `prepared = false` and run as is.

#include <span>

namespace vik::store {

struct Statement {
  const char* name;
  const char* sql;
  bool prepared = true;
};

namespace stmt {

inline constexpr Statement kPing{"ping", "SELECT 1"};

// --- schema_migrations (owned by PgMigrator) ---
inline constexpr Statement kSchemaTableExists{
    "schema_table_exists", "SELECT to_regclass('schema_migrations') IS NOT NULL"};
inline constexpr Statement kSchemaApplied{
    "schema_applied", "SELECT version, name, checksum FROM schema_migrations ORDER BY version"};
inline constexpr Statement kSchemaCreateTable{
    "schema_create_table",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL)",
    false};
inline constexpr Statement kSchemaRecord{
    "schema_record",
    "INSERT INTO schema_migrations (version, name, checksum, applied_by) VALUES ($1, $2, $3, $4)"};
// Session-level advisory lock serialising `migrate` across instances. Key: 'vik.migrate' hashed.
inline constexpr Statement kMigrateLock{"migrate_lock", "SELECT pg_advisory_lock(hashtext('vik.migrate'))"};
inline constexpr Statement kMigrateUnlock{"migrate_unlock",
                                          "SELECT pg_advisory_unlock(hashtext('vik.migrate'))"};
// On the dedicated migration session only: migrations and the lock wait may take longer than the
// service's statement timeout.
inline constexpr Statement kNoStatementTimeout{"no_statement_timeout", "SET statement_timeout = 0",
                                               false};
// ... but waiting for another instance's migration run is bounded.
inline constexpr Statement kMigrateLockTimeout{"migrate_lock_timeout", "SET lock_timeout = '120s'", false};

// --- instances ---
inline constexpr Statement kInstanceUpsert{
    "instance_upsert",
    "INSERT INTO instances (node_id, region, version, http_address, grpc_address, started_at, last_seen_at)"
    " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision), now())"
    " ON CONFLICT (node_id) DO UPDATE SET region = EXCLUDED.region, version = EXCLUDED.version,"
    " http_address = EXCLUDED.http_address, grpc_address = EXCLUDED.grpc_address,"
    " started_at = EXCLUDED.started_at, last_seen_at = now()"};
inline constexpr Statement kInstanceSeen{
    "instance_seen", "UPDATE instances SET last_seen_at = now() WHERE node_id = $1"};

}  // namespace stmt

// The statements registered on every pooled connection.
std::span<const Statement> PreparedStatements();

}  // namespace vik::store
