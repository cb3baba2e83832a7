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

// --- ingest: signals (payloads travel as one JSON array parameter; bytea as base64/hex) ---
inline constexpr Statement kSignalsInsert{
    "signals_insert",
    "WITH input AS ("
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, source text, external_id text, payload text,"
    " msg_type text, status text, kind text, categories text[], theme text, urgency text, severity text,"
    " certainty text, sent_at timestamptz, onset_at timestamptz, expires_at timestamptz,"
    " municipalities text[], headline text, refs jsonb, partner text))"
    " INSERT INTO signals (source, external_id, content_hash, msg_type, status, kind, categories, theme,"
    " urgency, severity, certainty, sent_at, onset_at, expires_at, municipalities, headline, refs, payload,"
    " received_by, partner)"
    " SELECT source, external_id, sha256(decode(payload, 'base64')), msg_type, status, kind, categories, theme,"
    " urgency, severity, certainty, sent_at, onset_at, expires_at, municipalities, headline, refs,"
    " decode(payload, 'base64'), $2, partner FROM input ORDER BY i"
    " ON CONFLICT (source, external_id) DO NOTHING"
    " RETURNING source, external_id, id::text, extract(epoch FROM received_at)::float8"};
// For rows the insert skipped: the stored row and whether its content hash equals the new one.
inline constexpr Statement kSignalsLookup{
    "signals_lookup",
    "SELECT x.i, s.id::text, extract(epoch FROM s.received_at)::float8,"
    " s.content_hash = sha256(decode(x.payload, 'base64'))"
    " FROM jsonb_to_recordset($1::jsonb) AS x(i int, source text, external_id text, payload text)"
    " JOIN signals s ON s.source = x.source AND s.external_id = x.external_id"};
inline constexpr Statement kAuditInsert{
    "audit_insert",
    "INSERT INTO audit_log (actor, origin, action, object, result)"
    " SELECT actor, origin, action, object, result"
    " FROM jsonb_to_recordset($1::jsonb) AS x(actor text, origin text, action text, object jsonb, result text)"};

// --- credentials and reference data ---
inline constexpr Statement kTokensActive{
    "tokens_active",
    "SELECT id, partner, encode(digest, 'hex'), array_to_string(scopes, ','),"
    " extract(epoch FROM created_at)::float8 FROM tokens WHERE revoked_at IS NULL"};
inline constexpr Statement kTokensAll{
    "tokens_all",
    "SELECT id, partner, array_to_string(scopes, ','), extract(epoch FROM created_at)::float8,"
    " extract(epoch FROM revoked_at)::float8 FROM tokens ORDER BY created_at, id"};
inline constexpr Statement kSourcesAll{
    "sources_all", "SELECT id, partner, extract(epoch FROM expected_interval)::bigint FROM sources ORDER BY id"};
inline constexpr Statement kMunicipalitiesOfRegion{
    "municipalities_of_region", "SELECT gm_code FROM municipalities WHERE region_code = $1"};
inline constexpr Statement kThemesAll{"themes_all", "SELECT code FROM themes"};

// --- administration ---
inline constexpr Statement kPartnerInsert{"partner_insert", "INSERT INTO partners (name) VALUES ($1)"};
inline constexpr Statement kSourceInsert{
    "source_insert",
    "INSERT INTO sources (id, partner, expected_interval) VALUES ($1, $2, make_interval(secs => $3::float8))"};
inline constexpr Statement kSourceInsertIrregular{
    "source_insert_irregular", "INSERT INTO sources (id, partner) VALUES ($1, $2)"};
inline constexpr Statement kTokenInsert{
    "token_insert",
    "INSERT INTO tokens (id, partner, digest, scopes) VALUES ($1, $2, decode($3, 'hex'), string_to_array($4, ','))"};
inline constexpr Statement kTokenRevoke{
    "token_revoke", "UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id"};
inline constexpr Statement kTokenExists{"token_exists", "SELECT 1 FROM tokens WHERE id = $1"};

// --- cluster: the leader lease (expiry by the database clock) and singleton writes ---
inline constexpr Statement kLeaseAcquire{
    "lease_acquire",
    "INSERT INTO leases AS l (name, holder, epoch, expires_at, acquired_at, renewed_at)"
    " VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::float8), clock_timestamp(),"
    " clock_timestamp())"
    // Times are taken when the update runs, i.e. after any wait for a fenced write's row lock.
    " ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = l.epoch + 1,"
    " expires_at = clock_timestamp() + make_interval(secs => $3::float8), acquired_at = clock_timestamp(),"
    " renewed_at = clock_timestamp()"
    " WHERE l.holder IS NULL OR l.expires_at < clock_timestamp()"
    " RETURNING epoch"};
// A bid or renewal never waits long for a (possibly frozen) fenced writer's row lock: it fails
// fast (55P03 -> ABORTED) and the next round tries again with a fresh local deadline.
inline constexpr Statement kLeaseLockTimeout{"lease_lock_timeout", "SET LOCAL lock_timeout = '500ms'", false};
inline constexpr Statement kLeaseRenew{
    "lease_renew",
    "UPDATE leases SET expires_at = clock_timestamp() + make_interval(secs => $4::float8),"
    " renewed_at = clock_timestamp()"
    " WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp() RETURNING epoch"};
inline constexpr Statement kLeaseRelease{
    "lease_release",
    "UPDATE leases SET holder = NULL, expires_at = clock_timestamp()"
    " WHERE name = $1 AND holder = $2 AND epoch = $3"};
// The fence: share-locks the lease row, so a takeover waits until this transaction ends.
inline constexpr Statement kLeaseFence{
    "lease_fence",
    "SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()"
    " FOR SHARE"};
inline constexpr Statement kLeaseRead{
    "lease_read",
    "SELECT holder, epoch, extract(epoch FROM expires_at)::float8, expires_at > clock_timestamp()"
    " FROM leases WHERE name = $1"};
inline constexpr Statement kHeartbeatInsert{
    "heartbeat_insert", "INSERT INTO leader_heartbeats (lease, holder, epoch) VALUES ($1, $2, $3)"};
inline constexpr Statement kHeartbeatPrune{
    "heartbeat_prune", "DELETE FROM leader_heartbeats WHERE at < clock_timestamp() - make_interval(secs => $1::float8)"};
inline constexpr Statement kInstancesAll{
    "instances_all",
    "SELECT node_id, region, version, http_address, grpc_address, extract(epoch FROM started_at)::float8,"
    " extract(epoch FROM last_seen_at)::float8, last_seen_at > now() - make_interval(secs => $1::float8)"
    " FROM instances ORDER BY node_id"};

}  // namespace stmt

// The statements registered on every pooled connection.
std::span<const Statement> PreparedStatements();

}  // namespace vik::store
