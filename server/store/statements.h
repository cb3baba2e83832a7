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
// Inserts new signals (ON CONFLICT DO NOTHING). A reference parked earlier for a new signal (by its
// external_id, or by its CAP message's identifier; same partner and status) ends it on arrival: the
// row is inserted already cancelled or superseded, and the parked references of the rows actually
// inserted are marked resolved, in this one statement (no extra round trip for the group commit).
// A reference parked concurrently with the insert is applied by the leader's sweep
// (kPendingReferencesSweep).
inline constexpr Statement kSignalsInsert{
    "signals_insert",
    "WITH input AS ("
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, source text, external_id text, payload text,"
    " msg_type text, status text, kind text, categories text[], theme text, urgency text, severity text,"
    " certainty text, sent_at timestamptz, onset_at timestamptz, expires_at timestamptz,"
    " municipalities text[], headline text, refs jsonb, partner text, cap_message_id uuid, cap_info_index int,"
    " cap_identifier text)),"
    " parked_all AS ("
    " SELECT x.i, p.id AS pid, p.action, p.ended_by, p.ended_at FROM input x JOIN pending_references p"
    " ON p.resolved_at IS NULL AND p.ref_source = x.source AND p.partner = x.partner AND p.status = x.status"
    " AND (p.ref_identifier = x.external_id OR p.ref_identifier = x.cap_identifier)),"
    " parked AS (SELECT DISTINCT ON (i) i, action, ended_by, ended_at FROM parked_all ORDER BY i, ended_at),"
    " inserted AS ("
    " INSERT INTO signals (source, external_id, content_hash, msg_type, status, kind, categories, theme,"
    " urgency, severity, certainty, sent_at, onset_at, expires_at, municipalities, headline, refs, payload,"
    " received_by, partner, cap_message_id, cap_info_index, state, ended_at, ended_by)"
    " SELECT x.source, x.external_id, sha256(decode(x.payload, 'base64')), x.msg_type, x.status, x.kind,"
    " x.categories, x.theme, x.urgency, x.severity, x.certainty, x.sent_at, x.onset_at, x.expires_at,"
    " x.municipalities, x.headline, x.refs, decode(x.payload, 'base64'), $2, x.partner, x.cap_message_id,"
    " x.cap_info_index,"
    " CASE p.action WHEN 'cancel' THEN 'cancelled' WHEN 'update' THEN 'superseded' ELSE 'active' END,"
    " p.ended_at, p.ended_by"
    " FROM input x LEFT JOIN parked p ON p.i = x.i ORDER BY x.i"
    " ON CONFLICT (source, external_id) DO NOTHING"
    " RETURNING source, external_id, id, received_at),"
    " resolved AS ("
    " UPDATE pending_references p SET resolved_at = now()"
    " FROM parked_all a JOIN input x ON x.i = a.i"
    " JOIN inserted n ON n.source = x.source AND n.external_id = x.external_id"
    " WHERE p.id = a.pid RETURNING 1)"
    " SELECT source, external_id, id::text, extract(epoch FROM received_at)::float8 FROM inserted"};
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

// --- references: cancels and updates end the validity of the signals they name ---
// A reference names (source, identifier): a CAP message's identifier (all its signals) or a
// signal's external_id. Only active signals of the referrer's partner and status are touched: a
// partner never ends another partner's signals, an exercise never an actual one. Targets are found
// by two index lookups (signals (source, external_id); cap_messages (source, identifier) ->
// signals_cap_message), never by scanning.
// $1: [{i, partner, source, identifier, action 'cancel'|'update', status, ended_by, ended_at}].
// References to nothing stored yet are parked in pending_references, while the referrer's partner
// has fewer than $2 open ones (ingest.max_pending_references; concurrent transactions of one
// partner may each fill the last places, so the bound is exceeded by at most their references);
// the rest are dropped. Returns (signals ended, references parked, the dropped inputs' i as
// "3,7" or '').
inline constexpr Statement kReferencesApply{
    "references_apply",
    "WITH input AS ("
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, partner text, source text, identifier text,"
    " action text, status text, ended_by text, ended_at timestamptz)),"
    " candidates AS ("
    " SELECT x.i, s.id FROM input x JOIN signals s ON s.source = x.source AND s.external_id = x.identifier"
    " UNION ALL"
    " SELECT x.i, s.id FROM input x JOIN cap_messages m ON m.source = x.source AND m.identifier = x.identifier"
    " JOIN signals s ON s.cap_message_id = m.id),"
    " targets AS ("
    " SELECT DISTINCT ON (s.id) s.id, x.action, x.ended_by, x.ended_at FROM candidates c"
    " JOIN input x ON x.i = c.i JOIN signals s ON s.id = c.id"
    " WHERE s.partner = x.partner AND s.status = x.status AND s.state = 'active'"
    " ORDER BY s.id, x.i),"
    " ended AS ("
    " UPDATE signals s SET state = CASE WHEN t.action = 'cancel' THEN 'cancelled' ELSE 'superseded' END,"
    " ended_at = t.ended_at, ended_by = t.ended_by FROM targets t WHERE s.id = t.id AND s.state = 'active'"
    " RETURNING 1),"
    " unknown AS ("
    " SELECT x.*, row_number() OVER (PARTITION BY x.partner ORDER BY x.i) AS n FROM input x"
    " WHERE NOT EXISTS (SELECT 1 FROM cap_messages m WHERE m.source = x.source AND m.identifier = x.identifier)"
    " AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.source = x.source AND s.external_id = x.identifier)),"
    " room AS ("
    " SELECT q.partner, $2::bigint - (SELECT count(*) FROM (SELECT 1 FROM pending_references p"
    " WHERE p.partner = q.partner AND p.resolved_at IS NULL LIMIT $2::bigint) c) AS free"
    " FROM (SELECT DISTINCT partner FROM unknown) q),"
    " parked AS ("
    " INSERT INTO pending_references (partner, ref_source, ref_identifier, action, status, ended_by, ended_at)"
    " SELECT u.partner, u.source, u.identifier, u.action, u.status, u.ended_by, u.ended_at FROM unknown u"
    " JOIN room r ON r.partner = u.partner WHERE u.n <= r.free"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM ended), (SELECT count(*) FROM parked),"
    " (SELECT coalesce(string_agg(u.i::text, ',' ORDER BY u.i), '') FROM unknown u JOIN room r ON r.partner = u.partner"
    " WHERE u.n > r.free)"};
// Marks the references parked for a CAP message as resolved once it is stored ($1 source, $2
// identifier). Its signals were already ended on insert (kSignalsInsert); this covers messages
// without signals (Ack, Error, no <info>).
inline constexpr Statement kPendingReferencesResolve{
    "pending_references_resolve",
    "UPDATE pending_references SET resolved_at = now()"
    " WHERE resolved_at IS NULL AND ref_source = $1 AND ref_identifier = $2"};
