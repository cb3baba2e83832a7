// The ingest side of the store against a real PostgreSQL: idempotent signal writes, batch isolation,
// audit records in the same transaction, the append-only audit log, and credentials.

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "integration/migrated_store.h"
#include "store/checksum.h"
#include "store/store.h"
#include "support/postgres.h"

namespace {

using vik::core::StatusCode;
using vik::store::AuditRecord;
using vik::store::SignalWrite;
using vik::store::WriteOutcome;
using vik::store::WriteResult;
using vik::testing::ExecSql;
using vik::testing::FreshDatabase;
using vik::testing::QueryValue;

constexpr const char* kPartner = "brandweer";
constexpr const char* kSource = "brandweer-vr21";
constexpr const char* kNode = "node-a";

const char* OutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kAccepted:
      return "accepted";
    case WriteOutcome::kDuplicate:
      return "duplicate";
    case WriteOutcome::kConflict:
      return "conflict";
    case WriteOutcome::kFailed:
      return "failed";
  }
  return "?";
}

AuditRecord Audit(const std::string& action, const std::string& object_json = "{}") {
  return {"cli:test", "cli", action, object_json, "ok"};
}

// A fresh database with the schema, one partner and one source.
struct StoreFixture {
  StoreFixture() {
    store = vik::testing::OpenMigratedStore(db.dsn(), registry);
    REQUIRE(store->AddPartner(kPartner, Audit("partner.add")).ok());
    REQUIRE(store->AddSource({kSource, kPartner, std::nullopt}, Audit("source.add")).ok());
  }

  std::string Query(const std::string& sql) const { return QueryValue(db.dsn(), sql); }

  FreshDatabase db;
  prometheus::Registry registry;
  std::unique_ptr<vik::store::Store> store;
};

vik::domain::Signal MakeSignal(const std::string& source, const std::string& external_id,
                               const std::string& headline = "Brand in woning") {
  vik::domain::Signal s;
  s.source = source;
  s.external_id = external_id;
  s.msg_type = vik::domain::MsgType::kAlert;
  s.status = vik::domain::SignalStatus::kActual;
  s.kind = vik::domain::SignalKind::kIncident;
  s.categories = {vik::domain::Category::kFire};
  s.theme = "2.1";
  s.urgency = vik::domain::Urgency::kImmediate;
  s.severity = vik::domain::Severity::kSevere;
  s.certainty = vik::domain::Certainty::kObserved;
  s.sent_at = std::chrono::system_clock::now();
  s.area.municipalities = {"GM0796"};
  s.headline = headline;
  return s;
}

// The store only hashes and keeps the payload; any bytes do.
std::string PayloadOf(const vik::domain::Signal& s) {
  return "payload:" + s.source + "/" + s.external_id + "/" + s.headline;
}

SignalWrite WriteOf(const vik::domain::Signal& s) { return {&s, PayloadOf(s), kPartner}; }

std::vector<WriteResult> Write(vik::store::Store& store, const std::vector<SignalWrite>& rows,
                               const std::vector<AuditRecord>& audit = {}) {
  auto results = store.WriteSignals(rows, audit, kNode);
  INFO("WriteSignals: " << results.status().ToString());
  REQUIRE(results.ok());
  REQUIRE(results->size() == rows.size());
  return std::move(results).value();
}

bool IsUuid(const std::string& s) {
  static const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  return std::regex_match(s, kUuid);
}