// The leader's sweep for references parked while their target was being stored concurrently (under
// READ COMMITTED neither transaction sees the other): applies open references, at most $1 of them
// and none older than $2 seconds, whose target now exists; marks them resolved. Returns the
// number of signals ended.
inline constexpr Statement kPendingReferencesSweep{
    "pending_references_sweep",
    "WITH open AS ("
    " SELECT p.* FROM pending_references p WHERE p.resolved_at IS NULL"
    " AND p.created_at > now() - make_interval(secs => $2) ORDER BY p.id DESC LIMIT $1),"
    " candidates AS ("
    " SELECT o.id AS pid, s.id FROM open o JOIN signals s ON s.source = o.ref_source"
    " AND s.external_id = o.ref_identifier"
    " UNION ALL"
    " SELECT o.id, s.id FROM open o JOIN cap_messages m ON m.source = o.ref_source"
    " AND m.identifier = o.ref_identifier JOIN signals s ON s.cap_message_id = m.id),"
    " arrived AS ("
    " SELECT o.id FROM open o WHERE EXISTS (SELECT 1 FROM candidates c WHERE c.pid = o.id)"
    " OR EXISTS (SELECT 1 FROM cap_messages m WHERE m.source = o.ref_source AND m.identifier = o.ref_identifier)),"
    " targets AS ("
    " SELECT DISTINCT ON (s.id) s.id, o.action, o.ended_by, o.ended_at FROM candidates c"
    " JOIN open o ON o.id = c.pid JOIN signals s ON s.id = c.id"
    " WHERE s.partner = o.partner AND s.status = o.status AND s.state = 'active'"
    " ORDER BY s.id, o.ended_at),"
    " resolved AS ("
    " UPDATE pending_references p SET resolved_at = now() FROM arrived a WHERE p.id = a.id RETURNING 1),"
    " ended AS ("
    " UPDATE signals s SET state = CASE WHEN t.action = 'cancel' THEN 'cancelled' ELSE 'superseded' END,"
    " ended_at = t.ended_at, ended_by = t.ended_by FROM targets t WHERE s.id = t.id AND s.state = 'active'"
    " RETURNING 1)"
    " SELECT count(*) FROM ended"};

// Parked references older than $1 seconds (resolved or not), at most $2 per call: the retention
// of pending_references (ingest.pending_references_retention). Returns the number deleted.
inline constexpr Statement kPendingReferencesPrune{
    "pending_references_prune",
    "WITH old AS (SELECT id FROM pending_references WHERE created_at < now() - make_interval(secs => $1)"
    " ORDER BY created_at LIMIT $2),"
    " gone AS (DELETE FROM pending_references p USING old WHERE p.id = old.id RETURNING 1)"
    " SELECT count(*) FROM gone"};
// The partner of a subscription to be created, locked (so that concurrent creates count in turn),
// with its number of subscriptions; no row when there is no such partner.
inline constexpr Statement kSubscriptionPartnerCount{
    "subscription_partner_count",
    "SELECT (SELECT count(*) FROM subscriptions s WHERE s.partner = $1) FROM partners WHERE name = $1 FOR UPDATE"};

// --- CAP messages ---
// Inserts the message; no row when (source, identifier) is taken.
inline constexpr Statement kCapMessageInsert{
    "cap_message_insert",
    "INSERT INTO cap_messages (source, identifier, sent, sent_at, status, msg_type, scope, cap_version, refs,"
    " raw, content_hash, info_count, via, partner, received_by)"
    " VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9::jsonb, decode($10, 'base64'),"
    " sha256(decode($10, 'base64')), $11, $12, $13, $14)"
    " ON CONFLICT (source, identifier) DO NOTHING"
    " RETURNING id::text, extract(epoch FROM received_at)::float8"};
// The stored message with that key: id, received_at, whether `raw` ($3, base64) is the same bytes.
inline constexpr Statement kCapMessageLookup{
    "cap_message_lookup",
    "SELECT id::text, extract(epoch FROM received_at)::float8, content_hash = sha256(decode($3, 'base64'))"
    " FROM cap_messages WHERE source = $1 AND identifier = $2"};
// The signals made from a message, by info index.
inline constexpr Statement kCapMessageSignals{
    "cap_message_signals",
    "SELECT cap_info_index, id::text, source, external_id, extract(epoch FROM received_at)::float8"
    " FROM signals WHERE cap_message_id = $1::uuid ORDER BY cap_info_index"};
// A signal with its canonical payload and lifecycle.
inline constexpr Statement kSignalRead{
    "signal_read",
    "SELECT id::text, source, external_id, payload, cap_message_id::text, status, state,"
    " extract(epoch FROM received_at)::float8 FROM signals WHERE id = $1::uuid"};
// Stored signals, newest first, filtered; keyset pagination on (received_at, id).
// $1 status, $2 state or '', $3 theme (the code and its sub-themes) or '', $4 municipality or '',
// $5 source or '', $6 cursor received_at in microseconds since the epoch or -1, $7 cursor id,
// $8 limit.
inline constexpr Statement kSignalsList{
    "signals_list",
    "SELECT id::text, source, external_id, payload, coalesce(cap_message_id::text, ''), status, state,"
    " (extract(epoch FROM received_at) * 1000000)::bigint, coalesce(ended_by, ''),"
    " coalesce((extract(epoch FROM ended_at) * 1000000)::bigint, 0)"
    " FROM signals WHERE status = $1 AND ($2 = '' OR state = $2)"
    " AND ($3 = '' OR theme = $3 OR theme LIKE $3 || '.%') AND ($4 = '' OR $4 = ANY (municipalities))"
    " AND ($5 = '' OR source = $5)"
    " AND ($6::bigint < 0 OR (received_at, id) < ('epoch'::timestamptz + $6::bigint * interval '1 microsecond', $7::uuid))"
    " ORDER BY received_at DESC, id DESC LIMIT $8"};
// The region's current alerts of one status ($2: 'actual', 'exercise', ...) for the CAP index:
// active, not expired, not a cancel, placed in the region (at least one municipality); one row per
// CAP message. $1: limit. Reads at most 4 x $1 of the newest matching signals (index
// signals_current), so its cost does not grow with the history stored.
inline constexpr Statement kCurrentAlerts{
    "current_alerts",
    "SELECT id::text, source, headline, categories, extract(epoch FROM sent_at)::float8,"
    " extract(epoch FROM received_at)::float8, extract(epoch FROM expires_at)::float8, severity FROM ("
    " SELECT DISTINCT ON (coalesce(cap_message_id, id)) * FROM ("
    " SELECT * FROM signals WHERE status = $2 AND state = 'active' AND msg_type <> 'cancel'"
    " AND (expires_at IS NULL OR expires_at > now()) AND municipalities <> '{}'"
    " ORDER BY sent_at DESC LIMIT $1 * 4) AS newest"  // newest first by index; up to 4 infos per message
    " ORDER BY coalesce(cap_message_id, id), cap_info_index NULLS FIRST) AS current"
    " ORDER BY sent_at DESC, id LIMIT $1"};
// The region's municipality boundaries (rings in CAP polygon form).
inline constexpr Statement kBoundariesOfRegion{
    "boundaries_of_region",
    "SELECT b.gm_code, b.ring FROM municipality_boundaries b JOIN municipalities m ON m.gm_code = b.gm_code"
    " WHERE m.region_code = $1 ORDER BY b.gm_code, b.part"};
inline constexpr Statement kCapMessageRaw{
    "cap_message_raw",
    "SELECT id::text, source, identifier, status, msg_type, raw FROM cap_messages WHERE id = $1::uuid"};

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
inline constexpr Statement kCapCategoryThemes{"cap_category_themes",
                                              "SELECT cap_category, theme FROM cap_category_themes"};

// --- reference data files (vikd reference load): upserts by key, never deletes ---
inline constexpr Statement kRefRegionsUpsert{
    "ref_regions_upsert",
    "INSERT INTO regions (code, nr, name, province)"
    " SELECT code, nr, name, nullif(province, '') FROM jsonb_to_recordset($1::jsonb)"
    " AS x(code text, nr int, name text, province text)"
    " ON CONFLICT (code) DO UPDATE SET nr = EXCLUDED.nr, name = EXCLUDED.name, province = EXCLUDED.province"};
// Successors are set in a second statement, once every municipality of the file exists.
inline constexpr Statement kRefMunicipalitiesUpsert{
    "ref_municipalities_upsert",
    "INSERT INTO municipalities (gm_code, name, region_code, valid_from, valid_to)"
    " SELECT gm_code, name, region, nullif(valid_from, '')::date, nullif(valid_to, '')::date"
    " FROM jsonb_to_recordset($1::jsonb) AS x(gm_code text, name text, region text, valid_from text, valid_to text)"
    " ON CONFLICT (gm_code) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code,"
    " valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to"};
inline constexpr Statement kRefMunicipalitySuccessors{
    "ref_municipality_successors",
    "UPDATE municipalities m SET successor = nullif(x.successor, '')"
    " FROM jsonb_to_recordset($1::jsonb) AS x(gm_code text, successor text) WHERE m.gm_code = x.gm_code"};
// Parents are set in a second statement, once every theme of the file exists.
inline constexpr Statement kRefThemesUpsert{
    "ref_themes_upsert",
    "INSERT INTO themes (code, label, cap_category)"
    " SELECT code, label, nullif(cap_category, '') FROM jsonb_to_recordset($1::jsonb)"
    " AS x(code text, label text, cap_category text)"
    " ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, cap_category = EXCLUDED.cap_category"};
inline constexpr Statement kRefThemeParents{
    "ref_theme_parents",
    "UPDATE themes t SET parent = nullif(x.parent, '')"
    " FROM jsonb_to_recordset($1::jsonb) AS x(code text, parent text) WHERE t.code = x.code"};
inline constexpr Statement kRefCapCategoryThemesUpsert{
    "ref_cap_category_themes_upsert",
    "INSERT INTO cap_category_themes (cap_category, theme)"
    " SELECT cap_category, theme FROM jsonb_to_recordset($1::jsonb) AS x(cap_category text, theme text)"
    " ON CONFLICT (cap_category) DO UPDATE SET theme = EXCLUDED.theme"};
inline constexpr Statement kRefImpactClassesUpsert{
    "ref_impact_classes_upsert",
    "INSERT INTO impact_classes (code, label_nl, label_en)"
    " SELECT code, label_nl, label_en FROM jsonb_to_recordset($1::jsonb) AS x(code text, label_nl text, label_en text)"
    " ON CONFLICT (code) DO UPDATE SET label_nl = EXCLUDED.label_nl, label_en = EXCLUDED.label_en"};
inline constexpr Statement kRefLikelihoodClassesUpsert{
    "ref_likelihood_classes_upsert",
    "INSERT INTO likelihood_classes (code, label_nl, chance, description)"
    " SELECT code, label_nl, chance, description FROM jsonb_to_recordset($1::jsonb)"
    " AS x(code text, label_nl text, chance text, description text)"
    " ON CONFLICT (code) DO UPDATE SET label_nl = EXCLUDED.label_nl, chance = EXCLUDED.chance,"
    " description = EXCLUDED.description"};
// Ordinals are unique: the rows of the file first move their old ordinals out of the way.
inline constexpr Statement kRefGripLevelsMove{
    "ref_grip_levels_move",
    "UPDATE grip_levels SET ordinal = -1000 - ordinal"
    " WHERE code IN (SELECT code FROM jsonb_to_recordset($1::jsonb) AS x(code text))"};
inline constexpr Statement kRefGripLevelsUpsert{
    "ref_grip_levels_upsert",
    "INSERT INTO grip_levels (code, ordinal, label, description)"
    " SELECT code, ordinal, label, description FROM jsonb_to_recordset($1::jsonb)"
    " AS x(code text, ordinal int, label text, description text)"
    " ON CONFLICT (code) DO UPDATE SET ordinal = EXCLUDED.ordinal, label = EXCLUDED.label,"
    " description = EXCLUDED.description"};
inline constexpr Statement kRefCrisisPhasesMove{
    "ref_crisis_phases_move",
    "UPDATE crisis_phases SET ordinal = -1000 - ordinal"
    " WHERE code IN (SELECT code FROM jsonb_to_recordset($1::jsonb) AS x(code text))"};
inline constexpr Statement kRefCrisisPhasesUpsert{
    "ref_crisis_phases_upsert",
    "INSERT INTO crisis_phases (code, ordinal, label, description)"
    " SELECT code, ordinal, label, description FROM jsonb_to_recordset($1::jsonb)"
    " AS x(code text, ordinal int, label text, description text)"
    " ON CONFLICT (code) DO UPDATE SET ordinal = EXCLUDED.ordinal, label = EXCLUDED.label,"
    " description = EXCLUDED.description"};

// --- the region's crisis state (GRIP level, phase), versioned ---
inline constexpr Statement kRegionStateCurrent{
    "region_state_current",
    "SELECT version, coalesce(grip_level, ''), phase, reason, set_by,"
    " (extract(epoch FROM set_at) * 1000000)::bigint FROM region_states WHERE region = $1"
    " ORDER BY version DESC LIMIT 1"};
inline constexpr Statement kRegionStateHistory{
    "region_state_history",
    "SELECT version, coalesce(grip_level, ''), phase, reason, set_by,"
    " (extract(epoch FROM set_at) * 1000000)::bigint FROM region_states WHERE region = $1"
    " ORDER BY version DESC LIMIT $2"};
// Appends version $2 when the current version is $2 - 1 (0: none yet); no row when it is not (a
// concurrent writer won: the primary key serialises them).
inline constexpr Statement kRegionStateAppend{
    "region_state_append",
    "INSERT INTO region_states (region, version, grip_level, phase, reason, set_by)"
    " SELECT $1, $2, nullif($3, ''), $4, $5, $6"
    " WHERE coalesce((SELECT max(version) FROM region_states WHERE region = $1), 0) = $2 - 1"
    " ON CONFLICT (region, version) DO NOTHING"
    " RETURNING (extract(epoch FROM set_at) * 1000000)::bigint"};

// --- the risk picture (pg_picture.cc; migrations/0010_risk_picture.sql) ---
// The engine's columns of a signal (times in microseconds, -1 for none).
#define VIK_PICTURE_SIGNAL_COLUMNS                                                                       \
  "id::text, source, theme, municipalities, status, state, msg_type, kind, severity, certainty, urgency," \
  " (extract(epoch FROM sent_at) * 1000000)::bigint,"                                                    \
  " coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),"                                     \
  " coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1),"                                   \
  " (extract(epoch FROM received_at) * 1000000)::bigint"
// Signals by id ($1: JSON array of ids), of any status (test and system signals count for their
// source's freshness; only actual and exercise signals enter a picture).
inline constexpr Statement kPictureSignals{
    "picture_signals",
    "SELECT " VIK_PICTURE_SIGNAL_COLUMNS " FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)"};
// When the oldest committed change after the cursor was written (microseconds); no row when none.
inline constexpr Statement kPictureOldestUnread{
    "picture_oldest_unread",
    "SELECT (extract(epoch FROM at) * 1000000)::bigint FROM changes WHERE (xid, seq) > ($1::text::xid8, $2::bigint)"
    " ORDER BY xid, seq LIMIT 1"};