// Runs `sql` and returns the error message it raised ("" when it succeeded).
std::string SqlError(const std::string& dsn, const std::string& sql) {
  try {
    ExecSql(dsn, sql);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("new signals are stored with a fresh UUID, the receive time and the payload's SHA-256", "[ingest]") {
  StoreFixture f;
  const auto before = std::chrono::system_clock::now();
  const auto a = MakeSignal(kSource, "a-1");
  const auto b = MakeSignal(kSource, "a-2");
  const auto results = Write(*f.store, {WriteOf(a), WriteOf(b)});

  for (const auto& r : results) {
    INFO("outcome " << OutcomeName(r.outcome) << " id " << r.signal_id);
    CHECK(r.outcome == WriteOutcome::kAccepted);
    CHECK(IsUuid(r.signal_id));
    CHECK(r.error.ok());
    // The database's clock and ours are the same machine's; allow for rounding.
    CHECK(r.received_at >= before - std::chrono::seconds(5));
    CHECK(r.received_at <= std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  CHECK(results[0].signal_id != results[1].signal_id);

  CHECK(f.Query("SELECT count(*) FROM signals") == "2");
  const std::string where = " FROM signals WHERE id = '" + results[0].signal_id + "'";
  CHECK(f.Query("SELECT external_id" + where) == "a-1");
  CHECK(f.Query("SELECT partner" + where) == kPartner);
  CHECK(f.Query("SELECT received_by" + where) == kNode);
  CHECK(f.Query("SELECT headline" + where) == "Brand in woning");
  CHECK(f.Query("SELECT array_to_string(municipalities, ',')" + where) == "GM0796");
  CHECK(f.Query("SELECT theme" + where) == "2.1");
  CHECK(f.Query("SELECT encode(content_hash, 'hex')" + where) == vik::store::Sha256Hex(PayloadOf(a)));
  CHECK(f.Query("SELECT convert_from(payload, 'UTF8')" + where) == PayloadOf(a));
}

TEST_CASE("the same key with the same payload is a duplicate that returns the original id", "[ingest]") {
  StoreFixture f;
  const auto s = MakeSignal(kSource, "dup-1");
  const auto first = Write(*f.store, {WriteOf(s)});
  REQUIRE(first[0].outcome == WriteOutcome::kAccepted);

  const auto again = Write(*f.store, {WriteOf(s)});
  CHECK(again[0].outcome == WriteOutcome::kDuplicate);
  CHECK(again[0].signal_id == first[0].signal_id);
  CHECK(again[0].received_at == first[0].received_at);
  CHECK(f.Query("SELECT count(*) FROM signals") == "1");
}

TEST_CASE("the same key with a different payload is a conflict and the original row is kept unchanged", "[ingest]") {
  StoreFixture f;
  const auto original = MakeSignal(kSource, "conf-1", "Brand in woning");
  const auto first = Write(*f.store, {WriteOf(original)});
  REQUIRE(first[0].outcome == WriteOutcome::kAccepted);
  const std::string where = " FROM signals WHERE id = '" + first[0].signal_id + "'";
  const std::string row_before =
      f.Query("SELECT row_to_json(s)::text FROM signals s WHERE id = '" + first[0].signal_id + "'");

  const auto edited = MakeSignal(kSource, "conf-1", "Brand in fabriek");
  const auto second = Write(*f.store, {WriteOf(edited)});
  CHECK(second[0].outcome == WriteOutcome::kConflict);
  CHECK(second[0].signal_id == first[0].signal_id);

  CHECK(f.Query("SELECT count(*) FROM signals") == "1");
  CHECK(f.Query("SELECT headline" + where) == "Brand in woning");
  CHECK(f.Query("SELECT encode(content_hash, 'hex')" + where) == vik::store::Sha256Hex(PayloadOf(original)));
  CHECK(f.Query("SELECT row_to_json(s)::text FROM signals s WHERE id = '" + first[0].signal_id + "'") == row_before);
}

TEST_CASE("a key repeated within one batch is accepted once and the repeat is a duplicate or a conflict", "[ingest]") {
  StoreFixture f;
  const auto a = MakeSignal(kSource, "twice-same");
  const auto b = MakeSignal(kSource, "twice-diff", "Brand in woning");
  const auto b_edited = MakeSignal(kSource, "twice-diff", "Brand in fabriek");
  const auto results = Write(*f.store, {WriteOf(a), WriteOf(b), WriteOf(a), WriteOf(b_edited)});

  CHECK(results[0].outcome == WriteOutcome::kAccepted);
  CHECK(results[1].outcome == WriteOutcome::kAccepted);
  CHECK(results[2].outcome == WriteOutcome::kDuplicate);
  CHECK(results[2].signal_id == results[0].signal_id);
  CHECK(results[3].outcome == WriteOutcome::kConflict);
  CHECK(results[3].signal_id == results[1].signal_id);

  CHECK(f.Query("SELECT count(*) FROM signals") == "2");
  // The first occurrence is the one stored.
  CHECK(f.Query("SELECT headline FROM signals WHERE external_id = 'twice-diff'") == "Brand in woning");
}

TEST_CASE("a row that violates a database constraint fails alone while its neighbours are stored", "[ingest]") {
  StoreFixture f;
  const auto before = MakeSignal(kSource, "iso-1");
  const auto orphan = MakeSignal("no-such-source", "iso-2");  // foreign key to sources
  const auto after = MakeSignal(kSource, "iso-3");
  const auto existing = MakeSignal(kSource, "iso-0");
  REQUIRE(Write(*f.store, {WriteOf(existing)})[0].outcome == WriteOutcome::kAccepted);

  const auto results = Write(*f.store, {WriteOf(before), WriteOf(orphan), WriteOf(after), WriteOf(existing)},
                             {Audit("ingest.submit", R"({"signals":4})")});

  CHECK(results[0].outcome == WriteOutcome::kAccepted);
  CHECK(IsUuid(results[0].signal_id));
  CHECK(results[2].outcome == WriteOutcome::kAccepted);
  CHECK(IsUuid(results[2].signal_id));
  CHECK(results[3].outcome == WriteOutcome::kDuplicate);

  INFO("failed row: " << results[1].error.ToString());
  CHECK(results[1].outcome == WriteOutcome::kFailed);
  CHECK(results[1].signal_id.empty());
  CHECK(results[1].error.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(results[1].error.message(), Catch::Contains("foreign key"));

  CHECK(f.Query("SELECT string_agg(external_id, ',' ORDER BY external_id) FROM signals") == "iso-0,iso-1,iso-3");
  CHECK(f.Query("SELECT id FROM signals WHERE external_id = 'iso-1'") == results[0].signal_id);
  CHECK(f.Query("SELECT id FROM signals WHERE external_id = 'iso-3'") == results[2].signal_id);
  // The batch's audit record is written exactly once, neither lost nor repeated by the per-row retry.
  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE action = 'ingest.submit'") == "1");
}

TEST_CASE("audit records are committed in the same transaction as the signals they describe", "[ingest]") {
  StoreFixture f;
  const auto s = MakeSignal(kSource, "audit-1");
  const auto results =
      Write(*f.store, {WriteOf(s)},
            {{"token:t1 partner:brandweer", "127.0.0.1:5000", "ingest.submit", R"({"signals":1,"accepted":1})", "ok"}});
  REQUIRE(results[0].outcome == WriteOutcome::kAccepted);

  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE action = 'ingest.submit'") == "1");
  const std::string audit = " FROM audit_log WHERE action = 'ingest.submit'";
  CHECK(f.Query("SELECT actor" + audit) == "token:t1 partner:brandweer");
  CHECK(f.Query("SELECT origin" + audit) == "127.0.0.1:5000");
  CHECK(f.Query("SELECT object->>'accepted'" + audit) == "1");
  CHECK(f.Query("SELECT result" + audit) == "ok");
  // now() is the transaction's start time: equal timestamps mean one transaction.
  CHECK(f.Query("SELECT (SELECT at" + audit + ") = (SELECT received_at FROM signals WHERE id = '" +
                results[0].signal_id + "')") == "t");

  // Administrative changes too: the partner row and its audit record share a transaction.
  CHECK(f.Query("SELECT (SELECT at FROM audit_log WHERE action = 'partner.add') = "
                "(SELECT created_at FROM partners WHERE name = 'brandweer')") == "t");

  // Audit records alone (no signals) are written as well.
  const auto only_audit = f.store->WriteSignals({}, {Audit("ingest.stream")}, kNode);
  REQUIRE(only_audit.ok());
  CHECK(only_audit->empty());
  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE action = 'ingest.stream'") == "1");
}

TEST_CASE("the audit log is append-only: updates and deletes are refused by the database", "[ingest]") {
  StoreFixture f;
  REQUIRE(f.store->AppendAudit({Audit("test.append")}).ok());
  const std::string count = f.Query("SELECT count(*) FROM audit_log");
  REQUIRE(count == "3");  // partner.add, source.add, test.append

  const std::string update = SqlError(f.db.dsn(), "UPDATE audit_log SET result = 'tampered'");
  CHECK_THAT(update, Catch::Contains("append-only"));
  const std::string remove = SqlError(f.db.dsn(), "DELETE FROM audit_log WHERE action = 'test.append'");
  CHECK_THAT(remove, Catch::Contains("append-only"));

  CHECK(f.Query("SELECT count(*) FROM audit_log") == count);
  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE result = 'tampered'") == "0");
}

TEST_CASE("credentials list issued tokens and every source, but not revoked tokens", "[ingest]") {
  StoreFixture f;
  REQUIRE(f.store->AddSource({"knmi-warnings", kPartner, 900}, Audit("source.add")).ok());
  vik::store::TokenRecord live;
  live.id = "t000000000001";
  live.partner = kPartner;
  live.digest = std::string(32, '\x01');
  live.scopes = {"ingest", "read"};
  vik::store::TokenRecord revoked = live;
  revoked.id = "t000000000002";
  revoked.digest = std::string(31, '\x02') + '\0';  // raw bytes, including a zero byte
  revoked.scopes = {"ingest"};
  REQUIRE(f.store->InsertToken(live, Audit("token.issue")).ok());
  REQUIRE(f.store->InsertToken(revoked, Audit("token.issue")).ok());

  auto both = f.store->LoadCredentials();
  REQUIRE(both.ok());
  CHECK(both->tokens.size() == 2);

  REQUIRE(f.store->RevokeToken(revoked.id, Audit("token.revoke")).ok());
  auto credentials = f.store->LoadCredentials();
  REQUIRE(credentials.ok());
  REQUIRE(credentials->tokens.size() == 1);
  const auto& t = credentials->tokens.front();
  CHECK(t.id == live.id);
  CHECK(t.partner == kPartner);
  CHECK(t.digest == live.digest);
  CHECK(t.scopes == std::set<std::string>{"ingest", "read"});
  CHECK_FALSE(t.revoked);

  REQUIRE(credentials->sources.size() == 2);
  CHECK(credentials->sources[0].id == kSource);
  CHECK(credentials->sources[0].partner == kPartner);
  CHECK_FALSE(credentials->sources[0].expected_interval_s.has_value());
  CHECK(credentials->sources[1].id == "knmi-warnings");
  CHECK(credentials->sources[1].expected_interval_s == std::optional<std::int64_t>(900));

  // The listing still shows the revoked token, marked as such.
  auto all = f.store->ListTokens();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  for (const auto& token : *all) {
    CHECK(token.revoked == (token.id == revoked.id));
  }
}

TEST_CASE("revoking a token twice is FAILED_PRECONDITION and an unknown token is NOT_FOUND, neither audited",
          "[ingest]") {
  StoreFixture f;
  vik::store::TokenRecord token;
  token.id = "t0000000000aa";
  token.partner = kPartner;
  token.digest = std::string(32, 'x');
  token.scopes = {"ingest"};
  REQUIRE(f.store->InsertToken(token, Audit("token.issue")).ok());

  REQUIRE(f.store->RevokeToken(token.id, Audit("token.revoke")).ok());
  const std::string revoked_at = f.Query("SELECT revoked_at FROM tokens WHERE id = 't0000000000aa'");
  REQUIRE_FALSE(revoked_at.empty());

  const auto again = f.store->RevokeToken(token.id, Audit("token.revoke"));
  INFO(again.ToString());
  CHECK(again.code() == StatusCode::kFailedPrecondition);
  const auto unknown = f.store->RevokeToken("t0000000000ff", Audit("token.revoke"));
  INFO(unknown.ToString());
  CHECK(unknown.code() == StatusCode::kNotFound);

  // The first revocation time is kept, and only the successful revocation is in the audit log.
  CHECK(f.Query("SELECT revoked_at FROM tokens WHERE id = 't0000000000aa'") == revoked_at);
  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'") == "1");
}