// Signals that can contribute at the warm-up instant: active, and expiring after $1 (microseconds),
// or without expiry and starting after $2.
inline constexpr Statement kPictureWarmupSignals{
    "picture_warmup_signals",
    "SELECT " VIK_PICTURE_SIGNAL_COLUMNS " FROM signals"
    " WHERE status IN ('actual', 'exercise') AND state = 'active' AND expires_at IS NOT NULL"
    " AND expires_at > to_timestamp($1::bigint / 1000000.0)"
    " UNION ALL SELECT " VIK_PICTURE_SIGNAL_COLUMNS " FROM signals"
    " WHERE status IN ('actual', 'exercise') AND state = 'active' AND expires_at IS NULL"
    " AND coalesce(onset_at, sent_at) > to_timestamp($2::bigint / 1000000.0)"};
#undef VIK_PICTURE_SIGNAL_COLUMNS
// The current analyst level (-1: none) of risks ($1: JSON [{picture, risk_id}]), or of every
// assessed risk when $1 is null.
inline constexpr Statement kPictureAnalystLevels{
    "picture_analyst_levels",
    "SELECT DISTINCT ON (a.picture, a.risk_id) a.picture, a.risk_id, coalesce(a.analyst_level, -1)"
    " FROM risk_assessments a WHERE $1::jsonb IS NULL OR (a.picture, a.risk_id) IN"
    " (SELECT x.picture, x.risk_id FROM jsonb_to_recordset($1::jsonb) AS x(picture text, risk_id text))"
    " ORDER BY a.picture, a.risk_id, a.version DESC"};
inline constexpr Statement kPictureSources{
    "picture_sources",
    "SELECT s.id, s.partner, coalesce(extract(epoch FROM s.expected_interval)::bigint, 0),"
    " coalesce((extract(epoch FROM h.last_signal_at) * 1000000)::bigint, -1)"
    " FROM sources s LEFT JOIN source_health h ON h.source = s.id ORDER BY s.id"};
// The keeper's cursor and the bounds of the current snapshot's transaction ids.
inline constexpr Statement kPictureCursor{
    "picture_cursor",
    "SELECT cursor_xid::text, cursor_seq, pg_snapshot_xmin(pg_current_snapshot())::text,"
    " pg_snapshot_xmax(pg_current_snapshot())::text FROM picture_state WHERE picture = 'actual'"};
#define VIK_RISK_COLUMNS                                                                                   \
  "r.picture, r.id, r.theme, r.municipality, r.in_picture, r.priority, r.nowcast, r.forecast_6h,"          \
  " r.forecast_24h, r.forecast_72h, r.past, r.trend, coalesce(r.analyst_level, -1), r.effective_level,"     \
  " r.worst_severity, r.sources, r.breadth, r.signals_in_effect, r.signals_upcoming, r.signal_ids,"        \
  " (extract(epoch FROM r.computed_at) * 1000000)::bigint"
inline constexpr Statement kPictureRisksAll{"picture_risks_all", "SELECT " VIK_RISK_COLUMNS " FROM risks r"};
// The keeper's writes ($1: JSON array of rows as RiskRow, times in microseconds).
inline constexpr Statement kPictureRisksUpsert{
    "picture_risks_upsert",
    "INSERT INTO risks (picture, id, theme, municipality, in_picture, priority, nowcast, forecast_6h, forecast_24h,"
    " forecast_72h, past, trend, analyst_level, effective_level, worst_severity, sources, breadth,"
    " signals_in_effect, signals_upcoming, signal_ids, computed_at, changed_at)"
    " SELECT x.picture, x.id, x.theme, x.municipality, x.in_picture, x.priority, x.nowcast, x.f6, x.f24, x.f72,"
    " x.past, x.trend, x.analyst_level, x.effective_level, x.worst_severity, x.sources, x.breadth, x.in_effect,"
    " x.upcoming, x.signal_ids, to_timestamp(x.computed_us / 1000000.0), now()"
    " FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text, theme text, municipality text,"
    " in_picture boolean, priority int, nowcast smallint, f6 smallint, f24 smallint, f72 smallint, past smallint,"
    " trend smallint, analyst_level smallint, effective_level smallint, worst_severity text, sources int,"
    " breadth int, in_effect int, upcoming int, signal_ids text[], computed_us bigint)"
    " ON CONFLICT (picture, id) DO UPDATE SET in_picture = EXCLUDED.in_picture, priority = EXCLUDED.priority,"
    " nowcast = EXCLUDED.nowcast, forecast_6h = EXCLUDED.forecast_6h, forecast_24h = EXCLUDED.forecast_24h,"
    " forecast_72h = EXCLUDED.forecast_72h, past = EXCLUDED.past, trend = EXCLUDED.trend,"
    " analyst_level = EXCLUDED.analyst_level, effective_level = EXCLUDED.effective_level,"
    " worst_severity = EXCLUDED.worst_severity, sources = EXCLUDED.sources, breadth = EXCLUDED.breadth,"
    " signals_in_effect = EXCLUDED.signals_in_effect, signals_upcoming = EXCLUDED.signals_upcoming,"
    " signal_ids = EXCLUDED.signal_ids, computed_at = EXCLUDED.computed_at, changed_at = now()"};
// History and change-log rows for risks whose levels changed ($1: JSON rows as for the upsert).
inline constexpr Statement kPictureLevelsAppend{
    "picture_levels_append",
    "WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text, nowcast smallint,"
    " f6 smallint, f24 smallint, f72 smallint, trend smallint, analyst_level smallint, effective_level smallint,"
    " computed_us bigint)),"
    " h AS (INSERT INTO risk_levels (picture, risk_id, at, nowcast, forecast_6h, forecast_24h, forecast_72h, trend,"
    " analyst_level, effective_level) SELECT picture, id, to_timestamp(computed_us / 1000000.0), nowcast, f6, f24,"
    " f72, trend, analyst_level, effective_level FROM x)"
    " INSERT INTO changes (picture, kind, object) SELECT picture, 'risk.changed', id FROM x"};
inline constexpr Statement kPictureSourceHealth{
    "picture_source_health",
    "INSERT INTO source_health (source, last_signal_at)"
    " SELECT x.source, to_timestamp(x.at_us / 1000000.0) FROM jsonb_to_recordset($1::jsonb) AS x(source text, at_us bigint)"
    " WHERE EXISTS (SELECT 1 FROM sources s WHERE s.id = x.source)"
    " ON CONFLICT (source) DO UPDATE SET last_signal_at = greatest(source_health.last_signal_at, EXCLUDED.last_signal_at)"};
// $1 picture, $2 cursor xid (text), $3 cursor seq, $4 node, $5 epoch, $6..$8 counts, $9 lag seconds.
inline constexpr Statement kPictureStateWrite{
    "picture_state_write",
    "UPDATE picture_state SET cursor_xid = $2::text::xid8, cursor_seq = $3, computed_at = now(), computed_by = $4,"
    " epoch = $5, signals_in_effect = $6, active_incidents = $7, active_warnings = $8, lag_seconds = $9"
    " WHERE picture = $1"};

// --- the public change feed (pg_changes.cc; migrations 0010, 0011) ---
// Change-log rows after the cursor ($1 xid as text, $2 seq) that are final: written by transactions
// older than every transaction still running, so no row can later appear before them. Ordered by
// the xid8 column (not its text: an output column named xid would take over ORDER BY xid). Read by
// the picture keeper and the public feed.
inline constexpr Statement kChangesPage{
    "changes_page",
    "SELECT c.xid::text AS xid_text, c.seq, (extract(epoch FROM c.at) * 1000000)::bigint, c.picture, c.kind, c.object"
    " FROM changes c"
    " WHERE (c.xid, c.seq) > ($1::text::xid8, $2::bigint) AND c.xid < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY c.xid, c.seq LIMIT $3"};
// The newest pruned position, and the snapshot's xmin and xmax.
inline constexpr Statement kChangesHorizon{
    "changes_horizon",
    "SELECT xid::text, seq, pg_snapshot_xmin(pg_current_snapshot())::text, pg_snapshot_xmax(pg_current_snapshot())::text"
    " FROM change_log_horizon"};
// Signals by id ($1: JSON array) with payload and lifecycle.
inline constexpr Statement kChangesSignals{
    "changes_signals",
    "SELECT id::text, status, state, payload, (extract(epoch FROM received_at) * 1000000)::bigint,"
    " coalesce(ended_by, ''), coalesce((extract(epoch FROM ended_at) * 1000000)::bigint, 0)"
    " FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)"};
// Deletes at most $2 change rows written before $1 (microseconds) that the picture keeper has read,
// and moves the horizon to the newest deleted position; the number deleted.
inline constexpr Statement kChangesPrune{
    "changes_prune",
    "WITH cut AS (SELECT c.xid, c.seq FROM changes c, picture_state p"
    " WHERE p.picture = 'actual' AND c.at < to_timestamp($1::bigint / 1000000.0)"
    " AND (c.xid, c.seq) <= (p.cursor_xid, p.cursor_seq) ORDER BY c.xid, c.seq LIMIT $2),"
    " del AS (DELETE FROM changes d USING cut WHERE d.xid = cut.xid AND d.seq = cut.seq RETURNING d.xid, d.seq),"
    " top AS (SELECT xid, seq FROM del ORDER BY xid DESC, seq DESC LIMIT 1),"
    " upd AS (UPDATE change_log_horizon h SET xid = top.xid, seq = top.seq, pruned_at = now() FROM top"
    " WHERE (top.xid, top.seq) > (h.xid, h.seq) RETURNING 1)"
    " SELECT count(*)::int FROM del"};

// --- mirrors of peer nodes (pg_mirror.cc; migrations/0012_peer_mirror.sql) ---
// Bodies travel base64-encoded (rows inside one JSON array parameter); lists of peers as a JSON array.
inline constexpr Statement kPeerRead{
    "peer_read",
    "SELECT name, endpoint, coalesce(region, ''), coalesce(region_name, ''), coalesce(cursor, ''),"
    " coalesce((extract(epoch FROM synced_at) * 1000000)::bigint, 0), snapshots, changes_applied,"
    " coalesce((extract(epoch FROM last_contact_at) * 1000000)::bigint, 0),"
    " coalesce((extract(epoch FROM last_change_at) * 1000000)::bigint, 0), coalesce(last_error, ''),"
    " coalesce((extract(epoch FROM last_error_at) * 1000000)::bigint, 0), consecutive_errors, status,"
    " coalesce((extract(epoch FROM status_at) * 1000000)::bigint, 0)"
    " FROM peers WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY region NULLS LAST, name"};
// Creates the peer's row when missing (the endpoint is informational: where it was followed from).
inline constexpr Statement kPeerEnsure{
    "peer_ensure",
    "INSERT INTO peers (name, endpoint) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET endpoint = EXCLUDED.endpoint"
    " WHERE peers.endpoint IS DISTINCT FROM EXCLUDED.endpoint"};
inline constexpr Statement kPeerCursorLock{"peer_cursor_lock",
                                           "SELECT coalesce(cursor, '') FROM peers WHERE name = $1 FOR UPDATE"};
// After a snapshot: the region it names, the cursor to follow from, one more snapshot.
inline constexpr Statement kPeerSynced{
    "peer_synced",
    "UPDATE peers SET region = $2, region_name = $3, cursor = $4, synced_at = now(), snapshots = snapshots + 1,"
    " last_contact_at = now(), consecutive_errors = 0, last_error = NULL WHERE name = $1"};
// After applying changes: the new cursor, how many changes, when the newest happened ($4 us; 0: keep).
inline constexpr Statement kPeerAdvanced{
    "peer_advanced",
    "UPDATE peers SET cursor = $2, changes_applied = changes_applied + $3,"
    " last_change_at = CASE WHEN $4::bigint > 0 THEN to_timestamp($4::bigint / 1000000.0) ELSE last_change_at END,"
    " last_contact_at = now(), consecutive_errors = 0, last_error = NULL WHERE name = $1"};
// A successful call that brought nothing to apply; $2: the peer's status (NULL: keep the last one).
inline constexpr Statement kPeerContact{
    "peer_contact",
    "UPDATE peers SET last_contact_at = now(), consecutive_errors = 0, last_error = NULL,"
    " status = coalesce(decode($2, 'base64'), status), status_at = CASE WHEN $2 IS NULL THEN status_at ELSE now() END"
    " WHERE name = $1"};
// The peer's status only ($2 base64), while its feed fails: contact and errors stay as they are.
inline constexpr Statement kPeerStatus{
    "peer_status", "UPDATE peers SET status = decode($2, 'base64'), status_at = now() WHERE name = $1"};
// A failed call; $3: forget the cursor (the next attempt starts from a snapshot).
inline constexpr Statement kPeerError{
    "peer_error",
    "UPDATE peers SET last_error = $2, last_error_at = now(), consecutive_errors = consecutive_errors + 1,"
    " cursor = CASE WHEN $3 THEN NULL ELSE cursor END WHERE name = $1"};
inline constexpr Statement kMirrorRisksClear{"mirror_risks_clear", "DELETE FROM mirror_risks WHERE peer = $1"};
inline constexpr Statement kMirrorRegionStateClear{"mirror_region_state_clear",
                                                   "DELETE FROM mirror_region_states WHERE peer = $1"};
inline constexpr Statement kMirrorRisksUpsert{
    "mirror_risks_upsert",
    "INSERT INTO mirror_risks (peer, picture, id, theme, municipality, level, priority, in_picture, body)"
    " SELECT $1, x.picture, x.id, x.theme, x.municipality, x.level, x.priority, x.in_picture, decode(x.body, 'base64')"
    " FROM jsonb_to_recordset($2::jsonb) AS x(picture text, id text, theme text, municipality text, level int,"
    " priority int, in_picture boolean, body text)"
    " ON CONFLICT (peer, picture, id) DO UPDATE SET theme = EXCLUDED.theme, municipality = EXCLUDED.municipality,"
    " level = EXCLUDED.level, priority = EXCLUDED.priority, in_picture = EXCLUDED.in_picture, body = EXCLUDED.body,"
    " applied_at = now()"};
// applied_at stays the time the signal was first mirrored (its propagation), a later body
// (cancelled, superseded) only updates the lifecycle.
inline constexpr Statement kMirrorSignalsUpsert{
    "mirror_signals_upsert",
    "INSERT INTO mirror_signals (peer, id, status, state, received_at, ended_at, body)"
    " SELECT $1, x.id, x.status, x.state, to_timestamp(x.received_us / 1000000.0),"
    " CASE WHEN x.ended_us > 0 THEN to_timestamp(x.ended_us / 1000000.0) END, decode(x.body, 'base64')"
    " FROM jsonb_to_recordset($2::jsonb) AS x(id text, status text, state text, received_us bigint, ended_us bigint,"
    " body text)"
    " ON CONFLICT (peer, id) DO UPDATE SET status = EXCLUDED.status, state = EXCLUDED.state,"
    " ended_at = EXCLUDED.ended_at, body = EXCLUDED.body"};
inline constexpr Statement kMirrorRegionStateUpsert{
    "mirror_region_state_upsert",
    "INSERT INTO mirror_region_states (peer, region, version, grip_level, phase, set_at, body)"
    " VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint / 1000000.0) END,"
    " decode($7, 'base64'))"
    " ON CONFLICT (peer) DO UPDATE SET region = EXCLUDED.region, version = EXCLUDED.version,"
    " grip_level = EXCLUDED.grip_level, phase = EXCLUDED.phase, set_at = EXCLUDED.set_at, body = EXCLUDED.body"
    " WHERE mirror_region_states.version <= EXCLUDED.version"};
inline constexpr Statement kMirrorRegionStatesRead{
    "mirror_region_states_read",
    "SELECT peer, body FROM mirror_region_states WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb))"};
// Per peer of $1: risks in picture $2 by level (0..4).
inline constexpr Statement kMirrorRiskCounts{
    "mirror_risk_counts",
    "SELECT peer, level, count(*)::int FROM mirror_risks WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb)) AND picture = $2 AND in_picture"
    " GROUP BY peer, level"};
// Per peer of $1: the first $3 risks of picture $2 in priority order.
inline constexpr Statement kMirrorTopRisks{
    "mirror_top_risks",
    "SELECT t.peer, t.body FROM jsonb_array_elements_text($1::jsonb) AS p(name) CROSS JOIN LATERAL"
    " (SELECT peer, body, priority FROM mirror_risks WHERE peer = p.name AND picture = $2 AND in_picture"
    " ORDER BY priority, id LIMIT $3) t ORDER BY t.peer, t.priority"};
// Per peer of $1 and theme: the highest level and the number of risks of picture $2 at level >= $3.
inline constexpr Statement kMirrorThemes{
    "mirror_themes",
    "SELECT m.peer, m.theme, max(m.level)::int, count(*)::int, coalesce(min(t.label), '')"
    " FROM mirror_risks m LEFT JOIN themes t ON t.code = m.theme"
    " WHERE m.peer IN (SELECT jsonb_array_elements_text($1::jsonb)) AND m.picture = $2 AND m.in_picture"
    " AND m.level >= $3 AND m.theme <> '' GROUP BY m.peer, m.theme"};
// Mirrored signals of the peers in $1, newest first, at most $2.
inline constexpr Statement kMirrorSignalsList{
    "mirror_signals_list",
    "SELECT peer, body FROM mirror_signals WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY received_at DESC, id LIMIT $2"};
// Forgets mirrored signals received before $1 (microseconds) and risks that left the picture
// before it, at most $2 of each; the number deleted.
inline constexpr Statement kMirrorPrune{
    "mirror_prune",
    "WITH s AS (DELETE FROM mirror_signals WHERE ctid IN (SELECT ctid FROM mirror_signals"
    " WHERE received_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1),"
    " r AS (DELETE FROM mirror_risks WHERE ctid IN (SELECT ctid FROM mirror_risks WHERE NOT in_picture"
    " AND applied_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1)"
    " SELECT (SELECT count(*) FROM s)::int + (SELECT count(*) FROM r)::int"};

// --- reads of the picture (any instance) ---
inline constexpr Statement kPictureStateRead{
    "picture_state_read",
    "SELECT coalesce((extract(epoch FROM computed_at) * 1000000)::bigint, 0), coalesce(computed_by, ''),"
    " coalesce(epoch, 0), signals_in_effect, active_incidents, active_warnings,"
    " (SELECT count(*) FROM risks r WHERE r.picture = $1 AND r.in_picture)::int,"
    " (extract(epoch FROM now()) * 1000000)::bigint, lag_seconds"
    " FROM picture_state WHERE picture = $1"};
#define VIK_ASSESSMENT_COLUMNS                                                                           \
  "a.version, a.status, coalesce(a.phase, ''), coalesce(a.analyst_level, -1), a.scenarios::text,"        \
  " a.assessment, to_jsonb(a.advice)::text, to_jsonb(a.partners)::text, a.reason, a.set_by,"             \
  " (extract(epoch FROM a.set_at) * 1000000)::bigint"
// Risks with labels and their current assessment (assessment columns null when never assessed).
// $1 picture, $2 theme ('' any; else the theme and its sub-themes), $3 municipality ('' any),
// $4 minimum effective level, $5 status ('' any, 'new', monitoring, active, closed), $6 include
// risks no longer in the picture, $7/$8 keyset (sort key, id) exclusive, $9 limit.
// Sort key: the priority, risks out of the picture (priority 0) last.
inline constexpr Statement kPictureRisksList{
    "picture_risks_list",
    "SELECT " VIK_RISK_COLUMNS ", coalesce(t.label, ''), coalesce(m.name, ''), a.version IS NOT NULL,"
    " " VIK_ASSESSMENT_COLUMNS ","
    " CASE WHEN r.priority = 0 THEN 2147483647 ELSE r.priority END AS sort_key"
    " FROM risks r LEFT JOIN themes t ON t.code = r.theme LEFT JOIN municipalities m ON m.gm_code = r.municipality"
    " LEFT JOIN LATERAL (SELECT * FROM risk_assessments x WHERE x.picture = r.picture AND x.risk_id = r.id"
    " ORDER BY x.version DESC LIMIT 1) a ON true"
    " WHERE r.picture = $1 AND ($2 = '' OR r.theme = $2 OR r.theme LIKE $2 || '.%')"
    " AND ($3 = '' OR r.municipality = $3) AND r.effective_level >= $4"
    " AND ($5 = '' OR ($5 = 'new' AND a.version IS NULL) OR a.status = $5)"
    " AND (r.in_picture OR $6::boolean)"
    " AND (CASE WHEN r.priority = 0 THEN 2147483647 ELSE r.priority END, r.id) > ($7::int, $8::text)"
    " ORDER BY sort_key, r.id LIMIT $9"};
// Risks by (picture, id) ($1: JSON [{picture, id}]) with labels and current assessment; the columns
// of kPictureRisksList.
inline constexpr Statement kPictureRisksByIds{
    "picture_risks_by_ids",
    "SELECT " VIK_RISK_COLUMNS ", coalesce(t.label, ''), coalesce(m.name, ''), a.version IS NOT NULL,"
    " " VIK_ASSESSMENT_COLUMNS ", 0"
    " FROM risks r LEFT JOIN themes t ON t.code = r.theme LEFT JOIN municipalities m ON m.gm_code = r.municipality"
    " LEFT JOIN LATERAL (SELECT * FROM risk_assessments x WHERE x.picture = r.picture AND x.risk_id = r.id"
    " ORDER BY x.version DESC LIMIT 1) a ON true"
    " WHERE (r.picture, r.id) IN (SELECT x.picture, x.id FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text))"};
inline constexpr Statement kPictureRiskRead{
    "picture_risk_read",
    "SELECT " VIK_RISK_COLUMNS ", coalesce(t.label, ''), coalesce(m.name, '')"
    " FROM risks r LEFT JOIN themes t ON t.code = r.theme LEFT JOIN municipalities m ON m.gm_code = r.municipality"
    " WHERE r.picture = $1 AND r.id = $2"};
inline constexpr Statement kRiskAssessments{
    "risk_assessments",
    "SELECT " VIK_ASSESSMENT_COLUMNS " FROM risk_assessments a WHERE a.picture = $1 AND a.risk_id = $2"
    " ORDER BY a.version DESC LIMIT $3"};
inline constexpr Statement kRiskLevelsHistory{
    "risk_levels_history",
    "SELECT (extract(epoch FROM at) * 1000000)::bigint, nowcast, forecast_6h, forecast_24h, forecast_72h, trend,"
    " coalesce(analyst_level, -1), effective_level FROM risk_levels WHERE picture = $1 AND risk_id = $2"
    " ORDER BY seq DESC LIMIT $3"};
// Summaries of signals by id ($1: JSON array), in no particular order.
inline constexpr Statement kRiskSignals{
    "risk_signals",
    "SELECT id::text, source, external_id, kind, severity, certainty, urgency, headline, state,"
    " (extract(epoch FROM sent_at) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),"
    " coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1)"
    " FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)"};
// What an assessment names that does not exist: ($1 theme or '', $2 municipality or '', $3 region,
// $4 partners JSON array, $5 likelihood codes JSON array, $6 impact codes JSON array).
inline constexpr Statement kAssessmentUnknownRefs{
    "assessment_unknown_refs",
    "SELECT 'theme', $1 WHERE $1 <> '' AND NOT EXISTS (SELECT 1 FROM themes WHERE code = $1)"
    " UNION ALL SELECT 'municipality', $2 WHERE $2 <> '' AND NOT EXISTS"
    " (SELECT 1 FROM municipalities WHERE gm_code = $2 AND region_code = $3)"
    " UNION ALL SELECT 'partners', p FROM jsonb_array_elements_text($4::jsonb) p"
    " WHERE NOT EXISTS (SELECT 1 FROM partners WHERE name = p)"
    " UNION ALL SELECT 'likelihood', c FROM jsonb_array_elements_text($5::jsonb) c"
    " WHERE NOT EXISTS (SELECT 1 FROM likelihood_classes WHERE code = c)"
    " UNION ALL SELECT 'impact', c FROM jsonb_array_elements_text($6::jsonb) c"
    " WHERE NOT EXISTS (SELECT 1 FROM impact_classes WHERE code = c)"};
// Appends version $3 when the current version is $3 - 1 (0: none); no row otherwise.
inline constexpr Statement kAssessmentAppend{
    "assessment_append",
    "INSERT INTO risk_assessments (picture, risk_id, version, status, phase, analyst_level, scenarios, assessment,"
    " advice, partners, reason, set_by)"
    " SELECT $1, $2, $3, $4, nullif($5, ''), nullif($6::int, -1), $7::jsonb, $8,"
    " ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), $11, $12"
    " WHERE coalesce((SELECT max(version) FROM risk_assessments WHERE picture = $1 AND risk_id = $2), 0) = $3 - 1"
    " ON CONFLICT (picture, risk_id, version) DO NOTHING"
    " RETURNING (extract(epoch FROM set_at) * 1000000)::bigint"};
#undef VIK_ASSESSMENT_COLUMNS
#undef VIK_RISK_COLUMNS
inline constexpr Statement kRegionName{"region_name", "SELECT name FROM regions WHERE code = $1"};

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

// --- CAP feeds (pg_feeds.cc, pg_cap.cc) ---
inline constexpr Statement kFeedInsert{
    "feed_insert",
    "INSERT INTO cap_feeds (name, url, partner, poll_interval, allow_hosts)"
    " VALUES ($1, $2, $3, make_interval(secs => $4::float8), ARRAY(SELECT jsonb_array_elements_text($5::jsonb)))"};
inline constexpr Statement kFeedDelete{"feed_delete", "DELETE FROM cap_feeds WHERE name = $1 RETURNING name"};
// All feeds with their state; $1: only those due now (enabled, next_poll_at passed).
inline constexpr Statement kFeedsList{
    "feeds_list",
    "SELECT name, url, partner, extract(epoch FROM poll_interval)::float8, enabled,"
    " extract(epoch FROM created_at)::float8, coalesce(etag, ''), coalesce(last_modified, ''),"
    " extract(epoch FROM last_attempt_at)::float8, extract(epoch FROM last_success_at)::float8,"
    " coalesce(last_error, ''), consecutive_errors, extract(epoch FROM next_poll_at)::float8, entries_seen,"
    " array_to_json(allow_hosts)::text"
    " FROM cap_feeds WHERE NOT $1::bool OR (enabled AND next_poll_at <= now()) ORDER BY name"};
// Which of the entry keys ($2, a JSON array of strings) the feed has marked already.
inline constexpr Statement kFeedEntriesSeen{
    "feed_entries_seen",
    "SELECT entry_key FROM cap_feed_entries WHERE feed = $1"
    " AND entry_key IN (SELECT jsonb_array_elements_text($2::jsonb))"};
// Marks one entry version as handled ('' message id: none) and counts it on the feed.
inline constexpr Statement kFeedEntryMark{
    "feed_entry_mark",
    "WITH ins AS (INSERT INTO cap_feed_entries (feed, entry_key, entry_id, cap_message_id, outcome, detail, seen_by)"
    " VALUES ($1, $2, $3, NULLIF($4, '')::uuid, $5, NULLIF($6, ''), $7) ON CONFLICT DO NOTHING RETURNING 1)"
    " UPDATE cap_feeds SET entries_seen = entries_seen + (SELECT count(*) FROM ins) WHERE name = $1"};
// A poll that fetched and handled the feed: validators ('' = none), next poll after $4 seconds.
inline constexpr Statement kFeedPollSuccess{
    "feed_poll_success",
    "UPDATE cap_feeds SET etag = NULLIF($2, ''), last_modified = NULLIF($3, ''), last_attempt_at = now(),"
    " last_success_at = now(), last_error = NULL, consecutive_errors = 0,"
    " next_poll_at = now() + make_interval(secs => $4::float8) WHERE name = $1"};
// One more failed attempt at an entry ($2) with the error ($3); the attempts so far.
inline constexpr Statement kFeedAttemptFailed{
    "feed_attempt_failed",
    "INSERT INTO cap_feed_attempts (feed, entry_key, attempts, last_error) VALUES ($1, $2, 1, $3)"
    " ON CONFLICT (feed, entry_key) DO UPDATE SET attempts = cap_feed_attempts.attempts + 1,"
    " last_error = EXCLUDED.last_error, last_attempt_at = now() RETURNING attempts"};
inline constexpr Statement kFeedAttemptsClear{
    "feed_attempts_clear", "DELETE FROM cap_feed_attempts WHERE feed = $1 AND entry_key = $2"};
// After a successful poll: attempt counts of entries marked since, or not tried for 30 days.
inline constexpr Statement kFeedAttemptsPrune{
    "feed_attempts_prune",
    "DELETE FROM cap_feed_attempts a WHERE a.feed = $1 AND (a.last_attempt_at < now() - interval '30 days'"
    " OR EXISTS (SELECT 1 FROM cap_feed_entries e WHERE e.feed = a.feed AND e.entry_key = a.entry_key))"};
// A failed poll: the error, one more consecutive error, next attempt after $3 seconds (backoff).
inline constexpr Statement kFeedPollError{
    "feed_poll_error",
    "UPDATE cap_feeds SET last_attempt_at = now(), last_error = $2, consecutive_errors = consecutive_errors + 1,"
    " next_poll_at = now() + make_interval(secs => $3::float8) WHERE name = $1"};

// --- subscriptions and webhook deliveries (pg_subscriptions.cc; migration 0013) ---
#define VIK_SUBSCRIPTION_COLUMNS                                                                            \
  "s.id::text, s.partner, s.name, s.url, s.filter::text, s.created_by,"                                     \
  " (extract(epoch FROM s.created_at) * 1000000)::bigint,"                                                  \
  " coalesce((extract(epoch FROM s.last_delivered_at) * 1000000)::bigint, 0), coalesce(s.last_error, ''),"  \
  " coalesce((extract(epoch FROM s.last_error_at) * 1000000)::bigint, 0),"                                  \
  " (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'pending'),"        \
  " (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'delivered'),"      \
  " (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'dead')"
// Nothing inserted (no row returned) when the partner does not exist.
inline constexpr Statement kSubscriptionInsert{
    "subscription_insert",
    "INSERT INTO subscriptions (partner, name, url, filter, secret, created_by)"
    " SELECT $1, $2, $3, $4::jsonb, $5, $6 WHERE EXISTS (SELECT 1 FROM partners WHERE name = $1) RETURNING id::text"};
// $1: a partner, or '' for every partner.
inline constexpr Statement kSubscriptionsList{
    "subscriptions_list",
    "SELECT " VIK_SUBSCRIPTION_COLUMNS " FROM subscriptions s WHERE $1 = '' OR s.partner = $1"
    " ORDER BY s.partner, s.name LIMIT 1000"};
inline constexpr Statement kSubscriptionRead{
    "subscription_read", "SELECT " VIK_SUBSCRIPTION_COLUMNS " FROM subscriptions s WHERE s.id = $1::uuid"};
#undef VIK_SUBSCRIPTION_COLUMNS
inline constexpr Statement kSubscriptionDelete{
    "subscription_delete", "DELETE FROM subscriptions WHERE id = $1::uuid RETURNING partner, name"};
inline constexpr Statement kSubscriptionsMatching{
    "subscriptions_matching",
    "SELECT id::text, filter::text, (extract(epoch FROM created_at) * 1000000)::bigint FROM subscriptions"};
inline constexpr Statement kSubscriptionCursor{
    "subscription_cursor", "SELECT xid::text, seq FROM subscription_cursor"};
inline constexpr Statement kSubscriptionCursorSet{
    "subscription_cursor_set",
    "UPDATE subscription_cursor SET xid = $1::text::xid8, seq = $2, updated_at = now()"};
// Enqueues deliveries ($1: JSON array), each for a subscription that still exists; a subscription
// with $2 deliveries pending gets further ones as dead ("queue full"), so the queue stays bounded
// and nothing is dropped unseen (dead letters are listed and can be re-queued). Idempotent per
// (subscription, change).
inline constexpr Statement kDeliveriesEnqueue{
    "deliveries_enqueue",
    "WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(subscription uuid, xid text, seq bigint,"
    " at_us bigint, kind text, object text, body text)),"
    " ranked AS (SELECT x.*, row_number() OVER (PARTITION BY x.subscription ORDER BY x.xid::xid8, x.seq) AS n,"
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = x.subscription AND d.state = 'pending')"
    " AS pending FROM input x JOIN subscriptions s ON s.id = x.subscription)"
    " INSERT INTO webhook_deliveries (subscription, change_xid, change_seq, change_at, kind, object, body, state,"
    " last_error, finished_at)"
    " SELECT subscription, xid::xid8, seq, to_timestamp(at_us / 1000000.0), kind, object, body,"
    " CASE WHEN pending + n > $2 THEN 'dead' ELSE 'pending' END,"
    " CASE WHEN pending + n > $2 THEN 'queue full: ' || $2 || ' deliveries pending' END,"
    " CASE WHEN pending + n > $2 THEN now() END"
    " FROM ranked ON CONFLICT (subscription, change_xid, change_seq) DO NOTHING"};
// The head of every subscription's queue (its oldest pending delivery by cursor) when due; at most $1.
inline constexpr Statement kDeliveriesDue{
    "deliveries_due",
    "SELECT d.id::text, d.subscription::text, s.url, s.secret, d.body, d.attempts"
    " FROM (SELECT DISTINCT ON (subscription) * FROM webhook_deliveries WHERE state = 'pending'"
    " ORDER BY subscription, change_xid, change_seq) d JOIN subscriptions s ON s.id = d.subscription"
    " WHERE d.next_attempt_at <= now() ORDER BY d.next_attempt_at LIMIT $1"};
inline constexpr Statement kDeliveryDelivered{
    "delivery_delivered",
    "WITH d AS (UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, finished_at = now(),"
    " last_error = NULL WHERE id = $1::uuid AND state = 'pending' RETURNING subscription)"
    " UPDATE subscriptions s SET last_delivered_at = now() FROM d WHERE s.id = d.subscription"};
// A failed attempt ($2: the error): dead after $4 attempts, else retried after $3 milliseconds.
inline constexpr Statement kDeliveryFailed{
    "delivery_failed",
    "WITH d AS (UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2,"
    " state = CASE WHEN attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END,"
    " finished_at = CASE WHEN attempts + 1 >= $4 THEN now() END,"
    " next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)"
    " WHERE id = $1::uuid AND state = 'pending' RETURNING subscription)"
    " UPDATE subscriptions s SET last_error = $2, last_error_at = now() FROM d WHERE s.id = d.subscription"};
// $2: a state, or '' for all; oldest change first, at most $3.
inline constexpr Statement kDeliveriesList{
    "deliveries_list",
    "SELECT id::text, subscription::text, change_xid::text, change_seq, kind, object, state, attempts,"
    " (extract(epoch FROM next_attempt_at) * 1000000)::bigint, coalesce(last_error, ''),"
    " (extract(epoch FROM created_at) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM finished_at) * 1000000)::bigint, 0)"
    " FROM webhook_deliveries WHERE subscription = $1::uuid AND ($2 = '' OR state = $2)"
    " ORDER BY change_xid, change_seq LIMIT $3"};
// Re-queues a dead delivery: pending again, attempts from 0, due now.
inline constexpr Statement kDeliveryRetry{
    "delivery_retry",
    "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL"
    " WHERE subscription = $1::uuid AND id = $2::uuid AND state = 'dead' RETURNING id"};
inline constexpr Statement kDeliveryState{
    "delivery_state", "SELECT state FROM webhook_deliveries WHERE subscription = $1::uuid AND id = $2::uuid"};
// Deletes at most $2 delivered or dead deliveries finished before $1 (microseconds).
inline constexpr Statement kDeliveriesPrune{
    "deliveries_prune",
    "WITH del AS (DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
    " WHERE state <> 'pending' AND finished_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1)"
    " SELECT count(*) FROM del"};
inline constexpr Statement kDeliveryCounts{
    "delivery_counts",
    "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead')"
    " FROM webhook_deliveries WHERE state <> 'delivered'"};

}  // namespace stmt

// The statements registered on every pooled connection.
std::span<const Statement> PreparedStatements();

}  // namespace vik::store
